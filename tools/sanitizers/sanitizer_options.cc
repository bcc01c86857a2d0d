// Default options of the sanitizer runtimes, compiled into every binary of
// a `--config=asan` or `--config=tsan` build (tools/sanitizers/BUILD.bazel),
// so a binary started by a test script, the demo or by hand behaves the
// same as one started by Bazel. ASAN_OPTIONS, UBSAN_OPTIONS and
// TSAN_OPTIONS in the environment are read after these and win
// (tools/test.sh adds log_path, so that a report written by a daemon that
// a test only kills at its end still fails the run).
//
// Every report is fatal: a sanitizer finding is a bug to fix, not a
// warning to read later.

extern "C" {

// Called by the runtimes before main; must not allocate.
const char* __asan_default_options() {
  return "halt_on_error=1:abort_on_error=0:exitcode=66:detect_leaks=1:"
         "detect_stack_use_after_return=1:print_suppressions=0:"
         "check_initialization_order=1:strict_init_order=1";
}

const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1:exitcode=66";
}

const char* __tsan_default_options() {
  return "halt_on_error=1:exitcode=66:second_deadlock_stack=1:history_size=4:"
         "ignore_noninstrumented_modules=1";
}

// Reports the uninstrumented Debian libraries cause, each with its reason.
// Keep it short: a suppression here hides a class of bug everywhere.
const char* __tsan_default_suppressions() {
  return
      // Abseil's deadlock detector (libabsl_graphcycles) keeps its graph
      // under an internal SpinLock that TSan cannot see (uninstrumented
      // atomics); its memmove calls, seen through TSan's interceptor,
      // would be reported on every gRPC mutex created by two threads.
      "called_from_lib:libabsl_graphcycles_internal.so\n";
}

const char* __lsan_default_suppressions() {
  return
      // gRPC's c-ares DNS resolver: 40 bytes in 4 blocks that c-ares keeps
      // for the process's lifetime (tls_e2e_test, any client channel).
      "leak:libcares.so\n"
      // One PGresult (216 bytes + its 2 KiB block) per test process from
      // libpqxx 6.4's transaction_base::Begin, never handed to natscope
      // code (postgres_store_test: once in 46 tests' transactions).
      "leak:libpqxx-6.4.so\n";
}

}  // extern "C"
