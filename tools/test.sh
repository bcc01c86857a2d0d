#!/usr/bin/env bash
# Runs every natscope test: installs what is missing (tools/setup.sh), then
#   1. `bazel test //...`, ordinary build: every target is built, and every
#      test runs except those the asan pass runs (see plain_targets below;
#      with NATSCOPE_SANITIZERS leaving asan out, every test runs here);
#   2. the sanitizer passes (docs/sanitizers.md):
#      asan  AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer
#            on the agent's and the server's unit tests, the end-to-end
#            tests (agent faults included) and the fleet stress test;
#      tsan  ThreadSanitizer on the tests of the threaded components (the
#            agent's run loop, spool, delivery and probes; the server's
#            services, store pool, background loops and STUN responder)
#            and the fleet stress test.
#      Neither runs the Citus tests (tag "citus": the same server code as
#      their plain variants, on an uninstrumented Citus cluster).
#      A sanitizer report fails its test. Every report also lands in a
#      reports folder and is printed at the end of its pass; a report that
#      no failed test accounts for (a daemon a test only stopped at its end)
#      fails the run. Sanitizer passes never reuse cached test results, so
#      such a report cannot hide behind an earlier "PASSED".
#   3. the package test (tests/package/package_test.sh, root only): builds
#      the Debian packages, installs, runs, upgrades and purges them on
#      this machine; one test in the count. Skipped, saying why, when not
#      root or when natscope is already installed here.
# Ends with Bazel's summary of each pass and one plain line "N passed,
# N failed" counting test targets over all passes, so a run that executed
# no test is visible.
#
# Arguments: test targets, for pass 1 only and no sanitizer pass (e.g.
# tools/test.sh //server/...). NATSCOPE_SANITIZERS=0 skips the sanitizer
# passes; NATSCOPE_SANITIZERS=asan or =tsan runs only that one.
# NATSCOPE_PACKAGE_TEST=0 skips the package test; =only runs it alone (no
# Bazel pass). Test targets as arguments skip it too.
set -uo pipefail
cd "$(dirname "$0")/.."

tools/setup.sh || exit 1

# Keep these lists short enough that the whole suite stays well under 30
# minutes on 2 cores (docs/sanitizers.md has the timings).
ASAN_TARGETS=(//analyzer/... //common/... //ingest/... //server/... //tests/e2e/...
  //tests/stress/...)
# Tests no sanitizer pass runs (pass 1 runs them instead): the crash
# handler's (a sanitizer handles the signal itself) and the Citus ones.
SANITIZER_SKIP_TAGS=(no-sanitizer citus)
TSAN_TARGETS=(//ingest/agent/... //ingest/spool/... //ingest/upload/... //ingest/probe/...
  //ingest/netpath/... //ingest/netwatch/... //server/service/... //server/store/...
  //server/analysis/... //server/stun/... //server/reports/... //server/embedded_postgres/...
  //common/http/... //common/metrics/... //server/http/... //server/intake/...
  //tests/stress/... //tools/sanitizers/...)

targets=("$@")
package_test=${NATSCOPE_PACKAGE_TEST:-1}
case "$package_test" in
  0 | 1 | only) ;;
  *) echo "test: NATSCOPE_PACKAGE_TEST must be 0, 1 or only, not \"$package_test\"" >&2; exit 2 ;;
