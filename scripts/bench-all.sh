#!/usr/bin/env bash
# bench-all.sh: every measurement of issue 6 in one run, ours and the peers side by side, on one
# machine that should be otherwise idle:
#   1. training throughput (images/s of one full step: forward, loss, backward, Adam) of every zoo
#      model at batch 32 and LeNet-5 also at 128, model by model: ours, DL4J stock, DL4J-oneDNN,
#      PyTorch, so slow drift of the machine hits every implementation alike;
#   2. batch-1 inference latency (p50, p99) of lenet5, alexnet8 and resnet50;
#   3. peak resident memory (VmHWM) of ResNet-50 training at batch 32, ours and DL4J;
#   4. our per-kernel table (BenchMain: GFLOP/s and GB/s).
# Every raw result (JMH json, RESULT lines, logs) goes under the results folder; at the end
# scripts/bench_summary.py prints one markdown report (also written to summary.md there).
# A peer whose jar, script or torch is missing is skipped with a note; one that runs past its
# per-measurement timeout is killed and reported as a timeout.
#
# The iteration plan below is sized for about 30 minutes on 2 cores, the kernel table included
# (docs/BENCHMARKS.md gives the estimate per part).
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: scripts/bench-all.sh [--quick] [--models a,b,...] [--skip x,y,...] [--out DIR]
  --quick         tiny iteration counts on lenet5 and alexnet8 (unless --models): checks the
                  script end to end in a few minutes; its figures are not measurements
  --models LIST   zoo models to train (default: all); latency and memory run on those of theirs
                  that are in the list
  --skip LIST     implementations or parts to leave out: dl4j, dl4j-onednn, pytorch, bf16 (the
                  bf16 rows of ours and PyTorch), ort (ONNX Runtime's latency rows),
                  train, latency, memory, kernels
  --out DIR       results folder (default: bench/results/<UTC date and time>)
Environment: JAVA (java), OURS_JAVA_OPTS, DL4J_JAVA_OPTS (JVM flags; JMH passes them to its
forks), PYTORCH_PYTHON (/usr/bin/python3), THREADS (PyTorch threads, default: nproc).
EOF
}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CALLER_DIR=$PWD
cd "$ROOT"
COMMAND="scripts/bench-all.sh $*"

QUICK=0
MODELS=""
SKIP=""
OUT=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --models) MODELS=${2:?--models needs a list}; shift ;;
        --skip) SKIP=${2:?--skip needs a list}; shift ;;
        --out) OUT=${2:?--out needs a folder}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench-all: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

