// Tells when the host's network changes: an address added or removed, or a
// route (the default route included) changed. Listens on a NETLINK_ROUTE
// socket, which needs no privilege. Not thread-safe; one reader.
//
// Wait in real time only: with a simulated clock, use FakeNetworkChanges.
#ifndef NATSCOPE_INGEST_NETWATCH_NETWORK_WATCHER_H_
#define NATSCOPE_INGEST_NETWATCH_NETWORK_WATCHER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "ingest/netwatch/network_changes.h"

namespace natscope::ingest {

class NetworkWatcher final : public NetworkChanges {
 public:
  // Subscribes to IPv4/IPv6 address and route changes. Unavailable when
  // the kernel refuses the socket (then probes run on their schedule only).
  static absl::StatusOr<std::unique_ptr<NetworkWatcher>> Open();
  ~NetworkWatcher();
  NetworkWatcher(const NetworkWatcher&) = delete;
  NetworkWatcher& operator=(const NetworkWatcher&) = delete;

  // Waits up to `timeout`; true when at least one change arrived (all
  // pending notifications are consumed).
  bool Changed(absl::Duration timeout);

  // Waits in slices of at most 200 ms, so a stop or wake is noticed that
  // soon.
  bool WaitForChange(const Clock& clock, absl::Time deadline,
                     const std::atomic<bool>* stop,
                     const std::atomic<bool>* wake = nullptr) override;

 private:
  explicit NetworkWatcher(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_NETWATCH_NETWORK_WATCHER_H_
