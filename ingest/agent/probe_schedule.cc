#include "ingest/agent/probe_schedule.h"

#include <algorithm>

namespace natscope::ingest {

ProbeSchedule::ProbeSchedule(ProbeScheduleOptions options, absl::Time start)
    : options_(options), next_(start) {}

void ProbeSchedule::Probed(absl::Time now, double u) {
  last_ = now;
  const double factor = 1.0 + options_.jitter * (2.0 * u - 1.0);
  next_ = now + options_.interval * factor;
}

void ProbeSchedule::NetworkChanged(absl::Time now) {
  const absl::Time earliest =
      last_ == absl::InfinitePast() ? now : last_ + options_.min_gap;
  next_ = std::min(next_, std::max(now + options_.settle, earliest));
}

void ProbeSchedule::Requested(absl::Time now) {
  const absl::Time earliest = last_ == absl::InfinitePast()
                                  ? now
                                  : std::max(now, last_ + options_.request_gap);
  next_ = std::min(next_, earliest);
}

}  // namespace natscope::ingest
