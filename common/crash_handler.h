// Crash evidence for natscope's binaries.
//
// InstallCrashHandler makes a fatal signal (SIGSEGV, SIGBUS, SIGILL,
// SIGFPE, SIGABRT, SIGTRAP) print one block to stderr (the journal, under
// systemd): the signal, the faulting address, and a symbolized stack trace
// of the thread that crashed. The alternate signal stack it sets is the
// calling thread's (a stack overflow elsewhere may go unreported). It then restores the default action and
// raises the signal again, so the kernel still writes a core where the
// system keeps them (LimitCORE in deploy/*.service, systemd-coredump;
// docs/crashes.md says how to collect one).
//
// In sanitizer builds (--config=asan/tsan) it does nothing: the sanitizer's
// own report is the better evidence. Call once, first thing in main().
#ifndef NATSCOPE_COMMON_CRASH_HANDLER_H_
#define NATSCOPE_COMMON_CRASH_HANDLER_H_

namespace natscope {

void InstallCrashHandler(const char* argv0);

}  // namespace natscope

#endif  // NATSCOPE_COMMON_CRASH_HANDLER_H_
