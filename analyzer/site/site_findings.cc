#include "analyzer/site/site_findings.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"

namespace natscope::analyzer {
namespace {

struct CodeText {
  v1::FindingCode code;
  // Completes "... on 2 connectors and 1 client".
  const char* summary;
  const char* remediation;
};

// In troubleshooting order (the seed's: UDP/QUIC, outbound rules, double
// NAT, NAT type), then the server's own cross-checks.
const CodeText kTexts[] = {
    {v1::FINDING_UDP_BLOCKED, "UDP is blocked",
     "Allow outbound UDP from the affected hosts to any address and any "
     "port. Start with the connectors' firewalls (clients rarely block it), "
     "then the clients' networks."},
    {v1::FINDING_QUIC_BLOCKED, "QUIC is blocked",
     "Stop the firewall from blocking QUIC: some firewalls drop it by "
     "default, which breaks peer-to-peer. Check the connectors' side first, "
     "then the clients'."},
    {v1::FINDING_OUTBOUND_PORTS_RESTRICTED, "Outbound UDP ports are restricted",
     "Allow outbound UDP to every destination address and port: a peer's "
     "public address and port cannot be known in advance. Check the "
     "connectors' outbound rules first, then the clients'."},
    {v1::FINDING_OUTBOUND_IPS_RESTRICTED,
     "Outbound UDP is restricted to some destinations",
     "Allow outbound UDP to every destination address, not only the "
     "product's servers: peers' public addresses cannot be listed in "
     "advance. Check the connectors' outbound rules first, then the "
     "clients'."},
    {v1::FINDING_DOUBLE_NAT, "Two NAT layers are in front",
     "Remove one NAT layer: put the inner router in bridge or access-point "
     "mode, or give the host an address on the outer network. It most often "
     "happens on the client side, where a router was added behind the "
     "ISP's."},
    {v1::FINDING_CGNAT, "The ISP adds carrier-grade NAT",
     "Ask the ISP for a public IPv4 address or use IPv6; host connectors on "
     "a network with a public address."},
    {v1::FINDING_STUN_DISCOVERY_UNAVAILABLE, "STUN discovery is unavailable",
     "Allow the affected connectors outbound UDP to any address and port, "
     "then check that the admin console reports STUN Discovery as Available "
     "for every connector."},
    {v1::FINDING_AWS_NAT_GATEWAY, "An AWS NAT gateway is in front",
     "AWS NAT gateways are not NAT-traversal friendly: give the connector a "
     "public address (an Elastic IP on a public subnet) or route it through "
     "a NAT instance with endpoint-independent mapping."},
    {v1::FINDING_ENDPOINT_DEPENDENT_MAPPING,
     "The NAT maps endpoint-dependently",
     "Configure the firewall to use endpoint-independent mapping for these "
     "hosts (often called static port, persistent or full-cone NAT); most "
     "enterprise firewalls can change the NAT type for single endpoints "
     "such as connectors. Start with the connectors."},
    {v1::FINDING_LOG_PROBE_DISAGREE,
     "The product's log and the probe disagree on the NAT type",
     "Probe the affected hosts again and compare with the product's next "
     "stun_nat_type line; a lasting disagreement points to several network "
     "paths (VPN, several uplinks) or a NAT that changed."},
    {v1::FINDING_RELAYED_DESPITE_COMPATIBLE,
     "Tunnels are relayed although both ends look compatible",
     "Check the connectors' firewalls for UDP rules the probe did not "
     "exercise (destination ports, rate limits, QUIC inspection), then the "
     "clients' outbound rules, then look for a double NAT the probe could "
     "not see."},
};

const CodeText* TextOf(v1::FindingCode code) {
  for (const CodeText& t : kTexts) {
    if (t.code == code) return &t;
  }
  return nullptr;
}

std::string Plural(uint32_t n, const char* noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

// Connectors first, then clients, then others; each by id.
using AgentKey = std::tuple<int, std::string>;

AgentKey KeyOf(const v1::AgentView& agent) {
  const v1::Role role = agent.identity().role();
  const int order =
      role == v1::ROLE_CONNECTOR ? 0 : (role == v1::ROLE_CLIENT ? 1 : 2);
  return {order, agent.identity().agent_id()};
}

struct AgentEntry {
  std::vector<std::string> evidence;  // In the order found.
  v1::EvidenceSource source = v1::EVIDENCE_SOURCE_UNSPECIFIED;
};

struct Bucket {
  v1::Severity severity = v1::SEVERITY_UNSPECIFIED;
  std::map<AgentKey, AgentEntry> agents;
};

v1::SiteFinding Finish(v1::FindingCode code, const Bucket& bucket) {
  v1::SiteFinding out;
  out.set_code(code);
  out.set_severity(bucket.severity);
  for (const auto& [key, entry] : bucket.agents) {
    const auto& [order, id] = key;
    out.add_agent_ids(id);
    out.add_sources(entry.source);
    if (order == 0) out.set_affected_connectors(out.affected_connectors() + 1);
    if (order == 1) out.set_affected_clients(out.affected_clients() + 1);
    for (const std::string& e : entry.evidence) {
      out.add_evidence(absl::StrCat(id, ": ", e));
    }
  }
  const CodeText* text = TextOf(code);
  std::string where;
  if (out.affected_connectors() > 0) {
    where = Plural(out.affected_connectors(), "connector");
  }
  if (out.affected_clients() > 0) {
    absl::StrAppend(&where, where.empty() ? "" : " and ",
                    Plural(out.affected_clients(), "client"));
  }
  if (where.empty()) where = Plural(out.agent_ids_size(), "agent");
  out.set_summary(
      absl::StrCat(text != nullptr ? text->summary : v1::FindingCode_Name(code),
                   " on ", where));
  out.set_remediation(SiteRemediation(code));
  return out;
}

}  // namespace

int TroubleshootingRank(v1::FindingCode code) {
  for (size_t i = 0; i < std::size(kTexts); ++i) {
    if (kTexts[i].code == code) return static_cast<int>(i);
  }
  return static_cast<int>(std::size(kTexts));
}

const std::string& SiteRemediation(v1::FindingCode code) {
  static const auto* const kByCode = [] {
    auto* m = new std::map<v1::FindingCode, std::string>;
    for (const CodeText& t : kTexts) (*m)[t.code] = t.remediation;
    return m;
  }();
  static const std::string* const kEmpty = new std::string;
  auto it = kByCode->find(code);
  return it == kByCode->end() ? *kEmpty : it->second;
}

std::vector<v1::SiteFinding> AggregateFindings(
    absl::Span<const AgentFindingRef> found) {
  std::map<std::pair<int, v1::FindingCode>, Bucket> buckets;
  for (const AgentFindingRef& ref : found) {
    const v1::FindingCode code = ref.finding.code();
    Bucket& b = buckets[{TroubleshootingRank(code), code}];
    b.severity = std::max(b.severity, ref.finding.severity());
    AgentEntry& entry = b.agents[KeyOf(*ref.agent)];
    if (entry.source == v1::EVIDENCE_SOURCE_UNSPECIFIED) {
      entry.source = ref.finding.source();
    }
    for (const std::string& e : ref.finding.evidence()) {
      entry.evidence.push_back(e);
    }
  }
  std::vector<v1::SiteFinding> out;
  for (const auto& [key, bucket] : buckets) {
    out.push_back(Finish(key.second, bucket));
  }
  return out;
}

}  // namespace natscope::analyzer
