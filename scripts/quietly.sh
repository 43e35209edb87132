#!/usr/bin/env bash
# quietly.sh LOG COMMAND...: runs COMMAND with its output in LOG; prints nothing when it succeeds
# (except the lines that say a part of the build was skipped), and the whole log when it fails.
# java/pom.xml runs the CMake configure and build through it, so `mvn -q install` stays quiet.
# CONVNET4J_VERBOSE_BUILD=1 shows everything as it happens.
set -uo pipefail
log=$1
shift
if [ "${CONVNET4J_VERBOSE_BUILD:-0}" = 1 ]; then
  "$@" 2>&1 | tee "$log"
  exit "${PIPESTATUS[0]}"
fi
mkdir -p "$(dirname "$log")"
"$@" >"$log" 2>&1
status=$?
if [ "$status" -eq 0 ]; then
  grep -E 'convnet4j: .*skipped' "$log" || true
  exit 0
fi
echo "convnet4j: '$*' failed (exit $status); its output ($log):" >&2
cat "$log" >&2
exit "$status"
