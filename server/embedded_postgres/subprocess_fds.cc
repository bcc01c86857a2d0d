#include "server/embedded_postgres/subprocess_fds.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace natscope::server::subprocess_internal {

int MaxFd() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return 65536;
  return static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 1 << 20));
}

void CloseFdsFrom(int first, int max_fd) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, unsigned(first), ~0u, 0u) == 0) return;
#endif
  // Kernels before 5.9 lack close_range(2).
  for (int fd = first; fd < max_fd; ++fd) close(fd);
}

bool MoveFd(int fd, int target) {
  return fd == target || dup3(fd, target, O_CLOEXEC) == target;
}

int AboveStdio(int fd) {
  return fd >= 0 && fd < 3 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : fd;
}

int ReadFull(int fd, void* buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = read(fd, static_cast<char*>(buf) + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += n;
  }
  return done;
}

absl::StatusOr<int> PipeHolding(absl::string_view input, const RunAs* owner) {
  if (input.size() > kMaxInput) {
    return absl::InvalidArgumentError(
        absl::StrCat("input of ", input.size(), " bytes exceeds ", kMaxInput));
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  // A program may open its stdin by name (/dev/stdin), and the kernel
  // checks that against the pipe's owner, which is us.
  if (owner != nullptr && fchown(fds[0], owner->uid, owner->gid) != 0) {
    const int chown_errno = errno;
    close(fds[0]);
    close(fds[1]);
    return absl::InternalError(
        absl::StrCat("chown pipe: ", strerror(chown_errno)));
  }
  // It fits the pipe's buffer (at least a page), so this cannot block.
  const ssize_t written = write(fds[1], input.data(), input.size());
  const int write_errno = errno;
  close(fds[1]);
  if (written != static_cast<ssize_t>(input.size())) {
    close(fds[0]);
    return absl::InternalError(
        absl::StrCat("write to pipe: ", strerror(write_errno)));
  }
  return fds[0];
}

std::string ReadUntilEof(int fd, absl::Time deadline) {
  std::string output;
  char buf[4096];
  while (true) {
    const int wait_ms =
        static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (wait_ms <= 0) break;
    struct pollfd pfd = {fd, POLLIN, 0};
    const int ready = poll(&pfd, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buf, n);
  }
  return output;
}

}  // namespace natscope::server::subprocess_internal
