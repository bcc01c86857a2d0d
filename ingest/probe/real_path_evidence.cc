#include "ingest/probe/real_path_evidence.h"

#include <utility>

#include "ingest/evidence/default_gateway.h"
#include "ingest/evidence/port_mapping.h"
#include "ingest/evidence/ttl_probe.h"

namespace natscope::ingest {

std::vector<v1::GatewayObservation> RealPathEvidence::QueryGateways(
    const GatewayQuery& query) {
  PortMappingOptions options;
  options.timeout = query.timeout;
  options.upnp_discovery = query.upnp_discovery;
  auto gateway = DefaultGateway();
  if (gateway.ok()) options.pmp_server = *gateway;
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
