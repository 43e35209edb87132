#!/usr/bin/env bash
# Shared cores (docs/BENCHMARKS.md, "Shared cores"): one epoch of LeNet-5 training and batch-1
# inference latency, with the machine idle and with one core taken by another process (a shell busy
# loop), for each OpenMP wait policy given. Run it on an otherwise idle machine, after
# `mvn -B -DskipTests package`; it prints one table.
#
#   scripts/bench-contention.sh                 # wait policies: libgomp's own default spin, passive
#   WAITS="300000 20000 passive" THREADS=2 scripts/bench-contention.sh
#
# Columns: seconds of the training epoch (metrics.json seconds_per_epoch), then p50 and p99 in ms of
# JMH InferLatency for each latency model. 300000 is libgomp's default spin count (what convnet4j
# ran with before it chose a policy); passive sleeps at once.
set -euo pipefail
cd "$(dirname "$0")/.."
waits=${WAITS:-"300000 passive"}
threads=${THREADS:-}
models=${LATENCY_MODELS:-"lenet5,resnet50"}
jar=bench/target/benchmarks.jar
[ -f "$jar" ] || { echo "bench-contention: build first (mvn -B -DskipTests package)" >&2; exit 2; }
work=$(mktemp -d)
trap 'kill "${burner:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%-8s %-5s %9s' wait load "epoch s"
IFS=, read -ra ms <<<"$models"
for m in "${ms[@]}"; do printf ' %12s %12s' "$m p50" "$m p99"; done
echo
for wait in $waits; do
  opts="-Dconvnet4j.omp.wait=$wait${threads:+ -Dconvnet4j.threads=$threads}"
  for load in idle busy; do
    burner=""
    if [ "$load" = busy ]; then
      bash -c 'while :; do :; done' &
      burner=$!
      sleep 1
    fi
    CONVNET4J_JAVA_OPTS="-Xmx8g $opts" ./convnet4j train lenet5 --epochs 1 --out "$work/run" >/dev/null 2>"$work/train.err" \
      || { cat "$work/train.err" >&2; exit 1; }
    epoch=$(python3 -c "import json,sys; print('%.1f' % json.load(open(sys.argv[1]))['seconds_per_epoch'])" "$work/run/metrics.json")
    rm -rf "$work/run"
    java -jar "$jar" InferLatency -p model="$models" -p backend=cpu -f 1 -wi 1 -w 2s -i 2 -r 3s \
      -jvmArgs "$opts" -rf json -rff "$work/lat.json" >"$work/jmh.out" 2>&1 || { tail -20 "$work/jmh.out" >&2; exit 1; }
    printf '%-8s %-5s %9s' "$wait" "$load" "$epoch"
    python3 - "$work/lat.json" "$models" <<'PY'
import json, sys
runs = {r["params"]["model"]: r["primaryMetric"]["scorePercentiles"] for r in json.load(open(sys.argv[1]))}
print("".join(" %12.3f %12.3f" % (runs[m]["50.0"], runs[m]["99.0"]) for m in sys.argv[2].split(",")))
PY
    if [ -n "$burner" ]; then kill "$burner"; wait "$burner" 2>/dev/null || true; burner=""; fi
  done
done
