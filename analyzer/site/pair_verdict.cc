#include "analyzer/site/pair_verdict.h"

#include <algorithm>

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

// A relay verdict one side decides.
PairJudgement RelayOn(bool connector, std::string reason) {
  PairJudgement j = Relay(std::move(reason));
  j.client_decides = !connector;
  j.connector_decides = connector;
  return j;
}

// The hard rules (1-5). Returns false when none applies.
bool RelayRule(const NatClass& client, const NatClass& connector,
               v1::PairPolicy policy, PairJudgement* out) {
  if (connector.udp_blocked() || client.udp_blocked()) {
    *out = RelayOn(connector.udp_blocked(),
                   connector.udp_blocked()
                       ? "UDP is blocked on the connector's path"
                       : "UDP is blocked on the client's path");
    return true;
  }
  if (connector.stun_discovery_unavailable()) {
    *out = RelayOn(true, "STUN discovery is unavailable on the connector");
    return true;
  }
  if (connector.quic_blocked() || client.quic_blocked()) {
    *out = RelayOn(connector.quic_blocked(),
                   connector.quic_blocked()
                       ? "QUIC is blocked on the connector's path"
                       : "QUIC is blocked on the client's path");
    return true;
  }
  const bool client_ed = IsEndpointDependent(client.mapping());
  const bool connector_ed = IsEndpointDependent(connector.mapping());
  if (IsStrict(policy) && (client_ed || connector_ed)) {
    *out = RelayOn(
        connector_ed,
        absl::StrCat("the product needs endpoint-independent mapping on "
                     "both sides; the ",
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

// "was not measured", or for a class from the log, what it lacks.
std::string NotKnown(const NatClass& c, const char* what) {
  if (c.source() == v1::EVIDENCE_SOURCE_LOG) {
    return absl::StrCat(what, " is not known (the product's log names none)");
  }
  return absl::StrCat(what, " was not measured");
}

// Rule 6: what is missing to decide (and which side lacks it), or false
// when nothing is.
bool Unknown(const NatClass& client, const NatClass& connector,
             PairJudgement* out) {
  std::string reason;
  bool connector_lacks = true;
  if (connector.mapping() == v1::MAPPING_UNKNOWN) {
    reason = NotKnown(connector, "the connector's NAT mapping");
  } else if (client.mapping() == v1::MAPPING_UNKNOWN) {
    reason = NotKnown(client, "the client's NAT mapping");
    connector_lacks = false;
  } else if (IsEndpointDependent(client.mapping()) &&
             connector.filtering() == v1::FILTERING_UNKNOWN) {
    reason = absl::StrCat("the client's mapping is endpoint-dependent and ",
                          NotKnown(connector, "the connector's filtering"));
  } else if (IsEndpointDependent(connector.mapping()) &&
             client.filtering() == v1::FILTERING_UNKNOWN) {
    reason = absl::StrCat("the connector's mapping is endpoint-dependent and ",
                          NotKnown(client, "the client's filtering"));
    connector_lacks = false;
  } else {
    return false;
  }
  out->verdict = v1::PAIR_VERDICT_UNSPECIFIED;
  out->reason = absl::StrCat("cannot tell: ", reason);
  out->client_decides = !connector_lacks;
  out->connector_decides = connector_lacks;
  return true;
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
  if (connector.outbound_ips_restricted()) {
    return "the connector's outbound UDP destinations are restricted";
  }
  if (client.outbound_ips_restricted()) {
    return "the client's outbound UDP destinations are restricted";
  }
  return "";
}

// Orders verdicts from worst: cannot tell, relay, unreliable, direct.
int Rank(v1::PairVerdict verdict) {
  switch (verdict) {
    case v1::PAIR_VERDICT_RELAY_ONLY:
      return 1;
    case v1::PAIR_VERDICT_DIRECT_UNRELIABLE:
      return 2;
    case v1::PAIR_VERDICT_DIRECT:
      return 3;
    default:
      return 0;
  }
}

// Orders sources from weakest: nothing known, then the log, then probes.
int Strength(v1::EvidenceSource source) {
  switch (source) {
    case v1::EVIDENCE_SOURCE_UNSPECIFIED:
      return 0;
    case v1::EVIDENCE_SOURCE_LOG:
      return 1;
    default:
      return 2;
  }
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
  PairJudgement four = JudgeFamily(client, connector, policy);
  if (four.verdict == v1::PAIR_VERDICT_DIRECT || !client.has_ipv6() ||
      !connector.has_ipv6()) {
    return four;
  }
  PairJudgement six = JudgeFamily(client.ipv6(), connector.ipv6(), policy);
  if (Rank(six.verdict) <= Rank(four.verdict)) return four;
  six.reason = absl::StrCat("over IPv6, ", six.reason, " (over IPv4, ",
                            four.reason, ")");
  return six;
}

PairJudgement JudgeFamily(const NatClass& client, const NatClass& connector,
                          v1::PairPolicy policy) {
  PairJudgement out;
  if (RelayRule(client, connector, policy, &out)) return out;
  if (Unknown(client, connector, &out)) return out;
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

v1::EvidenceSource PairSource(const PairJudgement& judgement,
                              const NatClass& client,
                              const NatClass& connector) {
  int weakest = 2;
  if (judgement.client_decides) {
    weakest = std::min(weakest, Strength(client.source()));
  }
  if (judgement.connector_decides) {
    weakest = std::min(weakest, Strength(connector.source()));
  }
  switch (weakest) {
    case 0:
      return v1::EVIDENCE_SOURCE_UNSPECIFIED;
    case 1:
      return v1::EVIDENCE_SOURCE_LOG;
    default:
      return v1::EVIDENCE_SOURCE_PROBE;
  }
}

}  // namespace natscope::analyzer
