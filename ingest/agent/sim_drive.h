// For tests of the agent's loops on a simulated clock: runs one loop on a
// thread of its own and moves the clock from one of its wakes to the next
// (SimClock::AdvanceToNextWake) until it returns or the time reaches
// `limit`; then sets `*stop`, wakes it, and waits for it to return.
//
// `body` must sleep only on `clock` (as the loops do) and return once
// `*stop` is true. Never reads the wall clock for a verdict: the short
// real-time waits below only decide when to look again.
#ifndef NATSCOPE_INGEST_AGENT_SIM_DRIVE_H_
#define NATSCOPE_INGEST_AGENT_SIM_DRIVE_H_

#include <atomic>
#include <functional>
#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/sim_clock.h"

namespace natscope::ingest {

inline void DriveUntilDone(SimClock& clock, absl::Time limit,
                           std::atomic<bool>* stop,
                           const std::function<void()>& body) {
  std::atomic<bool> done{false};
  std::thread thread([&] {
    body();
    done = true;
  });
  while (!done.load() && clock.Now() < limit) {
    clock.AdvanceToNextWake(1, limit, absl::Milliseconds(20));
  }
  stop->store(true);
  while (!done.load()) {
    clock.Advance(absl::ZeroDuration());  // Sleepers re-check `*stop`.
    absl::SleepFor(absl::Milliseconds(1));
  }
  thread.join();
}

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_AGENT_SIM_DRIVE_H_
