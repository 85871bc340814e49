#!/usr/bin/env bash
# The main job: installs what is missing, builds snnc, then verifies and
# prints every example network with snn-opt.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SNNC_BUILD_DIR:-$root/build}

bash "$root/scripts/build.sh"

for example in "$root"/examples/*.mlir; do
  echo "== snn-opt ${example#$root/}"
  # The parameters sit in resource blobs; print the network without them.
  "$build/bin/snn-opt" "$example" | sed '/^{-#/,$d'
done
