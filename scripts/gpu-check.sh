#!/usr/bin/env bash
# Runs convnet4j on a bare GPU machine from what scripts/pack-device.sh put in .device/ (docs/GPU.md):
#   info       nvidia-smi, the folders holding the CUDA libraries, java -version
#   probe      one JVM with JavaCPP's loader debug on: which backend auto picks and why, library versions
#   tests      the backend-parametrized suite (package org.convnet4j.backend) on the CUDA backend alone,
#              through the JUnit console launcher
#   bench-*    our JMH TrainStep (img/s) and InferLatency (batch-1 latency), then the same models in
#              PyTorch on the same GPU, eager and AMP+channels_last
#   summary    each step's status, then one comparison table, printed last
# No step stops the others; each has a timeout and the whole run a budget (GPU_CHECK_BUDGET_S).
# Files go to $OUT (default runs/gpu-check), at most 8: gpu-check.log (everything printed),
# summary.txt, steps.tsv, reports.tar.gz (JUnit XML, JVM crash logs), jmh-train.json,
# jmh-latency.json, pytorch.jsonl.
#
# Usage: scripts/gpu-check.sh [--dry-run]
#   --dry-run (automatic when nvidia-smi is absent): the same steps on the CPU backend with the same
#   .device/jre and .device/lib, plus oneDNN's native jar from the build (never carried), tiny
#   benchmark sizes, and no PyTorch runs.
# Environment (all optional): GPU_CHECK_BUDGET_S (seconds for the whole run: 420 on a GPU, 900 in a
#   dry run), GPU_CHECK_MODELS, GPU_CHECK_BATCHES, GPU_CHECK_LATENCY_MODELS, GPU_CHECK_TEST_BACKENDS,
#   GPU_CHECK_JMH (JMH fork and iteration options), GPU_CHECK_SKIP (comma list of steps to skip:
#   probe, tests, bench-ours, bench-pytorch).
# Exit status: 0 when every step that ran passed, 1 otherwise.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mode=gpu
mode_reason="nvidia-smi found"
if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0
elif [ "${1:-}" = "--dry-run" ]; then
  mode=dry; mode_reason="--dry-run"
elif [ -n "${1:-}" ]; then
  echo "gpu-check: unknown option $1 (usage: scripts/gpu-check.sh [--dry-run])" >&2; exit 1
elif ! command -v nvidia-smi >/dev/null 2>&1; then
  mode=dry; mode_reason="no nvidia-smi on this machine"
fi

OUT="${OUT:-$root/runs/gpu-check}"
mkdir -p "$OUT"
rm -f "$OUT/gpu-check.log" "$OUT/summary.txt" "$OUT/steps.tsv" "$OUT/reports.tar.gz" \
      "$OUT/jmh-train.json" "$OUT/jmh-latency.json" "$OUT/pytorch.jsonl"
work="$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")"
export OUT work

# Everything printed also goes to gpu-check.log; the tee is waited for at the end so the log is whole.
exec > >(tee "$OUT/gpu-check.log") 2>&1
tee_pid=$!

started=$(date +%s)
reserve_s=20   # kept for the summary and the archive

if [ "$mode" = gpu ]; then
  backend=cuda
  models="${GPU_CHECK_MODELS:-lenet5,alexnet8,resnet50}"
  batches="${GPU_CHECK_BATCHES:-32,256}"
  latency_models="${GPU_CHECK_LATENCY_MODELS:-resnet50}"
  test_backends="${GPU_CHECK_TEST_BACKENDS:-cuda}"
  jmh_iters="${GPU_CHECK_JMH:--f 1 -wi 2 -w 2s -i 3 -r 2s}"
  budget_s="${GPU_CHECK_BUDGET_S:-420}"
  tests_timeout_s=180
