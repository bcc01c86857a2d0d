#include "common/crash_handler.h"

#include <execinfo.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "absl/debugging/symbolize.h"

namespace natscope {
namespace {

constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
constexpr int kMaxFrames = 64;

// Everything below runs inside a signal handler: no allocation, no locks,
// no stdio; only write(2) on stderr and fixed buffers.
void Write(const char* text) { (void)!write(STDERR_FILENO, text, strlen(text)); }

void WriteNumber(uint64_t value, int base) {
  char buffer[24];
  char* end = buffer + sizeof(buffer);
  char* p = end;
  do {
    *--p = "0123456789abcdef"[value % base];
    value /= base;
  } while (value != 0 && p > buffer);
  (void)!write(STDERR_FILENO, p, end - p);
}

const char* SignalName(int signal) {
  switch (signal) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGABRT: return "SIGABRT";
    case SIGTRAP: return "SIGTRAP";
  }
  return "signal";
}

std::atomic<bool> crashing{false};
std::atomic<int> crash_signal{0};

// Dies by `signal` with its default action (the kernel writes the core).
[[noreturn]] void DieBy(int signal) {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(signal, &dfl, nullptr);
  sigset_t unblock;
  sigemptyset(&unblock);
  sigaddset(&unblock, signal);
  pthread_sigmask(SIG_UNBLOCK, &unblock, nullptr);
  raise(signal);
  _exit(128 + signal);  // Not reached: the default action ends the process.
}

// The report hung (a lock the crashed thread held inside the symbolizer):
// die by the original signal all the same, so the core is still written.
void OnAlarm(int) { DieBy(crash_signal.load()); }

void OnFatalSignal(int signal, siginfo_t* info, void* /*context*/) {
  // One report. A fault inside the report itself (all fatal signals are
  // blocked while it runs, so this is a synchronous one) or another
  // thread's crash meanwhile ends the process by the first signal.
  if (crashing.exchange(true)) {
    const int first = crash_signal.load();
    DieBy(first != 0 ? first : signal);
  }
  crash_signal.store(signal);
  struct sigaction alarm_action {};
  alarm_action.sa_handler = OnAlarm;
  sigemptyset(&alarm_action.sa_mask);
  sigaction(SIGALRM, &alarm_action, nullptr);
  alarm(5);
  Write("*** ");
  Write(SignalName(signal));
  if (info->si_code <= 0) {
    // Sent with kill(2), tgkill(2) or raise(3): si_addr means nothing.
    Write(" received (sent by pid ");
    WriteNumber(static_cast<uint32_t>(info->si_pid), 10);
  } else {
    Write(" received (fault address 0x");
    WriteNumber(reinterpret_cast<uintptr_t>(info->si_addr), 16);
  }
  Write(", pid ");
  WriteNumber(getpid(), 10);
  Write(", thread ");
  WriteNumber(syscall(SYS_gettid), 10);
  Write(") ***\n");
  // backtrace() unwinds with the .eh_frame tables, so it also walks out of
  // libc frames built without frame pointers (where the signal usually
  // lands), which absl's frame-pointer unwinder cannot.
  void* frames[kMaxFrames];
  const int n = backtrace(frames, kMaxFrames);
  for (int i = 0; i < n; ++i) {
    char name[1024];
    Write("    @ 0x");
    WriteNumber(reinterpret_cast<uintptr_t>(frames[i]), 16);
    Write("  ");
    // Return addresses point after the call; look up the call itself.
    const void* pc = static_cast<const char*>(frames[i]) - (i > 0 ? 1 : 0);
    Write(absl::Symbolize(pc, name, sizeof(name)) ? name : "(unknown)");
    Write("\n");
  }
  Write("*** end of stack trace; the process now dies by this signal (core: see docs/crashes.md)\n");
  // Default action, raised again: the process dies by the signal and the
  // kernel writes a core where LimitCORE and core_pattern allow.
  DieBy(signal);
}

}  // namespace

void InstallCrashHandler(const char* argv0) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  (void)argv0;
  (void)OnFatalSignal;
#else
  absl::InitializeSymbolizer(argv0);
  // The first backtrace() loads libgcc_s (it allocates): do it now, not in
  // the handler.
  void* warm[1];
  backtrace(warm, 1);
  // Its own stack, so a stack overflow of the main thread is reported too
  // (other threads have no alternate stack).
  static char alternate_stack[64 * 1024];
  stack_t stack{};
  stack.ss_sp = alternate_stack;
  stack.ss_size = sizeof(alternate_stack);
  sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_sigaction = OnFatalSignal;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  // No second fatal signal interrupts the report; a synchronous fault in it
  // re-enters and ends the process (see OnFatalSignal).
  sigemptyset(&action.sa_mask);
  for (int signal : kFatalSignals) sigaddset(&action.sa_mask, signal);
  for (int signal : kFatalSignals) sigaction(signal, &action, nullptr);
#endif
}

}  // namespace natscope
