// Evidence about the path beyond STUN, behind an interface so that the
// probe can run without the host's gateway and routers (a simulated probe
// scripts it): the default gateway's port-mapping protocols, asked
// read-only, and the first hops toward a server. RealPathEvidence
// (real_path_evidence.h) is the OS adapter over ingest/netpath.
#ifndef NATSCOPE_INGEST_PROBE_PATH_EVIDENCE_H_
#define NATSCOPE_INGEST_PROBE_PATH_EVIDENCE_H_

#include <vector>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/net/socket_address.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

// How to ask the default gateway (NAT-PMP, PCP, UPnP IGD).
struct GatewayQuery {
  // Bounds the whole query.
  absl::Duration timeout;
  // How long UPnP's SSDP discovery listens for an IGD.
  absl::Duration upnp_discovery;
};

// Where to trace the first hops to.
struct TraceQuery {
  net::SocketAddress destination;
};

// Thread-safe: the two queries may run concurrently.
class PathEvidence {
 public:
  virtual ~PathEvidence() = default;

  // What the gateway's port-mapping protocols say, one observation per
  // protocol. Never fails as a whole: errors are in the observations.
  virtual std::vector<v1::GatewayObservation> QueryGateways(
      const GatewayQuery& query) = 0;

  // The hops toward query.destination, nearest first; empty when none
  // answered or the trace could not run. Waits on `clock`.
  virtual std::vector<v1::HopObservation> TraceHops(const TraceQuery& query,
                                                    const Clock& clock) = 0;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_PATH_EVIDENCE_H_
