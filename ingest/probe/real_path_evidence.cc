#include "ingest/probe/real_path_evidence.h"

#include <utility>

#include "ingest/netpath/port_mapping.h"
#include "ingest/netpath/ttl_probe.h"

namespace natscope::ingest {

std::vector<v1::GatewayObservation> RealPathEvidence::QueryGateways(
    const GatewayQuery& query) {
  PortMappingOptions options;
  options.timeout = query.timeout;
  options.upnp_discovery = query.upnp_discovery;
  // pmp_server left unset: QueryGateways asks the default gateway on the
  // NAT-PMP/PCP port (5351). (Setting it to DefaultGateway(), whose port
  // is 0, sent both queries to port 0 of the gateway.)
  return ingest::QueryGateways(options);
}

std::vector<v1::HopObservation> RealPathEvidence::TraceHops(
    const TraceQuery& query, const Clock& clock) {
  TtlProbeOptions options;
  options.destination = query.destination;
  auto traced = ingest::TraceHops(options, clock);
  if (!traced.ok()) return {};
  return std::move(traced->hops);
}

}  // namespace natscope::ingest