esac
[[ ${#targets[@]} -gt 0 && "$package_test" == 1 ]] && package_test=0
sanitizers=${NATSCOPE_SANITIZERS:-asan tsan}
[[ "$sanitizers" == 0 ]] && sanitizers=""
for sanitizer in $sanitizers; do
  case "$sanitizer" in
    asan | tsan) ;;
    *) echo "test: unknown sanitizer \"$sanitizer\" in NATSCOPE_SANITIZERS (asan, tsan or 0)" >&2; exit 2 ;;
  esac
done
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(//...)
else
  sanitizers=""
fi

# One folder per user, held under a lock so that two runs (two clones)
# cannot clear each other's reports; the second waits for the first.
reports=/tmp/natscope-sanitizer-reports-$(id -u)
exec 9>"$reports.lock"
flock 9
rm -rf "$reports"
mkdir -p "$reports"
chmod 1777 "$reports"
trap 'rm -rf "$reports"' EXIT

total_passed=0 total_failed=0 pass_failed=0
# run_pass NAME BAZEL_ARGS... -- TARGETS...: one `bazel test`, its summary
# and counts (pass_failed: this pass's failed targets).
run_pass() {
  local name=$1; shift
  local pass_log rc passed failed
  pass_log=$(mktemp /tmp/natscope-test-pass.XXXXXX)
  echo
  echo "test: [$name] bazel test $*"
  # 9>&-: a Bazel server this starts must not inherit (and so hold for
  # ever) the reports lock.
  bazel test --test_summary=short "$@" 9>&- 2>&1 | tee "$pass_log"
  rc=${PIPESTATUS[0]}
  # Bazel's summary lines look like "//pkg:target   (cached) PASSED in 0.4s".
  passed=$(grep -cE '^//[^ ]+ +(\(cached\) +)?PASSED' "$pass_log")
  failed=$(grep -cE '^//[^ ]+ +(\(cached\) +)?(FAILED|TIMEOUT|NO STATUS|FLAKY|INCOMPLETE|FAILED TO BUILD)' "$pass_log")
  if [[ $rc -ne 0 && $failed -eq 0 ]]; then
    # Bazel failed before any test ran (a build or analysis error).
    failed=1
  fi
  echo "test: [$name] ${passed} passed, ${failed} failed"
  rm -f "$pass_log"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  pass_failed=$failed
}

# Prints every report of the pass. A report in a pass where every test
# passed came from a process no test checked: it counts as one failure.
# (Reports of failed tests are already counted by their test.)
check_reports() {
  local name=$1 f found=0
  for f in "$reports"/*; do
    # A report, not the runtimes' statistics.
    grep -qE 'ERROR: |WARNING: |runtime error' "$f" 2>/dev/null || continue
    found=1
    echo "--- [$name] sanitizer report $(basename "$f"):"
    head -n 120 "$f"
  done
  if [[ $found -eq 1 && $pass_failed -eq 0 ]]; then
    echo "test: [$name] a sanitizer reported an error (above) that no failed test accounts for: counted as 1 failed"
    total_failed=$((total_failed + 1))
  fi
  rm -f "$reports"/*
}

# The package test: one test in the count; exit 77 means skipped.
run_package_test() {
  local rc start=$SECONDS
  echo
  echo "test: [package] tests/package/package_test.sh"
  # 9>&-: the Bazel server it may start must not hold the reports lock.
  tests/package/package_test.sh 9>&-
  rc=$?
  if [[ $rc -eq 77 ]]; then
    echo "test: [package] skipped (reason above), in $((SECONDS - start)) s"
  elif [[ $rc -eq 0 ]]; then
    echo "test: [package] 1 passed, 0 failed, in $((SECONDS - start)) s"
    total_passed=$((total_passed + 1))
  else
    echo "test: [package] 0 passed, 1 failed, in $((SECONDS - start)) s"
    total_failed=$((total_failed + 1))
  fi
}

# plain_targets: pass 1's targets. When the asan pass runs the whole suite
# (no targets given), pass 1 leaves out the tests asan runs: ASan's build
# is the same code at the same -O0 as the plain one, so those tests passing
# there says all the plain run would, and compiling and running them twice
# was a quarter of the suite's time. Pass 1 still runs every other test
# (NAT lab, fuzz, dashboard, security, metrics, evidence, demo) and, from
# the asan packages, the ones the asan pass leaves out (SANITIZER_SKIP_TAGS);
# every binary and library is built in it or as their dependency.
plain_targets() {
  local tagged
  if [[ " $sanitizers " != *" asan "* || "${targets[*]}" != "//..." ]]; then
    printf '%s\n' "${targets[@]}"
    return
  fi
  tagged=$(bazel query 9>&- --noshow_progress \
    "attr(tags, '\\b($(IFS='|'; echo "${SANITIZER_SKIP_TAGS[*]}"))\\b', tests(set(${ASAN_TARGETS[*]})))") ||
    return 1
  printf '%s\n' //...
  printf -- '-%s\n' "${ASAN_TARGETS[@]}"
  printf '%s\n' $tagged
}

if [[ "$package_test" == only ]]; then
  sanitizers=""
else
  if ! pass1_list=$(plain_targets); then
    echo "test: bazel query for pass 1's targets failed" >&2
    exit 1
  fi
  mapfile -t pass1 <<<"$pass1_list"
  run_pass plain -- "${pass1[@]}"
fi

skip_filter=$(printf -- '-%s,' "${SANITIZER_SKIP_TAGS[@]}")
skip_filter=${skip_filter%,}
for sanitizer in $sanitizers; do
  case "$sanitizer" in
    asan)
      run_pass asan --config=asan --test_tag_filters="$skip_filter" --nocache_test_results \
        --test_env=ASAN_OPTIONS="log_path=$reports/asan" \
        --test_env=UBSAN_OPTIONS="log_path=$reports/ubsan" \
        -- "${ASAN_TARGETS[@]}"
      ;;
    tsan)
      # --build_tests_only: what tsan does not run (benchmarks, the Citus
      # tests' binaries, the tests tagged single-threaded: their process
      # never has a second thread, so ThreadSanitizer has nothing to
      # check there) is built by the other passes.
      run_pass tsan --config=tsan --test_tag_filters="$skip_filter,-single-threaded" \
        --nocache_test_results \
        --build_tests_only \
        --test_env=TSAN_OPTIONS="log_path=$reports/tsan" \
        -- "${TSAN_TARGETS[@]}"
      ;;
  esac
  check_reports "$sanitizer"
done

[[ "$package_test" != 0 ]] && run_package_test

echo
echo "${total_passed} passed, ${total_failed} failed"
if [[ $total_failed -eq 0 && $total_passed -eq 0 ]]; then
  echo "test: no test ran" >&2
  exit 1
fi
[[ $total_failed -eq 0 ]]
