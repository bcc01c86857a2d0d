// The current time, injected so that logic with timeouts can be tested
// with a clock that tests move by hand.
#ifndef NATSCOPE_COMMON_CLOCK_H_
#define NATSCOPE_COMMON_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace natscope {

// Thread-safe implementations only.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The system's wall clock.
class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  // A process-wide instance; never destroyed.
  static const Clock& Get() {
    static const RealClock* const clock = new RealClock();
    return *clock;
  }
};

}  // namespace natscope

#endif  // NATSCOPE_COMMON_CLOCK_H_
