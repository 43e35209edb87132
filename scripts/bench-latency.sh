#!/usr/bin/env bash
# bench-latency.sh: batch-1 inference latency (JMH InferLatency, sample mode: p50 and p99 in ms), ours
# frozen in fp32, bf16 and int8, and ONNX Runtime Java 1.23.2 on our ONNX export of the same model and
# weights, model by model in one run, every implementation with the same threads. Also the ISA oneDNN
# dispatched to and the int8 kernels it picked (ONEDNN_VERBOSE, from a separate untimed run). The
# machine must be otherwise idle.
#
# Usage: scripts/bench-latency.sh [--models lenet5,alexnet8,resnet50] [--out DIR]
# Needs bench/target/benchmarks.jar (mvn -B -q package -DskipTests).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
MODELS=lenet5,alexnet8,resnet50
OUT=""
while [ $# -gt 0 ]; do
    case "$1" in
        --models) MODELS=${2:?}; shift ;;
        --out) OUT=${2:?}; shift ;;
        -h|--help) sed -n 2,9p "$0"; exit 0 ;;
        *) echo "bench-latency: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
OUT=${OUT:-bench/results/latency-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
JAR=bench/target/benchmarks.jar
THREADS=${THREADS:-$(nproc)}
[ -f "$JAR" ] || { echo "bench-latency: $JAR missing (mvn -B -q package -DskipTests)" >&2; exit 1; }
PRECISIONS=fp32,int8
grep -qwE 'avx512_bf16|amx_bf16' /proc/cpuinfo && PRECISIONS=fp32,bf16,int8
JVM="-Dconvnet4j.threads=$THREADS"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "command: scripts/bench-latency.sh --models $MODELS"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) processors"
    echo "load_at_start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "java: $(java -version 2>&1 | head -1), ours with $JVM, ORT with $THREADS intra-op threads"
} > "$OUT/machine.txt"

# The ISA and the int8 convolution kernels, untimed.
ONEDNN_VERBOSE=1 java -jar "$JAR" "[.]InferLatency[.]" -p model=lenet5 -p precision=int8 -f 1 -bm ss -wi 0 -i 1 \
    -jvmArgs "$JVM" > "$OUT/verbose_int8.log" 2>&1 || true
grep -m1 -o 'isa:[^,]*' "$OUT/verbose_int8.log" | sed 's/^/onednn_/' >> "$OUT/machine.txt" || true
grep 'src:[us]8' "$OUT/verbose_int8.log" | grep -o 'convolution,[^,]*\|matmul,[^,]*' | sort | uniq -c | sed 's/^/int8 kernels: /' >> "$OUT/machine.txt" || true

IFS=, read -r -a models <<< "$MODELS"
for m in "${models[@]}"; do
    java -jar "$JAR" "[.]InferLatency[.]" -p model="$m" -p path=frozen -p precision="$PRECISIONS" \
        -f 1 -wi 1 -w 3s -i 3 -r 4s -jvmArgs "$JVM" -rf json -rff "$OUT/ours_$m.json" > "$OUT/ours_$m.log" 2>&1
    java -jar "$JAR" "[.]InferLatency[.]" -p model="$m" -p path=ort -p threads="$THREADS" \
        -f 1 -wi 1 -w 3s -i 3 -r 4s -jvmArgs "$JVM" -rf json -rff "$OUT/ort_$m.json" > "$OUT/ort_$m.log" 2>&1
done

python3 - "$OUT" <<'PY' | tee "$OUT/summary.md"
import glob, json, os, sys
out = sys.argv[1]
rows = {}
for f in sorted(glob.glob(os.path.join(out, "*.json"))):
    for r in json.load(open(f)):
        p = r["params"]
        name = "ORT" if p["path"] == "ort" else "ours " + p["precision"]
        pct = r["primaryMetric"]["scorePercentiles"]
        rows.setdefault(p["model"], {})[name] = (pct["50.0"], pct["99.0"])
print("| model | impl | p50 ms | p99 ms | p50 / ORT p50 | p99 / own p50 |")
print("|---|---|---:|---:|---:|---:|")
for model, impls in rows.items():
    ort = impls.get("ORT", (float("nan"),))[0]
    for name in sorted(impls, key=lambda n: (n == "ORT", n)):
        p50, p99 = impls[name]
        print(f"| {model} | {name} | {p50:.3f} | {p99:.3f} | {p50 / ort:.2f} | {p99 / p50:.2f} |")
PY
