// Probes this host's path to the internet and returns a classified
// ProbeReport: UDP reachability, RFC 5780 mapping and filtering behaviour,
// outbound port rules and, when asked, QUIC.
//
// Measurement only; every verdict comes from analyzer::ClassifyProbe, so
// the server can re-decide from the same evidence. The plan is built by
// pure functions (probe_plan.h) and run by a thin executor
// (probe_executor.h, which also takes an injected network). Independent
// tests run concurrently, each on its own socket, with waits adapted to
// the measured round-trip time. Blocking; thread-safe (no shared state).
#ifndef NATSCOPE_INGEST_PROBE_PROBER_H_
#define NATSCOPE_INGEST_PROBE_PROBER_H_

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "ingest/probe/probe_options.h"
#include "ingest/probe/probe_plan.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

// Probes over the host's real sockets, gateway and routers; `clock` times
// every wait. InvalidArgument/NotFound when a server address is bad or
// does not resolve; FailedPrecondition when no socket can be opened. An
// unanswered probe is not an error: it is a report with udp_reachable =
// false.
absl::StatusOr<v1::ProbeReport> Probe(const ProbeOptions& options,
                                      const Clock& clock);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_PROBER_H_
