#include "common/sim_clock.h"

#include <algorithm>
#include <iterator>

namespace natscope {

SimClock::SimClock(absl::Time start) : now_(start) {}

absl::Time SimClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

bool SimClock::SleepUntil(absl::Time deadline,
                          const std::atomic<bool>* stop) const {
  absl::MutexLock lock(&mu_);
  if (now_ >= deadline) return true;
  const auto mark = deadlines_.insert(deadline);
  sleeping_.SignalAll();
  // A stop flag is not under mu_: the timeout re-reads it.
  while (now_ < deadline && (stop == nullptr || !stop->load())) {
    moved_.WaitWithTimeout(&mu_, absl::Milliseconds(50));
  }
  deadlines_.erase(mark);
  return now_ >= deadline;
}

void SimClock::Set(absl::Time now) {
  absl::MutexLock lock(&mu_);
  now_ = now;
  moved_.SignalAll();
}

void SimClock::Advance(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  now_ += d;
  moved_.SignalAll();
}

int SimClock::SleepersLocked() const {
  return static_cast<int>(
      std::distance(deadlines_.upper_bound(now_), deadlines_.end()));
}

int SimClock::Sleepers() const {
  absl::MutexLock lock(&mu_);
  return SleepersLocked();
}

bool SimClock::AdvanceToNextWake(int sleepers, absl::Time limit,
                                 absl::Duration real_timeout) {
  const absl::Time give_up = absl::Now() + real_timeout;
  absl::MutexLock lock(&mu_);
  while (SleepersLocked() < sleepers) {
    if (sleeping_.WaitWithDeadline(&mu_, give_up) &&
        SleepersLocked() < sleepers) {
      return false;
    }
  }
  const absl::Time next = *deadlines_.upper_bound(now_);
  now_ = std::max(now_, std::min(next, limit));
  moved_.SignalAll();
  return true;
}

}  // namespace natscope
