#!/usr/bin/env bash
# Runs convnet4j on a bare GPU machine from what scripts/pack-device.sh put in .device/ (docs/GPU.md):
#   info       nvidia-smi, glibc (>= 2.34 needed), the CUDA libraries found and the folders put on
#              LD_LIBRARY_PATH, java -version
#   probe      one JVM with JavaCPP's loader debug on: which backend auto picks and why, library versions
#   smoke      BackendInfo --smoke: every backend op once, each checked, with CUDA_LAUNCH_BLOCKING=1 and
#              cuDNN's error log on; when it fails on a GPU the long bench steps are skipped (tests still run)
#   tests      the backend-parametrized suite (package org.convnet4j.backend) on the CUDA backend alone,
#              through the JUnit console launcher, with the same launch blocking and cuDNN log
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
#   probe, smoke, tests, bench-ours, bench-pytorch).
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
# The step's status is left in last_status.
last_status=""
step() {
  local name=$1 limit=$2; shift 2
  local left; left=$(left_s)
  last_status=skipped
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
  last_status=$status
}

# long_step: a step that spends minutes of device time; skipped (with the reason) once smoke_gate is set.
smoke_gate=""
long_step() {
  if [ -n "$smoke_gate" ]; then record "$1" skipped 0 0 "$smoke_gate"; return; fi
  step "$@"
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

# glibc: the packed JRE and JavaCPP's JNI wrappers (org.bytedeco:cuda) are linked against glibc 2.34 or
# newer; on an older one the JVM or the wrappers fail to load, and every later step says so less clearly.
info_warn=""
glibc_ldd="$(ldd --version 2>/dev/null | head -1)"
glibc="$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{ print $2 }')"
[ -n "$glibc" ] || glibc="$(printf '%s\n' "$glibc_ldd" | grep -oE '[0-9]+\.[0-9]+' | tail -1)"
say "glibc: ${glibc:-unknown} (${glibc_ldd:-ldd --version printed nothing})"
if [ -z "$glibc" ]; then
  say "WARNING: glibc's version is unknown (no getconf GNU_LIBC_VERSION, no ldd): the packed JRE and the JNI wrappers need glibc >= 2.34"
  info_warn="glibc version unknown"
elif [ "$(printf '%s\n' 2.34 "$glibc" | sort -V | head -1)" != 2.34 ]; then
  say "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  say "!!! WARNING: glibc $glibc is older than 2.34. The packed JRE (.device/jre) and JavaCPP's JNI wrappers"
  say "!!! need glibc >= 2.34: expect java or the CUDA wrappers to fail to load (GLIBC_2.34 not found)."
  say "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  info_warn="WARNING glibc $glibc < 2.34"
fi

# The CUDA libraries, looked for where they live, most likely first: the folders already on
# LD_LIBRARY_PATH; Python's site-packages (the pip wheels nvidia-cuda-runtime, nvidia-cublas,
# nvidia-cudnn-cu13, ... keep theirs under nvidia/*/lib, PyTorch under torch/lib); the CUDA toolkit;
# the system's library folder; ldconfig's cache. Only a library still missing then costs a bounded
# `find` (-xdev, depth 12, 20 s). A copy under a stubs/ folder (the toolkit's link-time libcuda), or
# under our own test stub's build folders (cuda-stub/, javacpp-stub-cache/, in any checkout), never
# counts. The folder of the newest copy of each goes first on LD_LIBRARY_PATH.
libs=(libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcudnn.so.9 libcudnn_cnn.so.9 libcudnn_ops.so.9
      libcudnn_adv.so.9 libcudnn_graph.so.9 libnvrtc.so.13 libcuda.so.1)
site_packages() {  # Python's site-packages and dist-packages folders, one a line (may repeat)
  if command -v python3 >/dev/null 2>&1; then
    timeout 10 python3 -c "import site,sys; print('\n'.join(site.getsitepackages()+[site.getusersitepackages()]))" 2>/dev/null
  fi
  local h="${HOME:-/root}" d
  for d in /usr/local/lib/python3*/dist-packages /usr/local/lib/python3*/site-packages /usr/lib/python3/dist-packages \
           /opt/*/lib/python3*/site-packages /opt/*/*/lib/python3*/site-packages /opt/*/envs/*/lib/python3*/site-packages \
           "$h"/*/lib/python3*/site-packages "$h"/.[!.]*/lib/python3*/site-packages \
           "$h"/.local/lib/python3*/site-packages "$h"/.pyenv/versions/*/lib/python3*/site-packages; do
    [ -d "$d" ] && printf '%s\n' "$d"
  done
}
lib_folders() {  # the folders to look in, in order, one a line (may repeat)
  local sp d
  printf '%s\n' "${LD_LIBRARY_PATH:-}" | tr ':' '\n'
  while read -r sp; do
    for d in "$sp"/nvidia/*/lib "$sp"/nvidia/*/lib64 "$sp"/torch/lib; do [ -d "$d" ] && printf '%s\n' "$d"; done
  done < <(site_packages)
  for d in /usr/local/cuda*/lib64 /usr/local/cuda*/targets/x86_64-linux/lib /usr/local/nvidia/lib64 /usr/lib/x86_64-linux-gnu; do
    [ -d "$d" ] && printf '%s\n' "$d"
  done
}
# libs.txt: library, then a path to it, one copy a line, in the order found.
: >"$work/libs.txt"
n_folders=0
while read -r d; do
  if [ -z "$d" ] || [ ! -d "$d" ]; then continue; fi
  n_folders=$((n_folders + 1))
  for l in "${libs[@]}"; do
    [ -e "$d/$l" ] && printf '%s\t%s\n' "$l" "$d/$l"
  done
done < <(lib_folders | awk '!seen[$0]++') >>"$work/libs.txt"
ldconfig_bin="$(command -v ldconfig || echo /sbin/ldconfig)"
"$ldconfig_bin" -p 2>/dev/null | sed -n 's/^[[:space:]]*\([^ ]*\) (\([^)]*\)) => \(.*\)$/\1\t\2\t\3/p' >"$work/ldconfig.txt"
for l in "${libs[@]}"; do   # 64-bit entries only: a driver install also has an i386 libcuda.so.1
  awk -F'\t' -v l="$l" '$1 == l && $2 ~ /x86-64/ { print l "\t" $3 }' "$work/ldconfig.txt"
done >>"$work/libs.txt"
usable() {  # LIB: the copies of LIB in libs.txt that exist and are no stub, first found first, once each
  local f real
  declare -A seen=()
  while IFS=$'\t' read -r _ f; do
    [[ "$f" == */stubs/* ]] && continue
    # Our own fake CUDA (native/test/cuda_stub), built by any checkout's tests: never a real library.
    [[ "$f" == */cuda-stub/* || "$f" == */javacpp-stub-cache/* ]] && continue
    [ -e "$f" ] || continue
    real="$(readlink -f "$f")"
    [ -n "${seen[$real]:-}" ] && continue
    seen[$real]=1
    printf '%s\n' "$f"
  done < <(awk -F'\t' -v l="$1" '$1 == l' "$work/libs.txt")
}
missing=()
for l in "${libs[@]}"; do [ -n "$(usable "$l")" ] || missing+=("$l"); done
search_note="$n_folders folders and ldconfig"
if [ "${#missing[@]}" -gt 0 ]; then
  say "not in those $n_folders folders nor ldconfig's cache: ${missing[*]}; searching the disk (find -xdev, depth 12, 20 s at most)"
  find_args=()
  for l in "${missing[@]}"; do find_args+=(-o -name "$l"); done
  # / first; a start point is added only when it is a file system of its own (-xdev stops at it otherwise).
  starts=(/)
  for d in /usr /usr/local /opt /home "${HOME:-/root}"; do
    [ -d "$d" ] && [ "$(stat -c %d "$d")" != "$(stat -c %d /)" ] && starts+=("$d")
  done
  # Pruned: the kernel's file systems, JavaCPP's cache (links to what it loaded before), this checkout.
  timeout 20 find "${starts[@]}" -xdev -maxdepth 12 \
    \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -name .javacpp -o -name .git -o -name node_modules \
       -o -path "$root" -o -path "$OUT" -o -path "$work" \) -prune \
    -o \( -false "${find_args[@]}" \) \( -type f -o -type l \) -print 2>/dev/null >"$work/find.txt"
  find_rc=$?
  while read -r f; do printf '%s\t%s\n' "$(basename "$f")" "$f"; done <"$work/find.txt" >>"$work/libs.txt"
  search_note="$search_note, then find ($(wc -l <"$work/find.txt") hit(s)$([ "$find_rc" = 124 ] && echo ", stopped after 20 s"))"
fi
say "CUDA libraries (looked in $search_note):"
lib_dirs=()
missing=()
for l in "${libs[@]}"; do
  # The newest: the highest version in the name of the file a copy resolves to; the first found of equals.
  best=""
  best_real=""
  while read -r f; do
    [ -z "$f" ] && continue
    real="$(readlink -f "$f")"
    if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$(basename "$best_real")" "$(basename "$real")" | sort -V | tail -1)" != "$(basename "$best_real")" ]; then
      best=$f; best_real=$real
    fi
  done < <(usable "$l")
  if [ -z "$best" ]; then
    say "  $l: MISSING"
    missing+=("$l")
    continue
  fi
  while read -r f; do
    mark=""
    [ "$f" = "$best" ] && mark="   <- newest"
    say "  $l: $f -> $(readlink -f "$f")$mark"
  done < <(usable "$l")
  awk -F'\t' -v l="$l" '$1 == l && $2 ~ /\/stubs\// { print "  " l ": " $2 " (a stub: ignored)" }' "$work/libs.txt" | sort -u
  # libcuda.so.1 is the driver's: leave it to the loader's own path when ldconfig knows it.
  if [ "$l" = libcuda.so.1 ] && awk -F'\t' '$1 == "libcuda.so.1" && $2 ~ /x86-64/ && $3 !~ /\/stubs\// { found = 1 } END { exit !found }' "$work/ldconfig.txt"; then
    continue
  fi
  dir="$(dirname "$best")"
  [[ " ${lib_dirs[*]-} " == *" $dir "* ]] || lib_dirs+=("$dir")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "missing: ${missing[*]}"
  info_warn="${info_warn:+$info_warn; }missing ${missing[*]}"
else
  say "missing: none"
fi
if [ "${#lib_dirs[@]}" -gt 0 ]; then
  LD_LIBRARY_PATH="$(IFS=:; echo "${lib_dirs[*]}")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export LD_LIBRARY_PATH
fi
say "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
"$java" -version 2>&1
say "jre modules: $(sed -n 's/^MODULES="\(.*\)"/\1/p' "$root/.device/jre/release")"
if [ "$mode" = dry ]; then
  # The CPU backend needs oneDNN's native jar, which .device leaves out (it would not fit), and the
  # OpenCL presets' native jar oneDNN's JNI loads first; the build has both.
  onednn="$(ls "$root"/zoo/target/lib/dnnl-*-linux-x86_64.jar 2>/dev/null | head -1)"
  opencl="$(ls "$root"/zoo/target/lib/opencl-*-linux-x86_64.jar 2>/dev/null | head -1)"
  if [ -n "$onednn" ]; then
    cp="$cp:$onednn${opencl:+:$opencl}"
    say "NOTE dry run: adding oneDNN's native jar from the build for the CPU backend: $onednn${opencl:+ and $opencl} (not part of .device)"
  else
    say "NOTE dry run: no oneDNN native jar in zoo/target/lib (build first); CPU steps will fail"
  fi
fi
say "class path: $cp"
record info ok 0 $(( $(date +%s) - t0 )) "${info_warn:+$info_warn; }LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"

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

# CUDA_LAUNCH_BLOCKING=1 makes every kernel launch synchronous, so a sticky device fault (an illegal
# address, say) is reported by the op that caused it and not by the next one to synchronize; the
# CUDNN_LOG*_DBG variables make cuDNN log its own errors and warnings, with its reasons, to stderr.
with_cuda_debug() {
  CUDA_LAUNCH_BLOCKING=1 CUDNN_LOGERR_DBG=1 CUDNN_LOGWARN_DBG=1 CUDNN_LOGDEST_DBG=stderr "$@"
}
export -f with_cuda_debug

# --- smoke: every backend op once, each checked, before the minutes of tests and benchmarks ----------
# BackendInfo --smoke prints a line per op ("smoke conv-forward: OK 0.4 ms" or "smoke conv-forward: BAD
# CudnnException: ..."), then "smoke: N ok, M bad"; it exits 0 only when every op is OK (2: usage).
# The note keeps the count and every BAD line, joined by " | "; while it runs, the last op to finish
# (what a timeout's note then shows).
smoke() {
  echo "no op finished" >"$work/note.smoke"
  with_cuda_debug "$java" "$errfile_opt" -cp "$cp" org.convnet4j.backend.BackendInfo --smoke "$backend" 2>&1 \
    | last_smoke_op "$work/note.smoke" | tee "$work/smoke.out"
  local rc=$? counts bad errors
  counts="$(grep -o 'smoke: [0-9][0-9]* ok, [0-9][0-9]* bad' "$work/smoke.out" | tail -1)"
  [ -n "$counts" ] || counts="no 'smoke: N ok, M bad' line"
  [ "$rc" = 2 ] && counts="$counts (rc 2, a usage error: does the packed BackendInfo know --smoke?)"
  bad="$(grep -o 'smoke [^:]*: BAD.*' "$work/smoke.out" | tr -d '\r' | tr '\t' ' ' \
         | awk '{ printf "%s%s", (NR > 1 ? " | " : ""), $0 }')"
  errors=$(grep -c '^E! ' "$work/smoke.out")
  { printf '%s' "$counts${bad:+ | $bad}"
    [ "$errors" -gt 0 ] && printf ' | cuDNN logged %s error(s): see the log' "$errors"
    printf '\n'; } >"$work/note.smoke"
  return "$rc"
}
# last_smoke_op NOTE_FILE: passes its input on, and keeps the last op to finish in NOTE_FILE. A bash
# loop, not awk: mawk holds piped input back, and a killed step would take the last lines with it.
last_smoke_op() {
  local line op
  while IFS= read -r line || [ -n "$line" ]; do
    printf '%s\n' "$line"
    case "$line" in
      "smoke "*": OK"*|"smoke "*": BAD"*)
        op=${line//$'\t'/ }
        printf 'the last op to finish: %s\n' "${op//$'\r'/}" >"$1" ;;
    esac
  done
}
export -f smoke last_smoke_op
step smoke 60 smoke
# A failed smoke on the GPU: the benchmarks would only fail slower. The tests still run: they are the
# diagnosis, one failing case per broken op.
if [ "$mode" = gpu ]; then
  case "$last_status" in FAILED|TIMEOUT) smoke_gate="smoke failed: fix first, keep device time for a second call" ;; esac
fi

# --- tests: the backend suite on the chosen backend(s) -----------------------------------------------
tests() {
  mkdir -p "$work/junit"
  # --exclude-package: the CPU backend's own tests (org.convnet4j.backend.cpu) need oneDNN. The three
  # train classes: no cudaMalloc in steady steps, precise batch norm, and fp16 (loss scaling) and
  # bf16 training against fp32 on CUDA, on the backend(s) selected.
  # With launch blocking and cuDNN's log (with_cuda_debug); stderr joins stdout so that cuDNN's lines
  # fall between the tests that caused them.
  with_cuda_debug "$java" "$errfile_opt" -Dconvnet4j.test.backends="$test_backends" -cp "$cp" \
    org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii \
    --select-package=org.convnet4j.backend --exclude-package=org.convnet4j.backend.cpu \
    --select-class=org.convnet4j.train.SteadyStateTest --select-class=org.convnet4j.train.PreciseBatchNormTest \
    --select-class=org.convnet4j.train.CudaMixedPrecisionTrainingTest \
    --fail-if-no-tests --reports-dir="$work/junit" 2>&1 | cap_cudnn_log "$work/cudnn-tests.log" | tee "$work/tests.out"
  local rc=$?
  # The launcher's closing counts ("[ 12 tests successful ]") and the backends skipped, for steps.tsv.
  { sed -n 's/^\[ *\([0-9]*\) tests \(successful\|failed\|aborted\|skipped\) *\]$/\1 \2/p' "$work/tests.out" | sed 's/$/,/'
    grep -o '^SKIPPED \[[a-z]*\] .*' "$work/tests.out" | sort -u | sed 's/$/;/'
    [ -s "$work/cudnn-tests.log.count" ] && echo "cuDNN log: $(cat "$work/cudnn-tests.log.count");"
  } | paste -sd' ' - | sed 's/[,;]$//' >"$work/note.tests"
  # On a GPU machine a skipped CUDA backend is the failure this run is looking for.
  if [ "$mode" = gpu ] && [ "$rc" = 0 ] && grep -q '^SKIPPED \[cuda\]' "$work/tests.out"; then
    echo "the CUDA cases were skipped on a GPU machine" >&2
    rc=1
  fi
  return $rc
}
# cap_cudnn_log FILE: passes its input on, but of cuDNN's log lines ("E! CuDNN ...", "w!   ...") only
# the first 300 of its errors (E!, e!) and the first 300 of the rest: a long suite can log thousands of
# warnings, and the log must come back whole. Every cuDNN line goes to FILE (reports.tar.gz), the
# counts of errors and warnings to FILE.count. A bash loop, for the reason above.
cap_cudnn_log() {
  local line ne=0 nw=0 hidden=0 e=0 w=0 max=300
  {
    while IFS= read -r line || [ -n "$line" ]; do
      case "$line" in
        [Ee]'! '*)
          ne=$((ne + 1))
          case "$line" in 'E! '*) e=$((e + 1)) ;; esac
          printf '%s\n' "$line" >&3
          if [ "$ne" -gt "$max" ]; then hidden=$((hidden + 1)); continue; fi ;;
        [WIwi]'! '*)
          nw=$((nw + 1))
          case "$line" in 'W! '*) w=$((w + 1)) ;; esac
          printf '%s\n' "$line" >&3
          if [ "$nw" -gt "$max" ]; then hidden=$((hidden + 1)); continue; fi ;;
      esac
      printf '%s\n' "$line"
    done
  } 3>"$1"
  if [ "$hidden" -gt 0 ]; then
    printf '[gpu-check: %d more cuDNN log lines not shown; all of them are in reports.tar.gz, %s]\n' "$hidden" "$(basename "$1")"
  fi
  if [ $((ne + nw)) -gt 0 ]; then printf '%d error(s), %d warning(s)\n' "$e" "$w" >"$1.count"; else rm -f "$1"; fi
}
export -f tests cap_cudnn_log
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
    long_step bench-train 240 bench_train
  else
    record bench-train absent 0 0 "no TrainStep in the packed bench jar"
  fi
  if has_benchmark InferLatency; then
    long_step bench-latency 90 bench_latency
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
  long_step bench-pytorch 240 bench_pytorch
fi

# --- summary: statuses, then the comparison table last ----------------------------------------------
banner "files"
(
  cd "$work" || exit 0
  shopt -s nullglob
  parts=(junit hs_err_pid*.log jmh-smoke.json cudnn-tests.log)
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
