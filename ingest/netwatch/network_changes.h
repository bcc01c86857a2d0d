// What the probe loop waits on besides its schedule: news that the host's
// network changed. NetworkWatcher (netlink) is the real source;
// FakeNetworkChanges (fake_network_changes.h) replays scripted changes on
// a simulated clock.
#ifndef NATSCOPE_INGEST_NETWATCH_NETWORK_CHANGES_H_
#define NATSCOPE_INGEST_NETWATCH_NETWORK_CHANGES_H_

#include <atomic>

#include "absl/time/time.h"
#include "common/clock.h"

namespace natscope::ingest {

// Implementations need not be thread-safe: one thread waits.
class NetworkChanges {
 public:
  virtual ~NetworkChanges() = default;

  // Waits until the network changes, `clock` reaches `deadline`, or
  // `*stop` or `*wake` (either may be null; see Clock::SleepUntil) becomes
  // true. True when a change arrived: every change pending so far is
  // consumed, so a burst reports once. A change that arrived before the
  // call (while the caller was busy) returns true at once, even when
  // `deadline` has passed.
  virtual bool WaitForChange(const Clock& clock, absl::Time deadline,
                             const std::atomic<bool>* stop,
                             const std::atomic<bool>* wake = nullptr) = 0;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_NETWATCH_NETWORK_CHANGES_H_