else
  backend=cpu
  models="${GPU_CHECK_MODELS:-lenet5}"
  batches="${GPU_CHECK_BATCHES:-32}"
  latency_models="${GPU_CHECK_LATENCY_MODELS:-lenet5}"
  test_backends="${GPU_CHECK_TEST_BACKENDS:-cpu,cuda}"
  jmh_iters="${GPU_CHECK_JMH:--f 1 -wi 1 -w 1s -i 1 -r 1s}"
  budget_s="${GPU_CHECK_BUDGET_S:-900}"   # two CPU cores run the CPU suite far slower than an H200 the CUDA one
  tests_timeout_s=600
fi
skip=",${GPU_CHECK_SKIP:-},"

java="$root/.device/jre/bin/java"
cp="$root/.device/lib/*"
# A JVM that crashes (in a native library, say) leaves its report where reports.tar.gz collects it.
errfile_opt="-XX:ErrorFile=$work/hs_err_pid%p.log"
export mode root java cp errfile_opt backend test_backends jmh_iters models batches latency_models

say() { printf '%s\n' "$*"; }
banner() { printf '\n======== %s ========\n' "$*"; }
export -f say banner

# One line per step in steps.tsv: name, status (ok, FAILED, TIMEOUT, skipped, absent), exit code,
# seconds, note.
printf 'step\tstatus\trc\tseconds\tnote\n' >"$OUT/steps.tsv"
failed=0
record() {  # name status rc seconds note
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$OUT/steps.tsv"
  case "$2" in FAILED|TIMEOUT) failed=1 ;; esac
  say "-- [$1] $2 (rc $3, ${4}s)${5:+: $5}"
}

left_s() { echo $(( budget_s - reserve_s - ($(date +%s) - started) )); }

# step NAME TIMEOUT_S FUNCTION [ARGS...]: runs an exported function under `timeout` (which signals the
# whole process group, so JVM forks die too), clipped to what is left of the budget. A function may
# leave a one-line note for steps.tsv in $work/note.NAME.
step() {
  local name=$1 limit=$2; shift 2
  local left; left=$(left_s)
  if [[ "$skip" == *",$name,"* ]]; then record "$name" skipped 0 0 "GPU_CHECK_SKIP"; return; fi
  if [ "$left" -lt 15 ]; then record "$name" skipped 0 0 "budget of ${budget_s}s spent"; return; fi
  [ "$limit" -gt "$left" ] && limit=$left
  banner "$name (timeout ${limit}s, $(( $(date +%s) - started ))s into the run)"
  local t0 rc status note=""
  t0=$(date +%s)
  timeout -k 10 "$limit" bash -o pipefail -c '"$@"' _ "$@"
  rc=$?
  case "$rc" in
    0) status=ok ;;
    124|137) status=TIMEOUT; note="killed after ${limit}s" ;;
    *) status=FAILED ;;
  esac
  if [ -f "$work/note.$name" ]; then note="${note:+$note; }$(cat "$work/note.$name")"; fi
  record "$name" "$status" "$rc" $(( $(date +%s) - t0 )) "$note"
}

# ---------------------------------------------------------------------------------------------------
banner "gpu-check: mode $mode ($mode_reason), budget ${budget_s}s, out $OUT"
say "date $(date -u +%Y-%m-%dT%H:%M:%SZ), host $(cat /etc/hostname 2>/dev/null), $(nproc) cores, $(uname -srm)"
say "commit $(git rev-parse --short HEAD 2>/dev/null || echo "unknown (no git)")"
if [ ! -x "$java" ] || [ ! -d "$root/.device/lib" ]; then
  say "gpu-check: .device/jre or .device/lib is missing: run scripts/pack-device.sh first (and carry .device)"
  record pack FAILED 1 0 ".device missing"
  exec >&- 2>&-; wait "$tee_pid"; exit 1
fi
head -1 "$root/.device/MANIFEST.txt" 2>/dev/null

# --- info: the GPU, the CUDA libraries, Java ------------------------------------------------------
banner "info"
t0=$(date +%s)
if [ "$mode" = gpu ]; then
  timeout 30 nvidia-smi || say "nvidia-smi failed (rc $?)"
else
  say "nvidia-smi: not run ($mode_reason)"
fi

