#!/usr/bin/env bash
# Fills .device/ (ignored by git) with what convnet4j needs on a bare GPU machine that has a driver and
# CUDA libraries but no Java, no Maven and no network (docs/GPU.md):
#   .device/jre           a jlink'ed Java runtime (JRE_MODULES below)
#   .device/lib           our jars (core, core tests, zoo, bench with its JMH BenchmarkList) and the
#                         third-party jars of scripts/device-deps.xml: JavaCPP, the CUDA JNI wrappers
#                         (not the -redist jars), oneDNN's Java classes, JMH, the JUnit console launcher
#   .device/MANIFEST.txt  what was packed, from which commit, and the sizes
# oneDNN's native jar (28 MB) is left out: with it the folder would not fit the 64 MiB a device run
# carries, and the CUDA run needs no CPU backend. scripts/gpu-check.sh --dry-run takes it from the build.
#
# Usage: scripts/pack-device.sh [--no-build] [--online] [--strip-jvm]
#   --no-build   use the jars already built (fails when one is missing)
#   --online     let Maven reach Central (default: offline first, online only if that fails)
#   --strip-jvm  strip libjvm.so's symbol table: 4 MiB less, but a JVM crash log then names no
#                HotSpot functions; for when the working tree grows and the total nears 64 MiB
# Exit status: 0 packed and within size, 1 any failure (including .device over LIMIT_MIB).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dev="$root/.device"

# The modules our code, JavaCPP, JMH and the JUnit console launcher use, found by jdeps and by running
# scripts/gpu-check.sh --dry-run on the result: java.logging (JUnit, JMH), java.management (JMH reads
# the JVM's arguments to fork), java.xml (JUnit's XML reports), jdk.unsupported (sun.misc.Unsafe for
# JavaCPP and JMH), jdk.zipfs (JUnit finds test classes inside a jar through the zip file system; jdeps
# cannot see that, it is a service). Not java.desktop: only the PNG reports and JPEG decoding need it,
# and the GPU run writes neither.
JRE_MODULES="java.base,java.logging,java.management,java.xml,jdk.unsupported,jdk.zipfs"
LIMIT_MIB=60          # .device alone
TRAVEL_LIMIT_MIB=64   # .device plus the working tree that travels with it

build=1
offline=1
strip_jvm=0
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    --online) offline=0 ;;
    --strip-jvm) strip_jvm=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "pack-device: unknown option $a" >&2; exit 1 ;;
  esac
done

mvn_run() {  # mvn, offline first unless --online; online when the local repository lacks something
  if [ "$offline" = 1 ] && mvn -B -q -o "$@"; then return 0; fi
  [ "$offline" = 1 ] && echo "pack-device: offline Maven failed; trying online" >&2
  mvn -B -q "$@"
}

version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)"
core="java/target/convnet4j-core-$version.jar"
tests="java/target/convnet4j-core-$version-tests.jar"
zoo="zoo/target/convnet4j-zoo-$version.jar"
bench="bench/target/convnet4j-bench-$version.jar"   # the thin jar: our classes and META-INF/BenchmarkList
ours=("$core" "$tests" "$zoo" "$bench")

stale=0
for j in "${ours[@]}"; do
  if [ ! -f "$j" ]; then stale=1; fi
done
if [ "$stale" = 0 ] && [ -n "$(find java/src zoo/src bench/src native pom.xml java/pom.xml zoo/pom.xml bench/pom.xml \
      -newer "$bench" -type f -print -quit 2>/dev/null)" ]; then
  stale=1
fi
if [ "$stale" = 1 ]; then
  if [ "$build" = 0 ]; then
    echo "pack-device: --no-build, but a jar is missing or older than the sources: ${ours[*]}" >&2
    exit 1
  fi
  echo "pack-device: building (mvn package -DskipTests)..."
  mvn_run -DskipTests package
fi
for j in "${ours[@]}"; do
  [ -f "$j" ] || { echo "pack-device: $j is missing after the build" >&2; exit 1; }
