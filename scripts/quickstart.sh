#!/usr/bin/env bash
# The main job: installs what is missing, builds snnc, verifies every example
# network with snn-opt, then trains the Yin-Yang example with exact
# event-driven gradients and prints its test accuracy. The trained model and
# a report (JSON and SVG plots) land in out/. Once built, the training takes
# a few minutes on two cores; docs/results.md lists longer runs.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SNNC_BUILD_DIR:-$root/build}

bash "$root/scripts/build.sh"

for example in "$root"/examples/*.mlir; do
  echo "== snn-opt ${example#$root/}"
  # The parameters sit in resource blobs; print the network without them.
  "$build/bin/snn-opt" "$example" | sed '/^{-#/,$d'
done

out="$root/out"
mkdir -p "$out"
echo "== snnc train examples/yinyang.mlir (weights, delays and thresholds)"
start=$(date +%s)
"$build/bin/snnc" train "$root/examples/yinyang.mlir" --data yinyang \
  --learn weights,delays,thresholds --epochs 60 --lr 2e-3 \
  --threads "${SNNC_THREADS:-2}" \
  -o "$out/yinyang-trained.mlir" --report "$out/yinyang-report"
echo "training: done in $(( $(date +%s) - start )) s; model" \
     "out/yinyang-trained.mlir, report out/yinyang-report/"
