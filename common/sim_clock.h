// A simulated clock for tests: time moves only when the test moves it,
// and threads sleeping on it wake when it passes their deadline. A test of
// multi-threaded code runs simulated hours in milliseconds by waiting
// until every participating thread sleeps and then jumping to the earliest
// deadline (AdvanceToNextWake): a discrete-event simulation of the real
// schedule, with no wall-clock dependence.
#ifndef NATSCOPE_COMMON_SIM_CLOCK_H_
#define NATSCOPE_COMMON_SIM_CLOCK_H_

#include <atomic>
#include <map>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace natscope {

// Thread-safe.
class SimClock final : public Clock {
 public:
  // Starts at `start` (default: 2026-01-01T00:00:00Z).
  explicit SimClock(absl::Time start = absl::FromUnixSeconds(1767225600));

  absl::Time Now() const override;
  bool SleepUntil(absl::Time deadline, const std::atomic<bool>* stop = nullptr,
                  const std::atomic<bool>* wake = nullptr) const override;

  // Moves the time (backwards too, for tests of clock steps) and wakes the
  // sleepers whose deadline it reached. Every other sleeper re-checks its
  // stop flag at once, so a test that sets a stop flag and then calls
  // Advance(absl::ZeroDuration()) need not wait the 50 ms of real time a
  // stop otherwise takes to be noticed.
  void Set(absl::Time now);
  void Advance(absl::Duration d);

  // Threads blocked in SleepUntil with a deadline still ahead.
  int Sleepers() const;
  // Waits, up to `real_timeout` of real time, until at least `sleepers`
  // threads sleep with deadlines ahead (every participant is idle), then
  // sets the time to the earliest of those deadlines, but no later than
  // `limit`. Returns false (time unchanged) on timeout. Only the sleepers
  // whose deadline is reached wake, so each step costs one thread switch
  // or two: a simulated day of a few threads ticking every few seconds
  // runs in well under a second.
  bool AdvanceToNextWake(int sleepers, absl::Time limit,
                         absl::Duration real_timeout = absl::Seconds(10));

 private:
  int SleepersLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Returns once `sleepers` threads sleep, or after a short while.
  void SpinUntilAsleep(int sleepers) const ABSL_LOCKS_EXCLUDED(mu_);
  // Signals the sleepers whose deadline is at most now_, or all of them.
  void WakeLocked(bool all) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  mutable absl::CondVar sleeping_;  // Signalled when a thread starts sleeping.
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  // Each sleeping thread's deadline and the condition variable (on its
  // stack) it waits on.
  mutable std::multimap<absl::Time, absl::CondVar*> sleepers_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace natscope

#endif  // NATSCOPE_COMMON_SIM_CLOCK_H_
