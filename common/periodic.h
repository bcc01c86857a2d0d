// A background thread that runs a function every `interval` until stopped.
// Stop() (or the destructor) wakes it at once and joins it, so shutdown
// never waits out an interval.
#ifndef NATSCOPE_COMMON_PERIODIC_H_
#define NATSCOPE_COMMON_PERIODIC_H_

#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace natscope {

class Periodic {
 public:
  // Runs `fn` after `first_delay`, then `interval` after each run ends.
  // `fn` returns how long to wait before the next run instead, or
  // absl::ZeroDuration() to keep `interval`.
  Periodic(std::string name, absl::Duration first_delay, absl::Duration interval,
           std::function<absl::Duration()> fn);
  ~Periodic();
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

  // Runs `fn` as soon as possible (coalesced with a pending request).
  void Poke();
  // Waits for a running `fn` to return; idempotent.
  void Stop();

 private:
  void Loop(absl::Duration first_delay);

  const std::string name_;
  const absl::Duration interval_;
  const std::function<absl::Duration()> fn_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool poked_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace natscope

#endif  // NATSCOPE_COMMON_PERIODIC_H_
