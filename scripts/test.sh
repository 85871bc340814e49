#!/usr/bin/env bash
# Builds snnc and runs every test suite: the lit regression tests and each
# GoogleTest case (through ctest). Ends with one line, "N passed, N failed".
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SNNC_BUILD_DIR:-$root/build}

bash "$root/scripts/build.sh" || { echo "0 passed, 1 failed"; exit 1; }

# lit: one line per test file, then its own summary.
lit=/usr/lib/llvm-19/build/utils/lit/lit.py
lit_log=$(mktemp)
python3 "$lit" -v "$build/test" 2>&1 | tee "$lit_log"
lit_passed=$(grep -cE '^(PASS|XFAIL|UNSUPPORTED): ' "$lit_log" || true)
lit_failed=$(grep -cE '^(FAIL|XPASS|UNRESOLVED|TIMEOUT): ' "$lit_log" || true)
rm -f "$lit_log"

# GoogleTest cases, each a ctest test; lit ran above.
ctest_log=$(mktemp)
ctest --test-dir "$build" -LE lit --output-on-failure -j2 2>&1 |
  tee "$ctest_log"
unit_total=$(sed -nE 's/.* tests? failed out of ([0-9]+).*/\1/p' "$ctest_log")
unit_failed=$(sed -nE 's/.* ([0-9]+) tests? failed out of.*/\1/p' "$ctest_log")
if [[ -z "$unit_total" ]]; then
  # No summary line: ctest itself failed, or found no test at all.
  unit_total=1
  unit_failed=1
fi
rm -f "$ctest_log"

passed=$((lit_passed + unit_total - unit_failed))
failed=$((lit_failed + unit_failed))
echo "lit: $lit_passed passed, $lit_failed failed;" \
     "unit: $((unit_total - unit_failed)) passed, $unit_failed failed"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
