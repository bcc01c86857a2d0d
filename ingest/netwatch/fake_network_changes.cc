#include "ingest/netwatch/fake_network_changes.h"

#include <algorithm>

namespace natscope::ingest {

void FakeNetworkChanges::ChangeAt(absl::Time when) {
  absl::MutexLock lock(&mu_);
  changes_.insert(when);
}

int FakeNetworkChanges::reported() const {
  absl::MutexLock lock(&mu_);
  return reported_;
}

absl::Time FakeNetworkChanges::NextChange() const {
  absl::MutexLock lock(&mu_);
  return changes_.empty() ? absl::InfiniteFuture() : *changes_.begin();
}

bool FakeNetworkChanges::WaitForChange(const Clock& clock, absl::Time deadline,
                                       const std::atomic<bool>* stop,
                                       const std::atomic<bool>* wake) {
  // Not under mu_: the sleep may last as long as the test likes.
  clock.SleepUntil(std::min(deadline, NextChange()), stop, wake);
  const absl::Time now = clock.Now();
  absl::MutexLock lock(&mu_);
  if (changes_.empty() || *changes_.begin() > now) return false;
  changes_.erase(changes_.begin(), changes_.upper_bound(now));
  ++reported_;
  return true;
}

}  // namespace natscope::ingest
