#!/usr/bin/env bash
# bench-precision.sh: training throughput at batch 32 in each precision and layout, ours and
# PyTorch 1.13 side by side in one run, model by model (so slow drift of the machine hits all alike):
#   ours fp32 (activations NHWC, what `train` runs), ours fp32 NCHW (the layout before activations
#   persisted: every convolution reorders in and out of oneDNN's blocked layout), ours bf16;
#   PyTorch fp32 (contiguous), PyTorch fp32 channels_last, PyTorch bf16 autocast + channels_last.
# Also the ISA oneDNN dispatched to and the convolution kernels it picked (ONEDNN_VERBOSE, from a
# separate untimed run), and the machine. The machine must be otherwise idle.
#
# Usage: scripts/bench-precision.sh [--models lenet5,alexnet8,resnet50] [--out DIR]
# Needs bench/target/benchmarks.jar (mvn -B -q package -DskipTests) and /usr/bin/python3 with torch.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
MODELS=lenet5,alexnet8,resnet50
OUT=""
while [ $# -gt 0 ]; do
    case "$1" in
        --models) MODELS=${2:?}; shift ;;
        --out) OUT=${2:?}; shift ;;
        -h|--help) sed -n 2,13p "$0"; exit 0 ;;
        *) echo "bench-precision: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
OUT=${OUT:-bench/results/precision-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
JAR=bench/target/benchmarks.jar
PY=${PYTORCH_PYTHON:-/usr/bin/python3}
THREADS=${THREADS:-$(nproc)}
[ -f "$JAR" ] || { echo "bench-precision: $JAR missing (mvn -B -q package -DskipTests)" >&2; exit 1; }
HAVE_TORCH=1
"$PY" -c 'import torch' 2>/dev/null || HAVE_TORCH=0
BF16=1
grep -qwE 'avx512_bf16|amx_bf16' /proc/cpuinfo || BF16=0

{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "command: scripts/bench-precision.sh --models $MODELS"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) processors"
    echo "load_at_start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "java: $(java -version 2>&1 | head -1), ours with -Dconvnet4j.threads=$THREADS"
    [ "$HAVE_TORCH" = 1 ] && echo "torch: $("$PY" -c 'import torch; print(torch.__version__)'), threads $THREADS"
} > "$OUT/machine.txt"

# The ISA and kernels, from an untimed lenet5/resnet50 step with ONEDNN_VERBOSE.
for p in fp32 $([ "$BF16" = 1 ] && echo bf16); do
    ONEDNN_VERBOSE=1 java -jar "$JAR" "[.]TrainStep[.]" -p model=alexnet8 -p precision=$p -f 1 -bm ss -wi 0 -i 1 \
        > "$OUT/verbose_$p.log" 2>&1 || true
done
{
    echo "isa: $(grep -m1 -o 'isa:[^,]*' "$OUT/verbose_fp32.log" || echo unknown)"
    for p in fp32 bf16; do
        [ -f "$OUT/verbose_$p.log" ] || continue
        echo "convolution kernels ($p, alexnet8 step): $(grep 'primitive,exec,cpu,convolution' "$OUT/verbose_$p.log" \
            | cut -d, -f7 | sort | uniq -c | sort -rn | awk '{printf "%s x%s; ", $2, $1}')"
    done
} >> "$OUT/machine.txt"

plan() {  # JMH flags and PyTorch warmup/iters per model
    case "$1" in
        lenet5) echo "-bm avgt -wi 3 -w 1s -i 5 -r 1s|20 300" ;;
        alexnet8) echo "-bm ss -wi 3 -i 10|3 10" ;;
        *) echo "-bm ss -wi 1 -i 3|1 3" ;;
    esac
}

ours() {  # model precision layout
    local f="$OUT/ours_$1_$2_$3.json"
    IFS='|' read -r jmh _ <<< "$(plan "$1")"
    # shellcheck disable=SC2086
    # The thread count pinned as PyTorch's is: the default (the processors free when the backend
    # starts) can see JMH's own JVM busy at the fork's start and take one fewer.
    java -jar "$JAR" "[.]TrainStep[.]" -p model="$1" -p batch=32 -p precision="$2" -p layout="$3" -f 1 $jmh \
        -jvmArgsAppend "-Dconvnet4j.threads=$THREADS" \
        -rf json -rff "$f" > "$OUT/ours_$1_$2_$3.log" 2>&1 || echo "ours $1 $2 $3 failed" >&2
}

torch_run() {  # model name flags...
    local m=$1 name=$2
    shift 2
    IFS='|' read -r _ wi <<< "$(plan "$m")"
    read -r w n <<< "$wi"
    "$PY" bench/pytorch/bench.py --model "$m" --batch 32 --mode train --warmup "$w" --iters "$n" \
        --threads "$THREADS" "$@" > "$OUT/torch_${m}_$name.log" 2>&1 || echo "pytorch $m $name failed" >&2
}

for m in ${MODELS//,/ }; do
    echo "bench-precision: $m" >&2
    ours "$m" fp32 auto
    ours "$m" fp32 nchw
    [ "$BF16" = 1 ] && ours "$m" bf16 auto
    if [ "$HAVE_TORCH" = 1 ]; then
        torch_run "$m" fp32
        torch_run "$m" fp32-cl --channels-last
        [ "$BF16" = 1 ] && torch_run "$m" bf16-cl --bf16 --channels-last
    fi
done
echo "load_at_end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"

python3 - "$OUT" "$MODELS" <<'EOF' | tee "$OUT/summary.md"
import json, os, statistics, sys
out, models = sys.argv[1], sys.argv[2].split(",")
to_ms = {"ms/op": 1.0, "s/op": 1000.0, "us/op": 1e-3}
def ours(m, p, l):
    f = f"{out}/ours_{m}_{p}_{l}.json"
    if not os.path.exists(f):
        return None
    r = json.load(open(f))
    if not r:
        return None
    pm = r[0]["primaryMetric"]
    ms = statistics.median(x for fork in pm["rawData"] for x in fork) * to_ms[pm["scoreUnit"]]
    return 32000.0 / ms
def torch(m, name):
    f = f"{out}/torch_{m}_{name}.log"
    if not os.path.exists(f):
        return None
    for line in open(f):
        if line.startswith("RESULT "):
            return json.loads(line[7:])["img_per_s"]
    return None
def fmt(x):
    return "-" if x is None else (f"{x:,.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}")
def ratio(a, b):
    return "-" if a is None or not b else f"{a / b:.2f}"
print(open(f"{out}/machine.txt").read())
print("| model | ours fp32 NHWC | ours fp32 NCHW | ours bf16 | PyTorch fp32 | PyTorch fp32 CL | PyTorch bf16 CL |"
      " NHWC/NCHW | bf16/fp32 | ours fp32 / best PyTorch fp32 | ours bf16 / PyTorch bf16 |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for m in models:
    a, b, c = ours(m, "fp32", "auto"), ours(m, "fp32", "nchw"), ours(m, "bf16", "auto")
    t1, t2, t3 = torch(m, "fp32"), torch(m, "fp32-cl"), torch(m, "bf16-cl")
    best = max([x for x in (t1, t2) if x is not None], default=None)
    print(f"| {m} | {fmt(a)} | {fmt(b)} | {fmt(c)} | {fmt(t1)} | {fmt(t2)} | {fmt(t3)} | {ratio(a, b)} | "
          f"{ratio(c, a)} | {ratio(a, best)} | {ratio(c, t3)} |")
print("\nimages/s of one training step (forward, loss, backward, Adam) at batch 32; median of the measured steps.")
EOF