# Every copy of each library, then the newest copy's folder goes first on LD_LIBRARY_PATH. The pip
# wheels (nvidia-cudnn-cu13, nvidia-cublas, nvidia-cuda-runtime) keep theirs under site-packages/nvidia.
libs=(libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcudnn.so.9 libnvrtc.so.13 libcuda.so.1)
find_args=()
for l in "${libs[@]}"; do find_args+=(-o -name "$l*"); done
# Pruned: JavaCPP's cache (links to what it loaded before) and this checkout.
timeout 60 find / \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -name .javacpp -o -path "$root" -o -path "$OUT" \) -prune \
  -o \( -false "${find_args[@]}" \) \( -type f -o -type l \) -print 2>/dev/null | sort >"$work/libs.txt"
lib_dirs=()
for l in "${libs[@]}"; do
  say "$l:"
  best=""
  while read -r f; do
    [ -z "$f" ] && continue
    real="$(readlink -f "$f")"
    say "  $f -> $(basename "$real")"
    best="$best$(basename "$real") $(dirname "$f")"$'\n'
  done < <(grep -F "/$l" "$work/libs.txt")
  if [ -z "$best" ]; then say "  (not found)"; continue; fi
  # libcuda.so.1 is the driver's: leave it to the loader's own path when ldconfig knows it.
  if [ "$l" = libcuda.so.1 ] && ldconfig -p 2>/dev/null | grep -q 'libcuda.so.1 '; then continue; fi
  dir="$(printf '%s' "$best" | sort -V -k1,1 | tail -1 | cut -d' ' -f2-)"
  [[ " ${lib_dirs[*]-} " == *" $dir "* ]] || lib_dirs+=("$dir")
done
if [ "${#lib_dirs[@]}" -gt 0 ]; then
  LD_LIBRARY_PATH="$(IFS=:; echo "${lib_dirs[*]}")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export LD_LIBRARY_PATH
fi
say "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
"$java" -version 2>&1
say "jre modules: $(sed -n 's/^MODULES="\(.*\)"/\1/p' "$root/.device/jre/release")"
if [ "$mode" = dry ]; then
  # The CPU backend needs oneDNN's native jar, which .device leaves out (it would not fit); the build has it.
  onednn="$(ls "$root"/zoo/target/lib/dnnl-*-linux-x86_64.jar 2>/dev/null | head -1)"
  if [ -n "$onednn" ]; then
    cp="$cp:$onednn"
    say "NOTE dry run: adding oneDNN's native jar from the build for the CPU backend: $onednn (not part of .device)"
  else
    say "NOTE dry run: no oneDNN native jar in zoo/target/lib (build first); CPU steps will fail"
  fi
fi
say "class path: $cp"
record info ok 0 $(( $(date +%s) - t0 )) "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"

# --- probe: which backend, and why; a loading failure explains itself -------------------------------
probe() {
  "$java" "$errfile_opt" -Dorg.bytedeco.javacpp.logger.debug=true -cp "$cp" org.convnet4j.backend.BackendInfo "$backend" \
    | tee "$work/probe.out"
  local rc=$?
  grep '^auto: ' "$work/probe.out" | head -1 >"$work/note.probe"
  return $rc
}
export -f probe
step probe 90 probe

# --- tests: the backend suite on the chosen backend(s) -----------------------------------------------
tests() {
  mkdir -p "$work/junit"
  # --exclude-package: the CPU backend's own tests (org.convnet4j.backend.cpu) need oneDNN. The two
  # train classes: no cudaMalloc in steady steps, and precise batch norm, on the backend(s) selected.
  "$java" "$errfile_opt" -Dconvnet4j.test.backends="$test_backends" -cp "$cp" \
    org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii \
    --select-package=org.convnet4j.backend --exclude-package=org.convnet4j.backend.cpu \
    --select-class=org.convnet4j.train.SteadyStateTest --select-class=org.convnet4j.train.PreciseBatchNormTest \
    --fail-if-no-tests --reports-dir="$work/junit" | tee "$work/tests.out"
  local rc=$?
  # The launcher's closing counts ("[ 12 tests successful ]") and the backends skipped, for steps.tsv.
  { sed -n 's/^\[ *\([0-9]*\) tests \(successful\|failed\|aborted\|skipped\) *\]$/\1 \2/p' "$work/tests.out" | sed 's/$/,/'
    grep -o '^SKIPPED \[[a-z]*\] .*' "$work/tests.out" | sort -u | sed 's/$/;/'
  } | paste -sd' ' - | sed 's/[,;]$//' >"$work/note.tests"
  # On a GPU machine a skipped CUDA backend is the failure this run is looking for.
  if [ "$mode" = gpu ] && [ "$rc" = 0 ] && grep -q '^SKIPPED \[cuda\]' "$work/tests.out"; then
    echo "the CUDA cases were skipped on a GPU machine" >&2
    rc=1
  fi
  return $rc
}
export -f tests
step tests "$tests_timeout_s" tests

