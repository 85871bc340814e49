#!/usr/bin/env bash
# Installs missing dependencies, configures (once) and builds snnc.
# Usage: scripts/build.sh [ninja targets...]   (default: everything)
# The build folder is $SNNC_BUILD_DIR, or build/ beside this script's parent.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SNNC_BUILD_DIR:-$root/build}

bash "$root/scripts/install-deps.sh"

if [[ ! -f "$build/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
fi

start=$(date +%s)
ninja -C "$build" "$@"
echo "build: done in $(( $(date +%s) - start )) s ($build)"
