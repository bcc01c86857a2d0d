// The agent's probe thread: probes on the schedule of ProbeSchedule (every
// interval with jitter, the first at once, again shortly after the host's
// network changed, and when the server asks: RequestProbe) and spools each
// report as a record. A failed
// probe is logged and kept as the last error; while the spool is full the
// report waits (re-tried every second) so that none is dropped.
//
// The probe itself is injected (ingest/probe's Probe in production), and
// the loop reads and sleeps only on the injected Clock, so a test runs a
// day of probes on a SimClock in milliseconds. Not thread-safe: Run on one
// thread; RequestProbe from any; the spool and the state may be shared
// with other threads.
#ifndef NATSCOPE_INGEST_AGENT_PROBE_LOOP_H_
#define NATSCOPE_INGEST_AGENT_PROBE_LOOP_H_

#include <atomic>
#include <functional>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "ingest/agent/agent_state.h"
#include "ingest/agent/probe_schedule.h"
#include "ingest/netwatch/network_changes.h"
#include "ingest/spool/spool.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

// One probe of this host's network, e.g.
//   [&] { return Probe(probe_options, clock); }
using ProbeFunction = std::function<absl::StatusOr<v1::ProbeReport>()>;

struct ProbeLoopOptions {
  ProbeScheduleOptions schedule;
  // How often a report is offered again to a full spool.
  absl::Duration spool_full_retry = absl::Seconds(1);
};

class ProbeLoop {
 public:
  // `network` may be null (probes follow the schedule alone). `uniform`
  // returns values in [0, 1) (the schedule's jitter). Every pointer and
  // `clock` must outlive the loop.
  ProbeLoop(ProbeLoopOptions options, ProbeFunction probe,
            NetworkChanges* network, Spool* spool,
            std::function<double()> uniform, const Clock& clock,
            AgentState* state);

  // Probes until `*stop` becomes true. The schedule starts at the call:
  // the first probe runs at once.
  void Run(const std::atomic<bool>* stop);

  // Thread-safe: the server asked for a probe. Run probes as soon as the
  // probe in progress (if any) is over and the schedule's request_gap
  // since the last one allows (ProbeSchedule::Requested).
  void RequestProbe();

 private:
  // Waits for the next probe or a network change; true when a probe is due.
  bool WaitForProbe(ProbeSchedule& schedule, const std::atomic<bool>* stop);
  void ProbeOnce(const std::atomic<bool>* stop);

  const ProbeLoopOptions options_;
  const ProbeFunction probe_;
  NetworkChanges* const network_;
  Spool* const spool_;
  const std::function<double()> uniform_;
  const Clock& clock_;
  AgentState* const state_;
  // RequestProbe sets both; Run consumes `requested_` and sleeps on
  // `wake_`, which cuts its sleep short.
  std::atomic<bool> requested_{false};
  std::atomic<bool> wake_{false};
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_AGENT_PROBE_LOOP_H_
