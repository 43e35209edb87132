#!/usr/bin/env bash
# Sets up the PyTorch side of the benchmarks on a Debian 12 development machine (CPU): Debian's
# python3-torch (1.13, run with /usr/bin/python3) and OpenBLAS as the system BLAS that it calls for
# its dense layers. Idempotent: installs only what is missing, selects OpenBLAS, says what it did.
# Needs root (apt-get, update-alternatives). The GPU machine needs none of this: it has PyTorch.
set -euo pipefail

arch="$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)"
packages=(python3-torch libopenblas0-pthread)

missing=()
for p in "${packages[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    echo "setup: $p $(dpkg-query -W -f='${Version}' "$p") already installed"
  else
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt-get install -y "${missing[@]}" || { apt-get update && apt-get install -y "${missing[@]}"; }
fi

# Debian's torch calls whatever libblas.so.3 the alternatives system points at; the default may be
# the reference BLAS (libblas3), many times slower. Point it, and LAPACK, at OpenBLAS (pthreads).
for lib in libblas.so.3 liblapack.so.3; do
  name="$lib-$arch"
  target="/usr/lib/$arch/openblas-pthread/$lib"
  if [ ! -e "$target" ]; then
    echo "setup: $target is missing; is libopenblas0-pthread installed?" >&2
    exit 1
  fi
  current="$(update-alternatives --query "$name" | sed -n 's/^Value: //p')"
  if [ "$current" = "$target" ]; then
    echo "setup: $name already points at $target"
  else
    update-alternatives --set "$name" "$target"
    echo "setup: $name now points at $target (was ${current:-unset})"
  fi
done

# Show what a run will see: torch's version, and the BLAS mapped into the process after a matmul.
/usr/bin/python3 - <<'EOF'
import torch
torch.ones(64, 64) @ torch.ones(64, 64)
libs = sorted({l.split()[5] for l in open("/proc/self/maps") if len(l.split()) > 5 and "blas" in l.split()[5]})
print(f"setup: torch {torch.__version__} at /usr/bin/python3; BLAS in the process: {', '.join(libs) or 'none found'}")
EOF