# --- bench-ours: our JMH benchmarks ------------------------------------------------------------------
# JMH's own list of the benchmarks in the packed jars (no unzip needed on the machine).
"$java" -cp "$cp" org.openjdk.jmh.Main -l >"$work/benchmarks.txt" 2>&1 || { say "JMH could not list the benchmarks:"; cat "$work/benchmarks.txt"; }
has_benchmark() { grep -q "^org\.convnet4j\.bench\.$1\." "$work/benchmarks.txt"; }

jmh() {  # jmh STEP RESULT_JSON JMH_ARGS...
  local name=$1 json=$2 rc waited=0; shift 2
  while true; do
    # shellcheck disable=SC2086 # jmh_iters is a list of options
    "$java" "$errfile_opt" -cp "$cp" org.openjdk.jmh.Main "$@" $jmh_iters -rf json -rff "$json" 2>&1 | tee "$work/$name.out"
    rc=$?
    # Another JMH holds its machine-wide lock (a shared development machine): wait, don't compete.
    grep -q 'Unable to acquire the JMH lock' "$work/$name.out" || break
    waited=$(( waited + 10 ))
    say "waiting 10 s for another JMH run to finish (its lock, /tmp/jmh.lock)"
    echo "waited ${waited}s for another JMH's lock" >"$work/note.$name"
    sleep 10
  done
  # JMH goes on past a benchmark that throws and still exits 0: count those and the results written.
  local failures results
  failures=$(grep -c '<failure>' "$work/$name.out")
  results=$(grep -c '"benchmark"' "$json" 2>/dev/null)
  local wait_note=""
  [ "$waited" -gt 0 ] && wait_note=", after waiting ${waited}s for another JMH's lock"
  echo "${results:-0} result(s), $failures failed run(s)$wait_note" >"$work/note.$name"
  if [ "$rc" = 0 ] && { [ "$failures" -gt 0 ] || [ "${results:-0}" = 0 ]; }; then rc=1; fi
  return $rc
}
bench_train() {
  jmh bench-train "$OUT/jmh-train.json" 'org\.convnet4j\.bench\.TrainStep\.' -p backend="$backend" -p model="$models" -p batch="$batches"
}
bench_latency() {
  jmh bench-latency "$OUT/jmh-latency.json" 'org\.convnet4j\.bench\.InferLatency\.' -p backend="$backend" -p model="$latency_models"
}
bench_smoke() {  # one small primitive benchmark: proves JMH and its forked JVM run on the packed runtime
  jmh bench-smoke "$work/jmh-smoke.json" 'org\.convnet4j\.bench\.PoolBenchmark\.forward' -p backend="$backend" -p shape=lenet5_avg_pool
}
export -f jmh bench_train bench_latency bench_smoke

if [[ "$skip" == *",bench-ours,"* ]]; then
  record bench-ours skipped 0 0 "GPU_CHECK_SKIP"
else
  if has_benchmark TrainStep; then
    step bench-train 240 bench_train
  else
    record bench-train absent 0 0 "no TrainStep in the packed bench jar"
  fi
  if has_benchmark InferLatency; then
    step bench-latency 90 bench_latency
  else
    record bench-latency absent 0 0 "no InferLatency in the packed bench jar"
  fi
  if [ "$mode" = dry ] || ! has_benchmark TrainStep; then
    step bench-smoke 60 bench_smoke
  fi
