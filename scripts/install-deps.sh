#!/usr/bin/env bash
# Installs what snnc needs to build and test on Debian 12, and nothing more.
# Idempotent: when every package is present it returns without touching apt.
set -euo pipefail

# LLVM/MLIR is pinned to 19: the dialects are written against its API.
packages=(
  cmake ninja-build g++ python3
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  libgtest-dev libgmock-dev libbenchmark-dev
  libhdf5-dev hdf5-tools
  zlib1g-dev libzstd-dev libedit-dev libcurl4-openssl-dev libxml2-dev
  # Data sets (docs/datasets.md): Fashion-MNIST's IDX files, and the 8x8
  # digits CSV that ships inside scikit-learn.
  dataset-fashion-mnist python3-sklearn
)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
  "${missing[@]}"
