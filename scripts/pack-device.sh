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

# The CUDA kernels: the backend loads convnet4j_kernels.fatbin from the core jar, and an H100/H200 needs
# sm_90 code in it (compute_90 PTX alone would be JIT-compiled by the driver, if its PTX version is
# not newer than the driver's). A jar built where nvcc was missing, or for other GPUs, fails here and
# not on the device. cuobjdump --list-elf decides when there is one (on PATH, beside nvcc, in a CUDA
# toolkit); otherwise, or when it cannot read the file, fatbin_elf_archs parses the fatbin itself.
FATBIN_ENTRY_SUFFIX="/convnet4j_kernels.fatbin"
NEED_SM=90

# fatbin_elf_archs FATBIN: one line per cubin in the fatbin, "sm_NN" (from the entry header, checked
# against the ELF's own e_flags where the ELF is stored uncompressed), then exit 0; exit 1 with a
# message when FATBIN is no fatbin or is damaged. Layout (as nvcc writes it, CUDA 13 too): a container
# header (magic 0xBA55ED50, u16 version, u16 header size, u64 size of the entries), then entries of
# u16 kind (1 PTX, 2 ELF), u16 version, u32 header size, u64 payload size, ..., u32 arch at offset 28
# (e.g. 90), the payload after the header; several containers may follow one another.
fatbin_elf_archs() {
  python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
MAGIC, EM_CUDA, ELFOSABI_CUDA = 0xBA55ED50, 190, 0x41
off, containers = 0, 0
while off + 16 <= len(data):
    magic, _version, hsize, fsize = struct.unpack_from("<IHHQ", data, off)
    if magic != MAGIC:
        if containers and not data[off:].strip(b"\0"):
            break  # padding after the last container
        sys.exit("not a fatbin: no container header at byte %d" % off if not containers else
                 "fatbin: garbage after container %d at byte %d" % (containers, off))
    end = off + hsize + fsize
    if hsize < 16 or end > len(data):
        sys.exit("fatbin: container at byte %d runs past the end of the file" % off)
    containers += 1
    e = off + hsize
    while e + 32 <= end:
        kind, _v, ehsize, psize = struct.unpack_from("<HHIQ", data, e)
        (arch,) = struct.unpack_from("<I", data, e + 28)
        if ehsize < 32 or e + ehsize + psize > end:
            sys.exit("fatbin: entry at byte %d runs past its container" % e)
        if kind == 2:
            payload = data[e + ehsize:e + ehsize + 64]
            if payload[:4] == b"\x7fELF" and len(payload) >= 52:
                e_machine, = struct.unpack_from("<H", payload, 18)
                e_flags, = struct.unpack_from("<I", payload, 48)
                # CUDA ELF ABI version 8 and later (CUDA 13) keep the SM in bits 8-15, older ones in bits 0-7.
                elf_sm = (e_flags >> 8) & 0xFF if payload[8] >= 8 else e_flags & 0xFF
                if payload[7] != ELFOSABI_CUDA or e_machine != EM_CUDA:
                    sys.exit("fatbin: entry at byte %d holds an ELF that is no CUDA cubin" % e)
                if elf_sm != arch:
                    sys.exit("fatbin: entry at byte %d says sm_%d, its ELF says sm_%d" % (e, arch, elf_sm))
            print("sm_%d" % arch)
        e += ehsize + psize
    off = (end + 7) & ~7
if not containers:
    sys.exit("not a fatbin: %d bytes, no container header" % len(data))
EOF
}

# find_cuobjdump: cuobjdump on PATH, beside nvcc, or in a CUDA toolkit's bin; prints nothing when none.
find_cuobjdump() {
  local d nvcc
  if command -v cuobjdump 2>/dev/null; then return 0; fi
  nvcc="$(command -v nvcc 2>/dev/null || true)"
  for d in ${nvcc:+"$(dirname "$nvcc")" "$(dirname "$(readlink -f "$nvcc")")"} ${CUDA_HOME:+"$CUDA_HOME/bin"} \
           ${CUDA_PATH:+"$CUDA_PATH/bin"} /usr/local/cuda/bin /usr/local/cuda-*/bin; do
    if [ -x "$d/cuobjdump" ]; then echo "$d/cuobjdump"; return 0; fi
  done
  return 0
}

# check_fatbin JAR: fails unless JAR holds a convnet4j_kernels.fatbin with sm_$NEED_SM code.
check_fatbin() {
  local jar=$1 listing entries entry tmp cuobjdump archs rc
  listing="$(unzip -Z1 "$jar" 2>/dev/null)" || { echo "pack-device: FAILED: cannot list $jar" >&2; return 1; }
  entries="$(grep -- "$FATBIN_ENTRY_SUFFIX\$" <<<"$listing" || true)"
  if [ -z "$entries" ]; then
    echo "pack-device: FAILED: $jar holds no ${FATBIN_ENTRY_SUFFIX#/}: the CUDA backend would have no kernels." >&2
    echo "  Build it where nvcc (CUDA 11.8 or newer) is found (native/CMakeLists.txt, CONVNET4J_CUDA), e.g. rm -rf java/target && mvn -o -DskipTests package" >&2
    return 1
  fi
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/pack-device-fatbin.XXXXXX")"
  cuobjdump="$(find_cuobjdump)"
  rc=0
  while read -r entry; do
    unzip -p "$jar" "$entry" >"$tmp/k.fatbin" || { echo "pack-device: FAILED: cannot extract $entry from $jar" >&2; rc=1; continue; }
    archs=""
    if [ -n "$cuobjdump" ]; then
      # Lines like "ELF file    2: convnet4j_kernels.2.sm_90.cubin".
      if archs="$("$cuobjdump" --list-elf "$tmp/k.fatbin" 2>&1)"; then
        archs="$(grep -o 'sm_[0-9]*[a-z]*' <<<"$archs" | sort -u | paste -sd' ' - || true)"
        echo "pack-device: $entry: cubins for ${archs:-no SM} (cuobjdump --list-elf)"
      else
        echo "pack-device: $cuobjdump could not read $entry (${archs%%$'\n'*}); reading the fatbin itself"
        archs=""
        cuobjdump=""
      fi
    fi
    if [ -z "$cuobjdump" ]; then
      if ! command -v python3 >/dev/null 2>&1; then
        echo "pack-device: FAILED: neither cuobjdump nor python3 here to check $entry for sm_$NEED_SM" >&2; rc=1; continue
      fi
      if ! archs="$(fatbin_elf_archs "$tmp/k.fatbin" 2>&1)"; then
        echo "pack-device: FAILED: $entry in $jar: ${archs##*$'\n'}" >&2; rc=1; continue
      fi
      archs="$(sort -u <<<"$archs" | paste -sd' ' -)"
      echo "pack-device: $entry: cubins for ${archs:-no SM} (read from the fatbin's headers)"
    fi
    # sm_90a code runs on the same chips; compute_90 PTX alone does not count.
    if ! grep -qE "(^| )sm_${NEED_SM}a?( |\$)" <<<"$archs"; then
      echo "pack-device: FAILED: $entry in $jar has no sm_$NEED_SM code (cubins: ${archs:-none}); the H100/H200 run needs it." >&2
      echo "  Check the -gencode list in native/CMakeLists.txt (arch=compute_90,code=sm_90) and rebuild." >&2
      rc=1
    fi
  done <<<"$entries"
  rm -rf "$tmp"
  return "$rc"
}
check_fatbin "$core"

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