fi

# --- bench-pytorch: the same models in PyTorch on the same GPU ---------------------------------------
pytorch_one() {  # MODEL BATCH MODE VARIANT [flags...]
  local m=$1 b=$2 md=$3 v=$4; shift 4
  local out line
  say "-- pytorch $m batch $b $md $v"
  out="$(PYTHONUNBUFFERED=1 timeout -k 5 60 python3 "$root/bench/pytorch/bench.py" --device cuda --model "$m" --batch "$b" --mode "$md" "$@" 2>&1)"
  say "$out"
  line="$(printf '%s\n' "$out" | grep '^RESULT ' | tail -1)"
  if [ -n "$line" ]; then
    printf '{"model":"%s","batch":%s,"mode":"%s","variant":"%s","result":%s}\n' "$m" "$b" "$md" "$v" "${line#RESULT }" >>"$OUT/pytorch.jsonl"
  else
    printf '{"model":"%s","batch":%s,"mode":"%s","variant":"%s","error":"no RESULT line"}\n' "$m" "$b" "$md" "$v" >>"$OUT/pytorch.jsonl"
    return 1
  fi
}
bench_pytorch() {
  local runs=0 bad=0 m b
  python3 -c 'import torch, sys; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(), torch.cuda.get_device_name(0), "python", sys.version.split()[0])'
  for m in ${models//,/ }; do
    for b in ${batches//,/ }; do
      runs=$((runs + 2))
      pytorch_one "$m" "$b" train eager || bad=$((bad + 1))
      pytorch_one "$m" "$b" train amp_cl --amp --channels-last || bad=$((bad + 1))
      echo "$((runs - bad))/$runs runs gave a RESULT" >"$work/note.bench-pytorch"
    done
  done
  for m in ${latency_models//,/ }; do
    runs=$((runs + 2))
    pytorch_one "$m" 1 latency eager || bad=$((bad + 1))
    pytorch_one "$m" 1 latency amp_cl --amp --channels-last || bad=$((bad + 1))
    echo "$((runs - bad))/$runs runs gave a RESULT" >"$work/note.bench-pytorch"
  done
  [ "$bad" = 0 ]
}
export -f pytorch_one bench_pytorch

if [ "$mode" = dry ]; then
  t0=$(date +%s)
  banner "bench-pytorch"
  say "NOTE dry run: PyTorch GPU runs skipped (no GPU here)"
  note="dry run"
  if [ -f bench/pytorch/bench.py ]; then
    python3 -m py_compile bench/pytorch/bench.py bench/pytorch/models.py 2>&1 && note="dry run; bench.py compiles" \
      || note="dry run; bench.py does not compile"
  else
    note="dry run; bench/pytorch/bench.py not in this tree yet"
  fi
  say "$note"
  record bench-pytorch skipped 0 $(( $(date +%s) - t0 )) "$note"
elif [ ! -f bench/pytorch/bench.py ]; then
  record bench-pytorch absent 0 0 "bench/pytorch/bench.py not in this tree"
else
  step bench-pytorch 240 bench_pytorch
fi

# --- summary: statuses, then the comparison table last ----------------------------------------------
banner "files"
(
  cd "$work" || exit 0
  shopt -s nullglob
  parts=(junit hs_err_pid*.log jmh-smoke.json)
  present=()
  for p in "${parts[@]}"; do [ -e "$p" ] && present+=("$p"); done
  [ "${#present[@]}" -gt 0 ] && tar -czf "$OUT/reports.tar.gz" "${present[@]}"
)
ls -la "$OUT"

banner "summary"
python3 "$root/scripts/gpu_summary.py" "$OUT" "$mode" "$(( $(date +%s) - started ))" | tee "$OUT/summary.txt"
[ "${PIPESTATUS[0]}" = 0 ] || { say "gpu-check: the summarizer failed"; failed=1; }

rm -rf "$work"
exec >&- 2>&-
wait "$tee_pid"
exit "$failed"
