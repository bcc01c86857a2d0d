#include "server/embedded_postgres/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/embedded_postgres/subprocess_fds.h"

extern char** environ;

namespace natscope::server {
namespace {

using subprocess_internal::AboveStdio;
using subprocess_internal::CloseFdsFrom;
using subprocess_internal::MaxFd;
using subprocess_internal::MoveFd;
using subprocess_internal::PipeHolding;
using subprocess_internal::ReadFull;
using subprocess_internal::ReadUntilEof;

// Drops to `user`. Async-signal-safe (plain system calls).
bool DropPrivileges(const RunAs& user) {
  return setgroups(user.groups.size(), user.groups.data()) == 0 &&
         setgid(user.gid) == 0 && setuid(user.uid) == 0;
}

void ResetSignals() {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl;
  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
}

enum ChildStage : int { kStageSetup = 1, kStagePrivileges = 2, kStageExec = 3 };

// The child side of Spawn. Only async-signal-safe calls: the parent may
// have other threads, whose locks are frozen in this copy.
[[noreturn]] void RunChild(const SpawnSpec& spec, char* const* argv,
                           int error_fd, int max_fd) {
  auto fail = [&error_fd](int stage) {
    const int report[2] = {stage, errno};
    ssize_t ignored = write(error_fd, report, sizeof(report));
    (void)ignored;
    _exit(127);
  };
  const int in = AboveStdio(spec.stdin_fd);
  const int out = AboveStdio(spec.stdout_fd);
  const int err = AboveStdio(spec.stderr_fd);
  const int null_fd = AboveStdio(open("/dev/null", O_RDWR | O_CLOEXEC));
  if (null_fd < 0 || dup2(in >= 0 ? in : null_fd, 0) < 0 ||
      dup2(out >= 0 ? out : null_fd, 1) < 0 ||
      dup2(err >= 0 ? err : null_fd, 2) < 0) {
    fail(kStageSetup);
  }
  // Keep only the error pipe, as descriptor 3.
  const int error_hi = fcntl(error_fd, F_DUPFD_CLOEXEC, 3);
  if (error_hi < 0 || !MoveFd(error_hi, 3)) fail(kStageSetup);
  error_fd = 3;
  CloseFdsFrom(4, max_fd);
  if (spec.new_process_group && setpgid(0, 0) != 0) fail(kStageSetup);
  if (spec.run_as != nullptr && !DropPrivileges(*spec.run_as)) {
    fail(kStagePrivileges);
  }
  // Our working directory may be out of the unprivileged user's reach
  // (e.g. below /root); every path we pass is absolute.
  if (spec.run_as != nullptr && chdir("/") != 0) fail(kStageSetup);
  ResetSignals();
  execve(argv[0], argv, environ);
  fail(kStageExec);
  _exit(127);
}

// Sends `signal` to the target (through its pidfd when there is one) and
// waits up to a minute for it to exit. Async-signal-safe.
void SignalAndAwait(pid_t target, int pidfd, int signal) {
#if defined(SYS_pidfd_send_signal)
  if (pidfd >= 0) {
    if (syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0) != 0) return;
    // A pidfd turns readable when its process exits.
    struct pollfd pfd = {pidfd, POLLIN, 0};
    while (poll(&pfd, 1, 60000) < 0 && errno == EINTR) {
    }
    return;
  }
#endif
  if (kill(target, signal) != 0) return;
  const struct timespec tick = {0, 50 * 1000 * 1000};
  for (int i = 0; i < 1200 && kill(target, 0) == 0; ++i)
    nanosleep(&tick, nullptr);
}

}  // namespace

absl::StatusOr<RunAs> LookUpUser(const std::string& name) {
  struct passwd pwd;
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r(name.c_str(), &pwd, buf.data(), buf.size(), &found) != 0 ||
      found == nullptr) {
    return absl::NotFoundError(absl::StrCat("no user ", name));
  }
  RunAs user{name, pwd.pw_uid, pwd.pw_gid, {}};
  int count = 64;
  user.groups.resize(count);
  if (getgrouplist(name.c_str(), pwd.pw_gid, user.groups.data(), &count) < 0) {
    user.groups.resize(count);
    getgrouplist(name.c_str(), pwd.pw_gid, user.groups.data(), &count);
  }
  user.groups.resize(count);
  if (user.groups.empty()) user.groups.push_back(pwd.pw_gid);
  return user;
}