done
unzip -l "$bench" META-INF/BenchmarkList >/dev/null 2>&1 || { echo "pack-device: $bench has no META-INF/BenchmarkList" >&2; exit 1; }

# The runtime: rebuilt only when missing or made with other modules (requested-modules records the
# list it was made with; jlink's `release` file lists their dependencies too).
mkdir -p "$dev"
jre_recipe="$JRE_MODULES strip-jvm=$strip_jvm"
if [ ! -x "$dev/jre/bin/java" ] || [ "$(cat "$dev/jre/requested-modules" 2>/dev/null)" != "$jre_recipe" ]; then
  rm -rf "$dev/jre"
  echo "pack-device: jlink $JRE_MODULES"
  jlink --add-modules "$JRE_MODULES" --strip-debug --strip-native-debug-symbols=exclude-debuginfo-files \
        --no-header-files --no-man-pages --compress=2 --output "$dev/jre"
  if [ "$strip_jvm" = 1 ]; then
    strip --strip-unneeded "$dev/jre/lib/server/libjvm.so"
  fi
  echo "$jre_recipe" >"$dev/jre/requested-modules"
fi

# The jars, rebuilt from scratch every time so that nothing stale travels.
rm -rf "$dev/lib"
mkdir -p "$dev/lib"
cp "${ours[@]}" "$dev/lib/"
mvn_run -f scripts/device-deps.xml dependency:copy-dependencies -DoutputDirectory="$dev/lib" -DincludeScope=runtime
if ls "$dev/lib" | grep -q -- '-redist'; then
  echo "pack-device: a -redist jar slipped into .device/lib" >&2; exit 1
fi

# A runtime that cannot start is worth finding here, not on the GPU machine.
"$dev/jre/bin/java" -version >/dev/null 2>&1 || { echo "pack-device: .device/jre/bin/java does not start" >&2; exit 1; }

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit+dirty"; fi
{
  echo "convnet4j .device, packed $(date -u +%Y-%m-%dT%H:%M:%SZ) from $commit by scripts/pack-device.sh"
  echo "jre: $("$dev/jre/bin/java" -version 2>&1 | head -1); modules $JRE_MODULES"
  echo "jre release MODULES: $(sed -n 's/^MODULES="\(.*\)"/\1/p' "$dev/jre/release")"
  echo "lib:"
  (cd "$dev/lib" && for f in *.jar; do printf '  %9d  %s\n' "$(stat -c %s "$f")" "$f"; done)
} >"$dev/MANIFEST.txt"

kib() { du -sk "$1" | cut -f1; }
dev_kib="$(kib "$dev")"
# What a device run sends besides carried paths: tracked files and untracked files git does not ignore.
tree_bytes="$(git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat -c %s -- 2>/dev/null | awk '{s+=$1} END {print s+0}')"
tree_kib=$(( tree_bytes / 1024 ))
echo "pack-device: .device/MANIFEST.txt"
sed 's/^/  /' "$dev/MANIFEST.txt"
echo "pack-device: sizes"
du -sh "$dev/jre" "$dev/lib" | sed 's/^/  /'
(cd "$dev/lib" && du -k -- *.jar | sort -rn | awk '{printf "    %6.1f MiB  %s\n", $1/1024, $2}')
du -sh "$dev"
awk -v d="$dev_kib" -v t="$tree_kib" -v l="$LIMIT_MIB" -v tl="$TRAVEL_LIMIT_MIB" 'BEGIN {
  printf "pack-device: .device %.1f MiB (limit %d), working tree %.1f MiB, together %.1f MiB (a device run carries at most %d)\n",
         d/1024, l, t/1024, (d+t)/1024, tl }'
if [ "$dev_kib" -gt $(( LIMIT_MIB * 1024 )) ]; then
  echo "pack-device: FAILED: .device is over $LIMIT_MIB MiB" >&2; exit 1
fi
if [ $(( dev_kib + tree_kib )) -gt $(( TRAVEL_LIMIT_MIB * 1024 )) ]; then
  echo "pack-device: FAILED: .device plus the working tree is over $TRAVEL_LIMIT_MIB MiB" >&2; exit 1
fi
echo "pack-device: ok"
