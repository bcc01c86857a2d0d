#!/usr/bin/env bash
# Runs every natscope test: installs what is missing (tools/setup.sh), then
# `bazel test //...`. Ends with Bazel's test summary and one plain line
# "N passed, N failed" counting test targets, so a run that executed no
# test is visible. Extra arguments go to `bazel test` (e.g. a target).
set -uo pipefail
cd "$(dirname "$0")/.."

tools/setup.sh || exit 1

targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(//...)

log=$(mktemp /tmp/natscope-test.XXXXXX)
trap 'rm -f "$log"' EXIT

echo "test: bazel test ${targets[*]}"
bazel test --test_summary=short "${targets[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

# Bazel's summary lines look like "//pkg:target   (cached) PASSED in 0.4s".
passed=$(grep -cE '^//[^ ]+ +(\(cached\) +)?PASSED' "$log")
failed=$(grep -cE '^//[^ ]+ +(\(cached\) +)?(FAILED|TIMEOUT|NO STATUS|FLAKY|INCOMPLETE|FAILED TO BUILD)' "$log")
echo
echo "${passed} passed, ${failed} failed"
if [[ $rc -eq 0 && $passed -eq 0 ]]; then
  echo "test: no test ran" >&2
  exit 1
fi
exit "$rc"