absl::StatusOr<pid_t> Spawn(const SpawnSpec& spec) {
  if (spec.argv.empty()) return absl::InvalidArgumentError("empty argv");
  std::vector<char*> argv;
  for (const std::string& arg : spec.argv) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  const int max_fd = MaxFd();
  // The child reports a failed exec through this pipe; a successful exec
  // closes it (O_CLOEXEC), so end-of-file means the program is running.
  int error_pipe[2];
  if (pipe2(error_pipe, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  const pid_t pid = fork();
  if (pid < 0) {
    const int fork_errno = errno;
    close(error_pipe[0]);
    close(error_pipe[1]);
    return absl::InternalError(absl::StrCat("fork: ", strerror(fork_errno)));
  }
  if (pid == 0) {
    close(error_pipe[0]);
    RunChild(spec, argv.data(), error_pipe[1], max_fd);
  }
  close(error_pipe[1]);
  int report[2] = {0, 0};
  const int got = ReadFull(error_pipe[0], report, sizeof(report));
  close(error_pipe[0]);
  if (got == 0) return pid;
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const char* what = report[0] == kStageExec         ? "cannot execute"
                     : report[0] == kStagePrivileges ? "cannot switch user for"
                                                     : "cannot set up";
  return absl::FailedPreconditionError(absl::StrCat(
      what, " ", spec.argv[0],
      spec.run_as != nullptr ? absl::StrCat(" as user ", spec.run_as->name)
                             : "",
      ": ", strerror(report[1])));
}

absl::StatusOr<std::optional<int>> WaitForExit(pid_t pid,
                                               absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int status;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return std::optional<int>(status);
    if (r < 0 && errno != EINTR) {
      return absl::InternalError(
          absl::StrCat("waitpid ", pid, ": ", strerror(errno)));
    }
    if (absl::Now() >= deadline) return std::optional<int>();
    absl::SleepFor(absl::Milliseconds(10));
  }
}

std::string DescribeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) {
    return absl::StrCat("exit code ", WEXITSTATUS(wait_status));
  }
  if (WIFSIGNALED(wait_status)) {
    return absl::StrCat("signal ", WTERMSIG(wait_status));
  }
  return absl::StrCat("wait status ", wait_status);
}

absl::StatusOr<CapturedRun> RunAndCapture(const SpawnSpec& spec,
                                          absl::Duration timeout,
                                          absl::string_view input) {
  SpawnSpec capturing = spec;
  int in_fd = -1;
  if (!input.empty()) {
    absl::StatusOr<int> fd = PipeHolding(input, spec.run_as);
    if (!fd.ok()) return fd.status();
    in_fd = capturing.stdin_fd = *fd;
  }
  int out_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    if (in_fd >= 0) close(in_fd);
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  capturing.stdout_fd = capturing.stderr_fd = out_pipe[1];
  absl::StatusOr<pid_t> pid = Spawn(capturing);
  close(out_pipe[1]);
  if (in_fd >= 0) close(in_fd);
  if (!pid.ok()) {
    close(out_pipe[0]);
    return pid.status();
  }
  const absl::Time deadline = absl::Now() + timeout;
  CapturedRun run;
  run.output = ReadUntilEof(out_pipe[0], deadline);
  close(out_pipe[0]);
  absl::StatusOr<std::optional<int>> status =
      WaitForExit(*pid, std::max(deadline - absl::Now(), absl::ZeroDuration()));
  if (!status.ok()) return status.status();
  if (!status->has_value()) {
    kill(*pid, SIGKILL);
    (void)WaitForExit(*pid, absl::Seconds(5));
    return absl::DeadlineExceededError(
        absl::StrCat(spec.argv[0], " did not finish within ",
                     absl::FormatDuration(timeout), ": ", run.output));
  }
  run.wait_status = **status;
  return run;
}

