#include "analyzer/reported_nat_type.h"

#include "absl/strings/match.h"

namespace natscope::analyzer {

using natscope::v1::FilteringBehavior;
using natscope::v1::MappingBehavior;

std::string ReportedNatType(absl::string_view log_nat_type,
                            const natscope::v1::ProbeReport* latest_probe) {
  // The product's own view wins: it is what decided its tunnels. Some
  // product versions log "unknown" when their discovery failed; the probe
  // then knows more.
  if (!log_nat_type.empty() &&
      !absl::EqualsIgnoreCase(log_nat_type, kNatTypeUnknown)) {
    return std::string(log_nat_type);
  }
  if (latest_probe == nullptr) return std::string(kNatTypeUnknown);
  return std::string(ProbeNatType(*latest_probe));
}

absl::string_view ProbeNatType(const natscope::v1::ProbeReport& probe) {
  if (!probe.udp_reachable()) return kNatTypeUdpBlocked;
  switch (probe.mapping_behavior()) {
    case natscope::v1::MAPPING_NO_NAT:
      return kNatTypeNoNat;
    case natscope::v1::MAPPING_ENDPOINT_INDEPENDENT:
      return kNatTypeEndpointIndependent;
    case natscope::v1::MAPPING_ADDRESS_DEPENDENT:
    case natscope::v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT:
      return kNatTypeEndpointDependent;
    default:
      return kNatTypeUnknown;
  }
}

absl::string_view ClassicNatName(MappingBehavior mapping,
                                 FilteringBehavior filtering) {
  switch (mapping) {
    case natscope::v1::MAPPING_NO_NAT:
      return "no NAT";
    case natscope::v1::MAPPING_ADDRESS_DEPENDENT:
    case natscope::v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT:
      return "symmetric";
    case natscope::v1::MAPPING_ENDPOINT_INDEPENDENT:
      break;
    default:
      return "unknown";
  }
  switch (filtering) {
    case natscope::v1::FILTERING_ENDPOINT_INDEPENDENT:
      return "full cone";
    case natscope::v1::FILTERING_ADDRESS_DEPENDENT:
      return "restricted cone";
    case natscope::v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT:
      return "port-restricted cone";
    default:
      return "unknown";
  }
}

}  // namespace natscope::analyzer
