// fork + exec helpers for EmbeddedPostgres: no shell, optional privilege
// drop, and nothing but async-signal-safe calls between fork and exec, so
// they are safe in a multithreaded server.
//
// Internal to //server/embedded_postgres. All functions are thread-safe.
#ifndef NATSCOPE_SERVER_EMBEDDED_POSTGRES_SUBPROCESS_H_
#define NATSCOPE_SERVER_EMBEDDED_POSTGRES_SUBPROCESS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace natscope::server {

// An unprivileged account to run a child as (used when we are root).
struct RunAs {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // Supplementary groups, including `gid`.
};

// Looks up `name` in the user database. NotFound when there is no such user.
absl::StatusOr<RunAs> LookUpUser(const std::string& name);

struct SpawnSpec {
  // argv[0] is the path of the program; PATH is not searched.
  std::vector<std::string> argv;
  // Descriptors for the child's stdin, stdout and stderr; -1 means
  // /dev/null. All other descriptors are closed in the child.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  // Drop to this account before exec (setgroups, setgid, setuid).
  const RunAs* run_as = nullptr;
  // Put the child in a process group of its own, so that a terminal's
  // Ctrl-C reaches only us and we decide the shutdown order.
  bool new_process_group = false;
};

// Starts the program; returns its pid once exec succeeded. Errors:
// FailedPrecondition when exec or the privilege drop failed (message names
// the program and errno), Internal when fork or pipe failed.
absl::StatusOr<pid_t> Spawn(const SpawnSpec& spec);

// Waits up to `timeout` for child `pid` to exit. Returns its wait status,
// or nullopt when it is still running.
absl::StatusOr<std::optional<int>> WaitForExit(pid_t pid,
                                               absl::Duration timeout);

// "exit code 1", "signal 9", ...
std::string DescribeWaitStatus(int wait_status);

struct CapturedRun {
  int wait_status = 0;
  std::string output;  // stdout and stderr, interleaved.
};

// Runs the program to completion and captures its output. Its stdin is
// `input` (at most kMaxInput bytes: it must fit a pipe's buffer, as it is
// written before the program starts) when not empty, else spec.stdin_fd;
// the program may also open it as /dev/stdin.
// Kills it and returns DeadlineExceeded after `timeout`; InvalidArgument
// when `input` is too long.
inline constexpr size_t kMaxInput = 4096;
absl::StatusOr<CapturedRun> RunAndCapture(const SpawnSpec& spec,
                                          absl::Duration timeout,
                                          absl::string_view input = "");

// Checks access(2) of `path` with `mode` (R_OK | W_OK | X_OK) as `user`, in
// a short-lived child that dropped privileges. Returns 0 or the errno.
int AccessAs(const RunAs& user, const std::string& path, int mode);

// A child process that sends `signal` to `target` when this process dies,
// however it dies (kill -9 included), then waits (up to a minute) for the
// target to exit and removes the empty directory `cleanup_dir` (may be
// empty). It waits for end-of-file on a socket whose only other end lives in
// this process; unlike PR_SET_PDEATHSIG that is tied to the process, not to
// the thread that forked it.
class Watchdog {
 public:
  // A disarmed watchdog.
  Watchdog() = default;
  // Forks the watchdog. Internal when fork or socketpair fails.
  static absl::StatusOr<Watchdog> Start(pid_t target, int signal,
                                        const std::string& cleanup_dir);

  Watchdog(Watchdog&& other) noexcept;
  Watchdog& operator=(Watchdog&& other) noexcept;
  ~Watchdog();  // Disarms.

  // Tells the watchdog to exit without signalling and reaps it. Idempotent.
  void Disarm();

 private:
  Watchdog(pid_t pid, int write_fd) : pid_(pid), write_fd_(write_fd) {}
  pid_t pid_ = -1;
  int write_fd_ = -1;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_EMBEDDED_POSTGRES_SUBPROCESS_H_
