// Network changes at scripted times, for tests on a simulated clock
// (common/sim_clock.h): WaitForChange sleeps on the clock until the next
// scripted change or the deadline, whichever comes first.
//
// Thread-safe. A change scripted while a wait is under way is seen when
// that wait ends (at its deadline), not earlier: script changes before the
// waits that should see them, e.g. all of them up front.
#ifndef NATSCOPE_INGEST_NETWATCH_FAKE_NETWORK_CHANGES_H_
#define NATSCOPE_INGEST_NETWATCH_FAKE_NETWORK_CHANGES_H_

#include <atomic>
#include <set>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "ingest/netwatch/network_changes.h"

namespace natscope::ingest {

class FakeNetworkChanges final : public NetworkChanges {
 public:
  // The network changes at `when`.
  void ChangeAt(absl::Time when);
  // How many WaitForChange calls returned true.
  int reported() const;

  bool WaitForChange(const Clock& clock, absl::Time deadline,
                     const std::atomic<bool>* stop,
                     const std::atomic<bool>* wake = nullptr) override;

 private:
  absl::Time NextChange() const;

  mutable absl::Mutex mu_;
  std::multiset<absl::Time> changes_ ABSL_GUARDED_BY(mu_);
  int reported_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_NETWATCH_FAKE_NETWORK_CHANGES_H_
