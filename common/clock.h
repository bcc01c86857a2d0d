// The current time and waiting for it, injected so that logic with
// timeouts and schedules can be tested with a simulated clock (SimClock,
// common/sim_clock.h) that runs hours in milliseconds.
#ifndef NATSCOPE_COMMON_CLOCK_H_
#define NATSCOPE_COMMON_CLOCK_H_

#include <algorithm>
#include <atomic>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace natscope {

// Thread-safe implementations only.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // Blocks until Now() reaches `deadline` or `*stop` or `*wake` (either may
  // be null) becomes true, whichever comes first; returns false when
  // stopped or woken. `wake` is a second flag for another thread to cut the
  // sleep short (work arrived) while `stop` ends the caller's loop. A
  // deadline in the past returns at once. A flag is noticed within 50 ms
  // of real time.
  virtual bool SleepUntil(absl::Time deadline,
                          const std::atomic<bool>* stop = nullptr,
                          const std::atomic<bool>* wake = nullptr) const = 0;
  bool SleepFor(absl::Duration d,
                const std::atomic<bool>* stop = nullptr) const {
    return SleepUntil(Now() + d, stop);
  }
};

// The system's wall clock.
class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  bool SleepUntil(absl::Time deadline, const std::atomic<bool>* stop = nullptr,
                  const std::atomic<bool>* wake = nullptr) const override {
    for (;;) {
      if (stop != nullptr && stop->load()) return false;
      if (wake != nullptr && wake->load()) return false;
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) return true;
      absl::SleepFor(std::min(left, absl::Milliseconds(50)));
    }
  }
  // A process-wide instance; never destroyed.
  static const Clock& Get() {
    static const RealClock* const clock = new RealClock();
    return *clock;
  }
};

}  // namespace natscope

#endif  // NATSCOPE_COMMON_CLOCK_H_
