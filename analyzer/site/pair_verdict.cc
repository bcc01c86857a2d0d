#include "analyzer/site/pair_verdict.h"

#include "absl/strings/str_cat.h"

namespace natscope::analyzer {
namespace {

using v1::NatClass;

bool IsStrict(v1::PairPolicy policy) {
  return policy != v1::PAIR_POLICY_TEXTBOOK;
}

PairJudgement Relay(std::string reason) {
  return {v1::PAIR_VERDICT_RELAY_ONLY, std::move(reason)};
}

// The hard rules (1-5). Returns false when none applies.
bool RelayRule(const NatClass& client, const NatClass& connector,
               v1::PairPolicy policy, PairJudgement* out) {
  if (connector.udp_blocked() || client.udp_blocked()) {
    *out =
        Relay(connector.udp_blocked() ? "UDP is blocked on the connector's path"
                                      : "UDP is blocked on the client's path");
    return true;
  }
  if (connector.quic_blocked() || client.quic_blocked()) {
    *out = Relay(connector.quic_blocked()
                     ? "QUIC is blocked on the connector's path"
                     : "QUIC is blocked on the client's path");
    return true;
  }
  const bool client_ed = IsEndpointDependent(client.mapping());
  const bool connector_ed = IsEndpointDependent(connector.mapping());
  if (IsStrict(policy) && (client_ed || connector_ed)) {
    *out = Relay(absl::StrCat(
        "the product needs endpoint-independent mapping on both sides; the ",
        connector_ed ? "connector's" : "client's",
        " mapping is endpoint-dependent"));
    return true;
  }
  if (client_ed && connector_ed) {
    *out = Relay("both ends use endpoint-dependent mapping");
    return true;
  }
  if (connector_ed &&
      client.filtering() == v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT) {
    *out = Relay(
        "the connector's endpoint-dependent mapping meets the client's "
        "address-and-port-dependent filtering");
    return true;
  }
  if (client_ed &&
      connector.filtering() == v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT) {
    *out = Relay(
        "the client's endpoint-dependent mapping meets the connector's "
        "address-and-port-dependent filtering");
    return true;
  }
  return false;
}

// Rule 6: what is missing to decide, or empty when nothing is.
std::string Unknown(const NatClass& client, const NatClass& connector) {
  if (connector.mapping() == v1::MAPPING_UNKNOWN) {
    return "cannot tell: the connector's NAT mapping was not measured";
  }
  if (client.mapping() == v1::MAPPING_UNKNOWN) {
    return "cannot tell: the client's NAT mapping was not measured";
  }
  if (IsEndpointDependent(client.mapping()) &&
      connector.filtering() == v1::FILTERING_UNKNOWN) {
    return "cannot tell: the client's mapping is endpoint-dependent and the "
           "connector's filtering was not measured";
  }
  if (IsEndpointDependent(connector.mapping()) &&
      client.filtering() == v1::FILTERING_UNKNOWN) {
    return "cannot tell: the connector's mapping is endpoint-dependent and "
           "the client's filtering was not measured";
  }
  return "";
}

// Rule 7's downgrade: the first risk found, or empty.
std::string Risk(const NatClass& client, const NatClass& connector) {
  if (connector.double_nat()) return "the connector is behind double NAT";
  if (client.double_nat()) return "the client is behind double NAT";
  if (connector.outbound_ports_restricted()) {
    return "the connector's outbound UDP ports are restricted";
  }
  if (client.outbound_ports_restricted()) {
    return "the client's outbound UDP ports are restricted";
  }
  return "";
}

}  // namespace

bool IsEndpointDependent(v1::MappingBehavior mapping) {
  return mapping == v1::MAPPING_ADDRESS_DEPENDENT ||
         mapping == v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT;
}

const char* PolicyName(v1::PairPolicy policy) {
  return IsStrict(policy) ? "product-strict" : "textbook";
}

PairJudgement JudgePair(const NatClass& client, const NatClass& connector,
                        v1::PairPolicy policy) {
  PairJudgement out;
  if (RelayRule(client, connector, policy, &out)) return out;
  if (std::string unknown = Unknown(client, connector); !unknown.empty()) {
    return {v1::PAIR_VERDICT_UNSPECIFIED, std::move(unknown)};
  }
  const char* base = IsEndpointDependent(client.mapping()) ||
                             IsEndpointDependent(connector.mapping())
                         ? "one end's endpoint-dependent mapping is met by "
                           "the other's permissive filtering"
                         : "both ends use endpoint-independent mapping";
  if (std::string risk = Risk(client, connector); !risk.empty()) {
    return {v1::PAIR_VERDICT_DIRECT_UNRELIABLE,
            absl::StrCat(base, ", but ", risk)};
  }
  return {v1::PAIR_VERDICT_DIRECT, base};
}

}  // namespace natscope::analyzer
