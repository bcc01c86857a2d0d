// The real PathEvidence: NAT-PMP, PCP and UPnP IGD to the host's default
// gateway (ingest/netpath/port_mapping.h), TTL-limited probes
// (ingest/netpath/ttl_probe.h, firewalk_round.h) and STUN over TCP
// (ingest/netpath/stun_tcp.h). Thread-safe, stateless.
#ifndef NATSCOPE_INGEST_PROBE_REAL_PATH_EVIDENCE_H_
#define NATSCOPE_INGEST_PROBE_REAL_PATH_EVIDENCE_H_

#include <vector>

#include "ingest/probe/path_evidence.h"

namespace natscope::ingest {

class RealPathEvidence final : public PathEvidence {
 public:
  // The gateway is the one of the default route (/proc/net/route); without
  // one, NAT-PMP and PCP observations say so. Its deadlines are read
  // against absl::Now(): the probe's clock must be the real one.
  std::vector<v1::GatewayObservation> QueryGateways(
      const GatewayQuery& query) override;
  std::vector<v1::HopObservation> TraceHops(const TraceQuery& query,
                                            const Clock& clock) override;
  absl::StatusOr<FirewalkRound> Firewalk(const FirewalkRoundOptions& round,
                                         const Clock& clock) override;
  v1::TcpStunObservation StunOverTcp(const TcpStunQuery& query,
                                     const Clock& clock) override;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_REAL_PATH_EVIDENCE_H_
