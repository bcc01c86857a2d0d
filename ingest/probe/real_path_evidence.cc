#include "ingest/probe/real_path_evidence.h"

#include <utility>

#include "ingest/netpath/firewalk_round.h"
#include "ingest/netpath/port_mapping.h"
#include "ingest/netpath/stun_tcp.h"
#include "ingest/netpath/ttl_probe.h"

namespace natscope::ingest {

std::vector<v1::GatewayObservation> RealPathEvidence::QueryGateways(
    const GatewayQuery& query) {
  // pmp_server left unset: QueryGateways asks the default gateway on the
  // NAT-PMP/PCP port (5351). (Setting it to DefaultGateway(), whose port
  // is 0, sent both queries to port 0 of the gateway.)
  return ingest::QueryGateways(PortMappingOptions(), *query.answer,
                               *query.finish);
}

std::vector<v1::HopObservation> RealPathEvidence::TraceHops(
    const TraceQuery& query, const Clock& clock) {
  TtlProbeOptions options;
  options.destination = query.destination;
  options.deadline = query.deadline;
  auto traced = ingest::TraceHops(options, clock);
  if (!traced.ok()) return {};
  return std::move(traced->hops);
}

absl::StatusOr<FirewalkRound> RealPathEvidence::Firewalk(
    const FirewalkRoundOptions& round, const Clock& clock) {
  return RunFirewalkRound(round, clock);
}

v1::TcpStunObservation RealPathEvidence::StunOverTcp(const TcpStunQuery& query,
                                                     const Clock& clock) {
  return StunBindingOverTcp({query.server, query.deadline}, clock);
}

}  // namespace natscope::ingest
