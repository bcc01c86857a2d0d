#!/bin/bash
# Builds one libFuzzer target with the sources it needs under libFuzzer +
# ASan + UBSan (clang, outside Bazel's gcc toolchain) and runs it for a
# fixed number of iterations.
#
#   libfuzzer_test.sh --name=NAME --runs=N --corpus=DIR [--corpus=DIR ...] \
#       [--max_len=N] [--pkg=PKG_CONFIG_MODULE ...] -- FUZZER.cc SOURCE...
#
# SOURCEs are workspace-relative paths (Bazel's $(rootpaths ...)); headers
# among them are ignored, .cc files are compiled. Each DIR holds checked-in
# inputs (read only): hand-written seeds, and a corpus grown and minimized
# from long runs (tests/fuzz/corpus/README.md), so that a run starts where
# earlier fuzzing got to. N counts every execution: the checked-in inputs
# first, then N minus their number new, mutated inputs. Fails when the
# compiler is missing, the build fails, libFuzzer exits non-zero, or its
# output carries a sanitizer or invariant report. Environment knobs:
# FUZZ_RUNS overrides --runs (STUN_FUZZ_RUNS is accepted too), FUZZ_SEED
# (default 1), FUZZ_CXX (default clang++-14), FUZZ_MERGE_INTO=DIR (absolute;
# after a clean run, the run's new inputs that add coverage are merged into
# DIR: how the checked-in corpora are grown, tests/fuzz/corpus/README.md).
set -euo pipefail

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

name="" runs="" max_len=2048
corpus_dirs=()
pkgs=(absl_status absl_statusor absl_strings absl_str_format absl_random_random
  absl_hash absl_raw_hash_set absl_time libcrypto)
while (($#)); do
  case "$1" in
    --name=*) name=${1#*=} ;;
    --runs=*) runs=${1#*=} ;;
    --corpus=*) corpus_dirs+=("${1#*=}") ;;
    --max_len=*) max_len=${1#*=} ;;
    --pkg=*) pkgs+=("${1#*=}") ;;
    --) shift; break ;;
    *) fail "unknown argument $1; see the usage at the top of $0" ;;
  esac
  shift
done
[[ -n "${name}" && -n "${runs}" && $# -ge 1 ]] ||
  fail "usage: $0 --name=NAME --runs=N --corpus=DIR [--corpus=DIR ...] -- FUZZER.cc SOURCE..."

readonly RUNS="${FUZZ_RUNS:-${STUN_FUZZ_RUNS:-${runs}}}"
readonly SEED="${FUZZ_SEED:-${STUN_FUZZ_SEED:-1}}"
readonly CXX="${FUZZ_CXX:-${STUN_FUZZ_CXX:-clang++-14}}"
readonly ROOT="${TEST_SRCDIR:?run me with bazel test}/${TEST_WORKSPACE:-natscope}"
readonly WORK="${TEST_TMPDIR:?run me with bazel test}/${name}_fuzz"
readonly ARTIFACTS="${TEST_UNDECLARED_OUTPUTS_DIR:-${WORK}}"

command -v "${CXX}" >/dev/null ||
  fail "${CXX} not found; install clang-14 and libclang-rt-14-dev (tools/setup.sh)"
command -v pkg-config >/dev/null || fail "pkg-config not found; run tools/setup.sh"

mkdir -p "${WORK}/objects" "${WORK}/corpus"
cd "${ROOT}"

sources=()
for src in "$@"; do
  [[ "${src}" == *.cc ]] && sources+=("${src}")
done
libs="$(pkg-config --libs "${pkgs[@]}")" ||
  fail "pkg-config cannot find ${pkgs[*]}; run tools/setup.sh"
# shellcheck disable=SC2054  # The commas belong to -fsanitize.
cxxflags=(-std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined
  -fno-sanitize-recover=all -I"${ROOT}")

echo "Compiling ${#sources[@]} sources with ${CXX}..."
start=${SECONDS}
# Two at a time: test machines have two cores. Only the fuzzer itself gets
# -fsanitize=fuzzer's main(); the rest are instrumented the same way.
pids=()
objects=()
for src in "${sources[@]}"; do
  obj="${WORK}/objects/$(echo "${src}" | tr '/' '_').o"
  objects+=("${obj}")
  "${CXX}" "${cxxflags[@]}" -c "${src}" -o "${obj}" &
  pids+=($!)
  if ((${#pids[@]} >= 2)); then
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
corpora=("${WORK}/corpus")
for dir in "${corpus_dirs[@]}"; do
  [[ -d "${ROOT}/${dir}" ]] || fail "corpus directory ${dir} not found"
  corpora+=("${ROOT}/${dir}")
done
# New inputs go to the writable first directory; the checked-in inputs stay
# untouched.
"${WORK}/fuzzer" -runs="${RUNS}" -seed="${SEED}" -max_len="${max_len}" \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="${ARTIFACTS}/" "${corpora[@]}" >"${log}" 2>&1 ||
  status=$?
elapsed=$((SECONDS - start))
# Keep the log short: per-input progress lines are noise here.
grep -v -E '^(#[0-9]+\s+(NEW|REDUCE|pulse)|\s+NEW_FUNC)' "${log}" || true

if ((status != 0)); then
  fail "fuzzer exited with status ${status}; the crashing input is among the" \
    "test's undeclared outputs (bazel-testlogs/tests/fuzz/" \
    "${name}_fuzz_test/test.outputs); replay it with the fuzzer binary"
fi
if grep -q -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant broken' "${log}"; then
  fail "fuzzer output contains a sanitizer or invariant report"
fi
done_line="$(grep -E '^Done [0-9]+ runs' "${log}")" ||
  fail "libFuzzer did not print its 'Done N runs' line"
echo "${name}_fuzz_test: ${done_line} (${elapsed} s wall, seed ${SEED})"

if [[ -n "${FUZZ_MERGE_INTO:-}" ]]; then
  [[ -d "${FUZZ_MERGE_INTO}" ]] || fail "FUZZ_MERGE_INTO=${FUZZ_MERGE_INTO} is not a directory"
  "${WORK}/fuzzer" -merge=1 -max_len="${max_len}" -timeout=10 -rss_limit_mb=2048 \
    "${FUZZ_MERGE_INTO}" "${WORK}/corpus" >"${WORK}/merge.log" 2>&1 ||
    fail "merging into ${FUZZ_MERGE_INTO} failed: $(tail -n 5 "${WORK}/merge.log")"
  grep -E '^MERGE-OUTER: [0-9]+ new files' "${WORK}/merge.log" || true
fi
