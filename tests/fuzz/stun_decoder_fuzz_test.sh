#!/bin/bash
# Builds tests/fuzz/stun_decoder_fuzzer.cc with the STUN codec sources under
# libFuzzer + ASan + UBSan and runs it for a fixed number of iterations.
#
# Fails when the compiler is missing, the build fails, libFuzzer exits
# non-zero, or its output carries a sanitizer report. Environment knobs:
#   STUN_FUZZ_RUNS (default 1000000; the acceptance floor is 200000) and STUN_FUZZ_SEED (default 1).
set -euo pipefail

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

readonly RUNS="${STUN_FUZZ_RUNS:-1000000}"
readonly SEED="${STUN_FUZZ_SEED:-1}"
readonly CXX="${STUN_FUZZ_CXX:-clang++-14}"
readonly ROOT="${TEST_SRCDIR:?run me with bazel test}/${TEST_WORKSPACE:-natscope}"
readonly WORK="${TEST_TMPDIR:?run me with bazel test}/stun_fuzz"
readonly ARTIFACTS="${TEST_UNDECLARED_OUTPUTS_DIR:-${WORK}}"

command -v "${CXX}" >/dev/null ||
  fail "${CXX} not found; install clang-14 and libclang-rt-14-dev"
command -v pkg-config >/dev/null || fail "pkg-config not found"

mkdir -p "${WORK}/objects" "${WORK}/corpus"
cd "${ROOT}"

sources=(tests/fuzz/stun_decoder_fuzzer.cc common/net/*.cc common/stun/*.cc)
libs="$(pkg-config --libs absl_status absl_statusor absl_strings \
  absl_str_format absl_random_random libcrypto)" ||
  fail "pkg-config cannot find the Abseil/OpenSSL development packages"
# shellcheck disable=SC2054  # The commas belong to -fsanitize.
cxxflags=(-std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined
  -fno-sanitize-recover=all -I"${ROOT}")

echo "Compiling ${#sources[@]} sources with ${CXX}..."
start=${SECONDS}
# Two at a time: test machines have two cores.
pids=()
objects=()
for src in "${sources[@]}"; do
  obj="${WORK}/objects/$(echo "${src}" | tr '/' '_').o"
  objects+=("${obj}")
  "${CXX}" "${cxxflags[@]}" -c "${src}" -o "${obj}" &
  pids+=($!)
  if (( ${#pids[@]} >= 2 )); then
    wait "${pids[0]}" || fail "compiling failed (see the errors above)"
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do
  wait "${pid}" || fail "compiling failed (see the errors above)"
done
# shellcheck disable=SC2086  # $libs is a list of flags.
"${CXX}" "${cxxflags[@]}" "${objects[@]}" ${libs} -o "${WORK}/fuzzer" ||
  fail "linking the fuzzer failed"
echo "Built in $((SECONDS - start)) s."

log="${WORK}/fuzz.log"
start=${SECONDS}
status=0
# New inputs go to the writable first directory; the checked-in seeds stay
# untouched.
"${WORK}/fuzzer" -runs="${RUNS}" -seed="${SEED}" -max_len=2048 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="${ARTIFACTS}/" \
  "${WORK}/corpus" "${ROOT}/tests/fuzz/corpus/stun" >"${log}" 2>&1 ||
  status=$?
elapsed=$((SECONDS - start))
# Keep the log short: per-input progress lines are noise here.
grep -v -E '^(#[0-9]+\s+(NEW|REDUCE|pulse)|\s+NEW_FUNC)' "${log}" || true

if (( status != 0 )); then
  fail "fuzzer exited with status ${status}; the crashing input is among the" \
    "test's undeclared outputs (bazel-testlogs/tests/fuzz/" \
    "stun_decoder_fuzz_test/test.outputs); replay it with the fuzzer binary"
fi
if grep -q -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant broken' "${log}"; then
  fail "fuzzer output contains a sanitizer or invariant report"
fi
done_line="$(grep -E '^Done [0-9]+ runs' "${log}")" ||
  fail "libFuzzer did not print its 'Done N runs' line"
echo "stun_decoder_fuzz_test: ${done_line} (${elapsed} s wall, seed ${SEED})"
