#include "ingest/netwatch/network_watcher.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace natscope::ingest {

absl::StatusOr<std::unique_ptr<NetworkWatcher>> NetworkWatcher::Open() {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
                        NETLINK_ROUTE);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot watch network changes: ", strerror(errno)));
  }
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE |
                   RTMGRP_IPV6_ROUTE | RTMGRP_LINK;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int err = errno;
    close(fd);
    return absl::UnavailableError(
        absl::StrCat("cannot watch network changes: ", strerror(err)));
  }
  return std::unique_ptr<NetworkWatcher>(new NetworkWatcher(fd));
}

NetworkWatcher::~NetworkWatcher() { close(fd_); }

bool NetworkWatcher::Changed(absl::Duration timeout) {
  pollfd pfd{fd_, POLLIN, 0};
  const int ms = static_cast<int>(
      std::max<int64_t>(0, absl::ToInt64Milliseconds(timeout)));
  if (poll(&pfd, 1, ms) <= 0) return false;
  bool changed = false;
  char buffer[8192];
  while (true) {
    const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0)
      break;  // EAGAIN: drained. ENOBUFS (overrun) still means change.
    changed = true;
  }
  // An overrun drops messages but a change happened all the same.
  return changed || errno == ENOBUFS;
}

bool NetworkWatcher::WaitForChange(const Clock& clock, absl::Time deadline,
                                   const std::atomic<bool>* stop,
                                   const std::atomic<bool>* wake) {
  for (;;) {
    if (stop != nullptr && stop->load()) return false;
    if (wake != nullptr && wake->load()) return false;
    const absl::Duration left = deadline - clock.Now();
    // Changed(0) when the deadline has passed still consumes what arrived.
    if (Changed(
            std::clamp(left, absl::ZeroDuration(), absl::Milliseconds(200)))) {
      return true;
    }
    if (left <= absl::ZeroDuration()) return false;
  }
}

}  // namespace natscope::ingest
