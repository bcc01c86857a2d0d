// When the agent probes next: every `interval` with random jitter (so a
// fleet restarted together does not probe in lockstep), again shortly
// after the host's network changed, debounced, and at once when the server
// asks, at most once a `request_gap`. Pure: time and randomness are passed
// in. Not thread-safe.
#ifndef NATSCOPE_INGEST_AGENT_PROBE_SCHEDULE_H_
#define NATSCOPE_INGEST_AGENT_PROBE_SCHEDULE_H_

#include "absl/time/time.h"

namespace natscope::ingest {

struct ProbeScheduleOptions {
  absl::Duration interval = absl::Minutes(5);
  // Each wait is interval * (1 + u), u uniform in [-jitter, +jitter].
  double jitter = 0.1;
  // After a network change, probe this long after the last change seen
  // (changes come in bursts while an interface comes up).
  absl::Duration settle = absl::Seconds(5);
  // Never probe more often than this, whatever the network does.
  absl::Duration min_gap = absl::Seconds(30);
  // A probe the server asks for (AdminService.RequestProbe) runs at once,
  // but at least this long after the previous probe started.
  absl::Duration request_gap = absl::Minutes(1);
};

class ProbeSchedule {
 public:
  // The first probe is due at `start`.
  ProbeSchedule(ProbeScheduleOptions options, absl::Time start);

  bool Due(absl::Time now) const { return now >= next_; }
  absl::Time next() const { return next_; }

  // A probe started at `now`; `u` is a uniform random number in [0, 1)
  // that picks the jitter.
  void Probed(absl::Time now, double u);
  // The network changed at `now`: move the next probe earlier (never
  // before last probe + min_gap).
  void NetworkChanged(absl::Time now);
  // The server asked for a probe at `now`: move the next probe to now, or
  // to last probe + request_gap when that is later (never later than it
  // was).
  void Requested(absl::Time now);

 private:
  ProbeScheduleOptions options_;
  absl::Time next_;
  absl::Time last_ = absl::InfinitePast();
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_AGENT_PROBE_SCHEDULE_H_
