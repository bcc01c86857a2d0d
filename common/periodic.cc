#include "common/periodic.h"

#include <utility>

namespace natscope {

Periodic::Periodic(std::string name, absl::Duration first_delay,
                   absl::Duration interval, std::function<absl::Duration()> fn)
    : name_(std::move(name)), interval_(interval), fn_(std::move(fn)) {
  thread_ = std::thread([this, first_delay] { Loop(first_delay); });
}

Periodic::~Periodic() { Stop(); }

void Periodic::Poke() {
  absl::MutexLock lock(&mu_);
  poked_ = true;
}

void Periodic::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Periodic::Loop(absl::Duration wait) {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto woken = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return stop_ || poked_;
      };
      mu_.AwaitWithTimeout(absl::Condition(&woken), wait);
      if (stop_) return;
      poked_ = false;
    }
    const absl::Duration next = fn_();
    wait = next == absl::ZeroDuration() ? interval_ : next;
  }
}

}  // namespace natscope
