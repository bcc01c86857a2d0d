// Evidence about the path beyond STUN over UDP, behind an interface so
// that the probe can run without the host's gateway, routers and sockets
// (a simulated probe scripts it): the default gateway's port-mapping
// protocols, asked read-only, the first hops toward a server, firewalking
// rounds, and STUN over TCP. RealPathEvidence (real_path_evidence.h) is
// the OS adapter over ingest/netpath.
#ifndef NATSCOPE_INGEST_PROBE_PATH_EVIDENCE_H_
#define NATSCOPE_INGEST_PROBE_PATH_EVIDENCE_H_

#include <vector>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/net/socket_address.h"
#include "ingest/netpath/deadline.h"
#include "ingest/netpath/firewalk_round.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

// How to ask the default gateway (NAT-PMP, PCP, UPnP IGD). The deadlines
// are not owned and must outlive the call; another thread may bring them
// forward while it runs (ingest/netpath/deadline.h). `answer` is not
// later than `finish`.
struct GatewayQuery {
  // By when the gateway must have answered NAT-PMP, PCP and UPnP's SSDP
  // discovery.
  const Deadline* answer = nullptr;
  // By when the whole query ends, UPnP's description and
  // GetExternalIPAddress included.
  const Deadline* finish = nullptr;
};

// Where to trace the first hops to, and by when (not owned, as above).
struct TraceQuery {
  net::SocketAddress destination;
  const Deadline* deadline = nullptr;
};

// Where to try a STUN Binding over TCP, and by when (not owned, as above).
struct TcpStunQuery {
  net::SocketAddress server;
  const Deadline* deadline = nullptr;
};

// Thread-safe: the queries may run concurrently.
class PathEvidence {
 public:
  virtual ~PathEvidence() = default;

  // What the gateway's port-mapping protocols say, one observation per
  // protocol. Never fails as a whole: errors are in the observations, and
  // one that got no answer by its deadline says so ("no answer ... within
  // 101ms (waits follow ...)"), never more.
  virtual std::vector<v1::GatewayObservation> QueryGateways(
      const GatewayQuery& query) = 0;

  // The hops toward query.destination that answered by the deadline,
  // nearest first; empty when none did or the trace could not run. Waits
  // on `clock`.
  virtual std::vector<v1::HopObservation> TraceHops(const TraceQuery& query,
                                                    const Clock& clock) = 0;

  // One round of firewalking (ingest/netpath/firewalk_round.h). Waits on
  // `clock`.
  virtual absl::StatusOr<FirewalkRound> Firewalk(
      const FirewalkRoundOptions& round, const Clock& clock) = 0;

  // One STUN Binding over TCP to query.server (RFC 8489 framing), ended by
  // the deadline (ingest/netpath/stun_tcp.h): answered, refused,
  // unreachable or a bad answer. Never fails as a whole; the observation's
  // outcome and error say what happened. Waits on `clock`.
  virtual v1::TcpStunObservation StunOverTcp(const TcpStunQuery& query,
                                             const Clock& clock) = 0;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_PATH_EVIDENCE_H_