JAVA=${JAVA:-java}
PYTORCH_PYTHON=${PYTORCH_PYTHON:-/usr/bin/python3}
THREADS=${THREADS:-$(nproc)}
# Our thread count pinned as PyTorch's and ORT's are (JMH's forks inherit the option): the default,
# the processors free when the backend starts, can count JMH's own JVM busy and take one fewer.
OURS_JAVA_OPTS=${OURS_JAVA_OPTS:--Dconvnet4j.threads=$THREADS}
OURS_JAR=bench/target/benchmarks.jar
DL4J_JAR=bench/dl4j/target/dl4j-benchmarks.jar
DL4J_ONEDNN_JAR=bench/dl4j/target/dl4j-onednn-benchmarks.jar
PYTORCH_SCRIPT=bench/pytorch/bench.py
if [ -n "$OUT" ] && [[ "$OUT" != /* ]]; then OUT=$CALLER_DIR/$OUT; fi
OUT=${OUT:-bench/results/$(date -u +%Y-%m-%dT%H%M%SZ)}
START=$SECONDS

say() { echo "bench-all: $*" >&2; }
skipped() { [[ ",$SKIP," == *",$1,"* ]]; }
selected() { [ -z "$MODELS" ] || [[ ",$MODELS," == *",$1,"* ]]; }

# ---- The plan -------------------------------------------------------------------------------------
# One row per measurement. JMH plans (ours, DL4J and DL4J-oneDNN run the same JMH benchmark names
# and parameters): "avgt W I" = AverageTime, W warm-up and I measured iterations of the given time
# each (fast models: many steps per iteration); "ss W I" = single shot, W warm-up steps then I timed
# steps (slow models); "sample W I" = SampleTime (latency: every call timed). PyTorch: "W N" =
# --warmup W --iters N. Then the per-measurement timeouts in seconds: ours, DL4J, PyTorch.
# Expected seconds per step at batch 32 on 2 cores (issue 6): ours resnet50 ~4, googlenet ~1.2,
# inception-v3 ~5.6, vgg16 ~6, alexnet ~1, the 28/32-pixel models a few ms to ~0.2, plus a slow
# first step (primitive creation, first touch of the activations: ~30 s for resnet50); stock DL4J
# 10-50x slower on the big ones (resnet50 ~53 s/step), hence 1 warm-up + 2 single shots there and
# 1 + 1 on vgg16. JIT and first calls make the first second of batch-1 inference slow: 3 s warm-up.
if [ "$QUICK" = 1 ]; then
    MODELS=${MODELS:-lenet5,alexnet8}
    PLAN='
train   lenet5        32   | avgt 1x1s 1x1s     | avgt 1x1s 1x1s     | 5 50     | 120 180 120
train   lenet5        128  | avgt 1x1s 1x1s     | avgt 1x1s 1x1s     | 2 10     | 120 180 120
train   alexnet8      32   | avgt 1x1s 1x1s     | ss 1 1             | 1 3      | 120 180 120
train   vgg16-cifar   32   | avgt 1x1s 1x1s     | ss 1 1             | 1 3      | 120 180 120
train   alexnet       32   | ss 1 1             | ss 1 1             | 1 1      | 180 300 180
train   googlenet     32   | ss 1 1             | ss 1 1             | 1 1      | 180 300 180
train   resnet50      32   | ss 1 1             | ss 1 1             | 1 1      | 180 400 180
train   inception-v3  32   | ss 1 1             | ss 1 1             | 1 1      | 180 400 180
train   vgg16         32   | ss 1 1             | ss 1 1             | 1 1      | 180 600 180
latency lenet5        1    | sample 1x1s 1x1s   | sample 1x1s 1x1s   | 5 50     | 120 180 120
latency alexnet8      1    | sample 1x1s 1x1s   | sample 1x1s 1x1s   | 2 20     | 120 180 120
latency resnet50      1    | sample 1x1s 1x2s   | sample 1x1s 1x2s   | 1 5      | 180 300 180
memory  alexnet8      32   | train              | train              | -        | 120 300 -
'
    KERNELS_ARGS=(FusedBenchmark -wi 1 -w 200ms -i 1 -r 300ms)
    KERNELS_TIMEOUT=300
else
    PLAN='
train   lenet5        32   | avgt 3x1s 3x1s     | avgt 2x1s 4x2s     | 50 1000  | 120 180 120
train   lenet5        128  | avgt 3x1s 3x1s     | avgt 2x2s 4x2s     | 20 300   | 120 180 120
train   alexnet8      32   | avgt 3x1s 3x1s     | ss 2 4             | 3 15     | 120 180 120
train   vgg16-cifar   32   | avgt 3x1s 3x1s     | ss 2 4             | 3 20     | 120 180 120
train   alexnet       32   | ss 2 5             | ss 1 1             | 1 2      | 180 300 240
train   googlenet     32   | ss 1 4             | ss 1 1             | 1 2      | 180 300 240
train   resnet50      32   | ss 1 1             | ss 1 1             | 1 1      | 240 420 300
train   inception-v3  32   | ss 1 1             | ss 1 1             | 1 1      | 300 480 300
train   vgg16         32   | ss 1 1             | ss 1 1             | 1 1      | 300 600 300
latency lenet5        1    | sample 2x1s 3x1s   | sample 2x1s 3x1s   | 100 2000 | 120 180 120
latency alexnet8      1    | sample 2x1s 3x1s   | sample 2x1s 3x1s   | 20 300   | 120 180 120
latency resnet50      1    | sample 2x2s 3x2s   | sample 2x2s 3x2s   | 3 50     | 180 300 180
memory  resnet50      32   | train              | train              | -        | 180 420 -
'
    KERNELS_ARGS=(-f 0 -wi 1 -w 300ms -i 1 -r 500ms)
    KERNELS_TIMEOUT=600
fi

KNOWN_MODELS=$(awk '$1 == "train" { print $2 }' <<< "$PLAN" | sort -u | tr '\n' ' ')
for m in ${MODELS//,/ }; do
    [[ " $KNOWN_MODELS" == *" $m "* ]] || { echo "bench-all: unknown model '$m'. Known: $KNOWN_MODELS" >&2; exit 2; }
done
for s in ${SKIP//,/ }; do
    case "$s" in
        dl4j|dl4j-onednn|pytorch|bf16|ort|train|latency|memory|kernels) ;;
        *) echo "bench-all: --skip: unknown part '$s'. Expected dl4j, dl4j-onednn, pytorch, bf16, ort, train, latency, memory, kernels" >&2; exit 2 ;;
    esac
done

mkdir -p "$OUT"
MANIFEST=$OUT/runs.tsv
SKIPPED=$OUT/skipped.tsv
: > "$MANIFEST"
: > "$SKIPPED"

# "avgt 3x1s 5x2s" -> JMH flags
jmh_flags() {
    local mode=$1 warm=$2 meas=$3
    case "$mode" in
        ss) echo "-bm ss -wi $warm -i $meas" ;;
        avgt|sample) echo "-bm $mode -wi ${warm%%x*} -w ${warm#*x} -i ${meas%%x*} -r ${meas#*x}" ;;
        *) echo "bench-all: bad JMH plan '$mode $warm $meas'" >&2; exit 2 ;;
    esac
}

# ---- Which implementations can run ------------------------------------------------------------------
IMPLS=(ours)
note_skip() { say "SKIP $1: $2"; printf '%s\t%s\n' "$1" "$2" >> "$SKIPPED"; }
if [ ! -f "$OURS_JAR" ]; then
    say "$OURS_JAR not found: building it (mvn -B -q -DskipTests -pl bench -am package)"
    mvn -B -q -DskipTests -pl bench -am package
fi
if skipped dl4j; then note_skip dl4j "left out (--skip)"
elif [ -f "$DL4J_JAR" ]; then IMPLS+=(dl4j)
else note_skip dl4j "$DL4J_JAR not found (build bench/dl4j)"; fi
if skipped dl4j-onednn; then note_skip dl4j-onednn "left out (--skip)"
elif [ -f "$DL4J_ONEDNN_JAR" ]; then IMPLS+=(dl4j-onednn)
else note_skip dl4j-onednn "$DL4J_ONEDNN_JAR not found (optional)"; fi
if skipped pytorch; then note_skip pytorch "left out (--skip)"
elif [ ! -f "$PYTORCH_SCRIPT" ]; then note_skip pytorch "$PYTORCH_SCRIPT not found"
elif ! "$PYTORCH_PYTHON" -c 'import torch' 2>/dev/null; then note_skip pytorch "$PYTORCH_PYTHON cannot import torch"
else IMPLS+=(pytorch); fi
# bf16 rows (training only): ours --precision bf16, PyTorch bf16 autocast with channels_last; on a
# CPU with native bfloat16 (AVX512_BF16 or AMX), which is what --precision bf16 requires.
if skipped bf16; then note_skip bf16 "left out (--skip)"
elif ! grep -qwE 'avx512_bf16|amx_bf16' /proc/cpuinfo; then note_skip bf16 "this CPU has no AVX512_BF16 or AMX"
else
    IMPLS+=(ours-bf16)
    [[ " ${IMPLS[*]} " == *" pytorch "* ]] && IMPLS+=(pytorch-bf16)
fi
# ONNX Runtime Java (latency rows only): our export of the same model and weights, run by ORT in the
# same JMH harness (InferLatency path=ort).
if skipped ort; then note_skip ort "left out (--skip)"; else IMPLS+=(ort); fi

# ---- The machine --------------------------------------------------------------------------------------
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "cpu: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
    echo "cores: $(nproc)"
    echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "os: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "java: $("$JAVA" -version 2>&1 | head -1)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$( [ -n "$(git status --porcelain 2>/dev/null)" ] && echo ' (with uncommitted changes)')"
    echo "ours_jar: $OURS_JAR, built $(date -u -r "$OURS_JAR" '+%Y-%m-%d %H:%M UTC')"
    echo "load_at_start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "quick: $QUICK"
    echo "command: $COMMAND"
    for jar in "$DL4J_JAR" "$DL4J_ONEDNN_JAR"; do
        if [ -f "$jar" ]; then echo "dl4j_jar: $ROOT/$jar"; fi
    done
    echo "pytorch_python: $PYTORCH_PYTHON, threads $THREADS"
} > "$OUT/machine.txt"
say "results in $OUT; implementations: ${IMPLS[*]}"
load1=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load1" 'BEGIN { exit !(l >= 0.5) }'; then
    say "WARNING: load average $load1 at start: the machine is not idle, figures will be low and noisy"
    ps -eo pcpu,etime,args --sort=-pcpu | head -4 | cut -c1-120 >&2 || true
fi

# ---- Running one measurement -------------------------------------------------------------------------
# record KIND MODEL BATCH IMPL STATUS BASE PLAN SECONDS
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$MANIFEST"; }

# measure KIND MODEL BATCH IMPL TIMEOUT PLAN BASE -- command...: runs it under a timeout (which kills
# the whole process group, JMH's forked JVM included), logs to BASE.log, appends to the manifest.
measure() {
    local kind=$1 model=$2 batch=$3 impl=$4 limit=$5 plan=$6 base=$7
    shift 8
    local t0=$SECONDS rc status waited=0
    say "$kind $model batch $batch: $impl ($plan, timeout ${limit}s)"
    while true; do
        rc=0
        timeout --kill-after=15 "$limit" "$@" > "$base.log" 2>&1 || rc=$?
        # JMH refuses to start while another JMH run holds /tmp/jmh.lock: someone else is
        # benchmarking on this machine. Wait for it (up to 5 minutes) rather than run alongside.
        if [ $rc -ne 0 ] && [ $waited -lt 300 ] && grep -q 'Unable to acquire the JMH lock' "$base.log"; then
            [ $waited -eq 0 ] && say "  another JMH run holds /tmp/jmh.lock; waiting for it"
            sleep 10
            waited=$((waited + 10))
            continue
        fi
        break
    done
    [ $waited -gt 0 ] && say "  waited ${waited}s for another JMH run"
    case $rc in
        0) status=ok ;;
        124|137) status=timeout ;;
        *) status="failed (exit $rc)" ;;
    esac
    if [ $rc -ne 0 ] && grep -q 'Unable to acquire the JMH lock' "$base.log"; then
        status="failed (another JMH run held /tmp/jmh.lock for ${waited}s)"
    fi
    [ "$status" = ok ] || say "  $impl $kind $model: $status, see $base.log"
    record "$kind" "$model" "$batch" "$impl" "$status" "$(basename "$base")" "$plan" $((SECONDS - t0))
}

impl_jar() {
    case "$1" in
        ours|ours-bf16|ort) echo "$OURS_JAR" ;;
        dl4j) echo "$DL4J_JAR" ;;
        dl4j-onednn) echo "$DL4J_ONEDNN_JAR" ;;
    esac
}

impl_java_opts() {
    if [ "$1" = ours ] || [ "$1" = ours-bf16 ] || [ "$1" = ort ]; then echo "${OURS_JAVA_OPTS:-}"; else echo "${DL4J_JAVA_OPTS:-}"; fi
}

# One plan row for every implementation in turn.
run_row() {
    local kind=$1 model=$2 batch=$3 ours_plan=$4 dl4j_plan=$5 pt_plan=$6 timeouts=$7
    local t_ours t_dl4j t_pt impl plan limit base jar
    read -r t_ours t_dl4j t_pt <<< "$timeouts"
    for impl in "${IMPLS[@]}"; do
        base=$OUT/${kind}_${model}_b${batch}_${impl}
        case "$impl" in
            ours|ours-bf16|ort) plan=$ours_plan; limit=$t_ours ;;
            dl4j|dl4j-onednn) plan=$dl4j_plan; limit=$t_dl4j ;;
            pytorch|pytorch-bf16) plan=$pt_plan; limit=$t_pt ;;
        esac
        # PyTorch's bf16 row is a training row; ours bf16 trains and predicts; ORT only predicts.
        if [ "$impl" = pytorch-bf16 ] && [ "$kind" = latency ]; then continue; fi
        if [ "$impl" = ort ] && [ "$kind" != latency ]; then continue; fi
        if [ "$kind" = memory ]; then
            # "train": TrainStep (ours and DL4J's) prints PeakMemory's RESULT line (VmHWM of its forked
            # JVM) when its trial ends, so the training run of this model and batch, if it ran, is the
            # measurement: DL4J's first steps cost minutes, and running them twice would too.
            local from=$OUT/train_${model}_b${batch}_${impl}.log
            if [ "$plan" = train ] && [ -f "$from" ] && grep -q '^RESULT .*"vmhwm_mib"' "$from"; then
                say "memory $model batch $batch: $impl from its training run ($(basename "$from"))"
                { echo "# from $(basename "$from"): the VmHWM of the training JVM when its JMH trial ended"
                  grep '^RESULT .*"vmhwm_mib"' "$from" | tail -1; } > "$base.log"
                record memory "$model" "$batch" "$impl" ok "$(basename "$base")" \
                    "training run: $(grep -o '"steps":[0-9]*' "$from" | tail -1 | cut -d: -f2) steps" 0
                continue
            fi
            [ "$plan" = train ] && plan=2
            case "$impl" in
                ours-bf16|pytorch-bf16|ort) continue ;;
                ours) measure memory "$model" "$batch" ours "$limit" "$plan steps" "$base" -- \
                          $JAVA $(impl_java_opts ours) -cp "$OURS_JAR" org.convnet4j.bench.PeakMemory \
                          --model "$model" --batch "$batch" --steps "$plan" ;;
                dl4j|dl4j-onednn) measure memory "$model" "$batch" "$impl" "$limit" "$plan steps" "$base" -- \
                          $JAVA $(impl_java_opts "$impl") -cp "$(impl_jar "$impl")" org.convnet4j.bench.dl4j.PeakMemory \
                          --model "$model" --batch "$batch" --steps "$plan" ;;
            esac
        elif [ "$impl" = pytorch ] || [ "$impl" = pytorch-bf16 ]; then
            local mode=train extra=()
            [ "$kind" = latency ] && mode=latency
            [ "$impl" = pytorch-bf16 ] && extra=(--bf16 --channels-last)
            read -r w n <<< "$plan"
            measure "$kind" "$model" "$batch" "$impl" "$limit" "$w+$n" "$base" -- \
                "$PYTORCH_PYTHON" "$PYTORCH_SCRIPT" --model "$model" --batch "$batch" --mode "$mode" \
                --warmup "$w" --iters "$n" --threads "$THREADS" "${extra[@]}"
        else
            local bench=TrainStep params=(-p "model=$model" -p "batch=$batch")
            if [ "$kind" = latency ]; then bench=InferLatency; params=(-p "model=$model"); fi
            [ "$impl" = ours-bf16 ] && params+=(-p precision=bf16)
            [ "$impl" = ort ] && params+=(-p path=ort -p "threads=$THREADS")
            jar=$(impl_jar "$impl")
            # shellcheck disable=SC2046 # the JMH flags and JVM options are meant to split
            measure "$kind" "$model" "$batch" "$impl" "$limit" "$plan" "$base" -- \
                $JAVA $(impl_java_opts "$impl") -jar "$jar" "[.]$bench[.]" "${params[@]}" -f 1 -foe true \
                $(jmh_flags $plan) -rf json -rff "$base.json"
        fi
    done
}

while IFS='|' read -r head ours_plan dl4j_plan pt_plan timeouts; do
    read -r kind model batch <<< "$head"
    [ -n "$kind" ] || continue
    skipped "$kind" && continue
    selected "$model" || continue
    run_row "$kind" "$model" "$batch" "$(echo $ours_plan)" "$(echo $dl4j_plan)" "$(echo $pt_plan)" "$timeouts"
done <<< "$PLAN"

# ---- Per-kernel table (ours) ----------------------------------------------------------------------
if ! skipped kernels; then
    # shellcheck disable=SC2046
    measure kernels all 32 ours "$KERNELS_TIMEOUT" "${KERNELS_ARGS[*]}" "$OUT/kernels" -- \
        $JAVA $(impl_java_opts ours) -cp "$OURS_JAR" org.convnet4j.bench.BenchMain "${KERNELS_ARGS[@]}" \
        -rff "$OUT/kernels.json"
fi

echo "load_at_end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
echo "seconds: $((SECONDS - START))" >> "$OUT/machine.txt"
say "done in $(((SECONDS - START) / 60)) min $(((SECONDS - START) % 60)) s; summary in $OUT/summary.md"
python3 "$ROOT/scripts/bench_summary.py" "$OUT" | tee "$OUT/summary.md"
