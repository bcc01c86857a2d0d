#include "ingest/upload/backoff.h"

#include <algorithm>
#include <cmath>

namespace natscope::ingest {

Backoff::Backoff(BackoffOptions options, std::function<double()> uniform)
    : options_(options), uniform_(std::move(uniform)) {}

absl::Duration Backoff::Next(std::optional<absl::Duration> server_delay) {
  // Capping the exponent keeps pow() finite however long the outage.
  const double factor = std::pow(options_.multiplier, std::min(failures_, 60));
  const absl::Duration ceiling =
      std::min(options_.max, options_.initial * std::min(factor, 1e9));
  ++failures_;
  const double u = std::clamp(uniform_(), 0.0, 1.0);
  absl::Duration wait = ceiling * (1.0 - options_.jitter * u);
  if (server_delay.has_value() && *server_delay > absl::ZeroDuration()) {
    const absl::Duration asked =
        std::min(*server_delay, options_.max_server_delay);
    wait = std::max(wait, asked * (1.0 + options_.server_delay_spread * u));
  }
  return wait;
}

}  // namespace natscope::ingest