int AccessAs(const RunAs& user, const std::string& path, int mode) {
  const pid_t pid = fork();
  if (pid < 0) return errno;
  if (pid == 0) {
    if (!DropPrivileges(user)) _exit(errno & 0xff);
    _exit(access(path.c_str(), mode) == 0 ? 0 : errno & 0xff);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return errno;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : EINVAL;
}

absl::StatusOr<Watchdog> Watchdog::Start(pid_t target, int signal,
                                         const std::string& cleanup_dir) {
  // A pidfd names exactly this process, so a watchdog firing after the
  // target was reaped and its pid reused cannot hit a stranger. Kernels
  // before 5.3 lack it; kill(2) is the fallback.
  int pidfd = -1;
#ifdef SYS_pidfd_open
  pidfd = static_cast<int>(syscall(SYS_pidfd_open, target, 0));
#endif
  // A socket rather than a pipe: send(MSG_NOSIGNAL) cannot raise SIGPIPE.
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    if (pidfd >= 0) close(pidfd);
    return absl::InternalError(absl::StrCat("socketpair: ", strerror(errno)));
  }
  const int max_fd = MaxFd();
  const pid_t pid = fork();
  if (pid < 0) {
    const int fork_errno = errno;
    close(sv[0]);
    close(sv[1]);
    if (pidfd >= 0) close(pidfd);
    return absl::InternalError(absl::StrCat("fork: ", strerror(fork_errno)));
  }
  if (pid == 0) {
    setpgid(0, 0);  // Out of the terminal's reach: Ctrl-C must not kill us.
    // Keep only the socket (as 3) and the pidfd (as 4).
    const int sock_hi = fcntl(sv[0], F_DUPFD_CLOEXEC, 5);
    const int pidfd_hi = pidfd >= 0 ? fcntl(pidfd, F_DUPFD_CLOEXEC, 5) : -1;
    if (sock_hi < 0 || !MoveFd(sock_hi, 3)) _exit(1);
    if (pidfd_hi >= 0 && !MoveFd(pidfd_hi, 4)) _exit(1);
    sv[0] = 3;
    pidfd = pidfd_hi >= 0 ? 4 : -1;
    CloseFdsFrom(pidfd >= 0 ? 5 : 4, max_fd);
    char c;
    ssize_t n;
    while ((n = read(sv[0], &c, 1)) < 0 && errno == EINTR) {
    }
    if (n == 0) {  // Our parent is gone: stop the target.
      SignalAndAwait(target, pidfd, signal);
      if (!cleanup_dir.empty()) rmdir(cleanup_dir.c_str());
    }
    _exit(0);
  }
  close(sv[0]);
  if (pidfd >= 0) close(pidfd);
  return Watchdog(pid, sv[1]);
}

Watchdog::Watchdog(Watchdog&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      write_fd_(std::exchange(other.write_fd_, -1)) {}

Watchdog& Watchdog::operator=(Watchdog&& other) noexcept {
  if (this != &other) {
    Disarm();
    pid_ = std::exchange(other.pid_, -1);
    write_fd_ = std::exchange(other.write_fd_, -1);
  }
  return *this;
}

Watchdog::~Watchdog() { Disarm(); }

void Watchdog::Disarm() {
  if (write_fd_ >= 0) {
    const char quit = 'q';
    (void)send(write_fd_, &quit, 1, MSG_NOSIGNAL);
    close(write_fd_);
    write_fd_ = -1;
  }
  if (pid_ > 0) {
    absl::StatusOr<std::optional<int>> status =
        WaitForExit(pid_, absl::Seconds(5));
    if (status.ok() && !status->has_value()) {
      kill(pid_, SIGKILL);
      (void)WaitForExit(pid_, absl::Seconds(5));
    }
    pid_ = -1;
  }
}

}  // namespace natscope::server
