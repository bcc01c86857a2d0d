#include "analyzer/site/site_health.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analyzer/reported_nat_type.h"
#include "analyzer/site/pair_verdict.h"
#include "common/proto_time.h"
#include "analyzer/site/site_findings.h"

namespace natscope::analyzer {
namespace {

// Every NatClass field but the label, so that equal classes share a cell.
using ClassKey = std::tuple<bool, int, int, bool, bool, bool, bool, int, bool>;

ClassKey KeyOf(const v1::NatClass& c) {
  return {c.udp_blocked(),
          c.mapping(),
          c.filtering(),
          c.quic_blocked(),
          c.outbound_ports_restricted(),
          c.double_nat(),
          c.outbound_ips_restricted(),
          c.source(),
          c.stun_discovery_unavailable()};
}

struct ClassGroup {
  v1::NatClass nat_class;
  uint32_t agents = 0;
};

using Groups = std::map<ClassKey, ClassGroup>;

void Add(const v1::AgentView& agent, Groups* groups) {
  ClassGroup& g = (*groups)[KeyOf(agent.nat_class())];
  g.nat_class = agent.nat_class();
  ++g.agents;
}

bool IsCapable(v1::PairVerdict v) {
  return v == v1::PAIR_VERDICT_DIRECT ||
         v == v1::PAIR_VERDICT_DIRECT_UNRELIABLE;
}

void CountBehaviours(absl::Span<const v1::AgentView> agents,
                     v1::SiteHealthView* out) {
  std::map<std::pair<int, int>, uint32_t> mapping, filtering;
  std::map<std::pair<int, std::string>, uint32_t> classic;
  std::map<int, uint32_t> freshness;
  for (const v1::AgentView& a : agents) {
    ++freshness[a.freshness()];
    const v1::Role role = a.identity().role();
    if (role == v1::ROLE_CLIENT) out->set_clients(out->clients() + 1);
    if (role == v1::ROLE_CONNECTOR) out->set_connectors(out->connectors() + 1);
    if (role == v1::ROLE_UNSPECIFIED) continue;
    // Counted from what the agent's class rests on: the log when it
    // replaced the probe, else the (latest) probe.
    const v1::NatClass& c = a.nat_class();
    const bool log = c.source() == v1::EVIDENCE_SOURCE_LOG;
    ++mapping[{role, log ? c.mapping() : a.probe().mapping_behavior()}];
    ++filtering[{role, log ? c.filtering() : a.probe().filtering_behavior()}];
    ++classic[{role, log ? std::string(ClassicNatName(c.mapping(),
                                                        c.filtering()))
                         : (a.has_probe() ? a.probe().classic_nat_type()
                                          : std::string("unknown"))}];
  }
  for (const auto& [k, n] : mapping) {
    v1::MappingCount* c = out->add_by_mapping();
    c->set_role(static_cast<v1::Role>(k.first));
    c->set_mapping(static_cast<v1::MappingBehavior>(k.second));
    c->set_agents(n);
  }
  for (const auto& [k, n] : filtering) {
    v1::FilteringCount* c = out->add_by_filtering();
    c->set_role(static_cast<v1::Role>(k.first));
    c->set_filtering(static_cast<v1::FilteringBehavior>(k.second));
    c->set_agents(n);
  }
  for (const auto& [k, n] : classic) {
    v1::ClassicTypeCount* c = out->add_by_classic_type();
    c->set_role(static_cast<v1::Role>(k.first));
    c->set_classic_nat_type(k.second);
    c->set_agents(n);
  }
  for (const auto& [k, n] : freshness) {
    v1::FreshnessCount* c = out->add_by_freshness();
    c->set_freshness(static_cast<v1::Freshness>(k));
    c->set_agents(n);
  }
}

// Fills pair_matrix and the p2p share; returns the verdict per
// (client class, connector class).
std::map<std::pair<ClassKey, ClassKey>, v1::PairVerdict> JudgeMatrix(
    const Groups& clients, const Groups& connectors, v1::PairPolicy policy,
    v1::SiteHealthView* out) {
  std::map<std::pair<ClassKey, ClassKey>, v1::PairVerdict> verdicts;
  uint32_t capable = 0;
  for (const auto& [ck, client] : clients) {
    bool any = false;
    for (const auto& [nk, connector] : connectors) {
      PairJudgement j =
          JudgePair(client.nat_class, connector.nat_class, policy);
      v1::PairCell* cell = out->add_pair_matrix();
      *cell->mutable_client_class() = client.nat_class;
      *cell->mutable_connector_class() = connector.nat_class;
      cell->set_verdict(j.verdict);
      cell->set_reason(std::move(j.reason));
      cell->set_clients(client.agents);
      cell->set_connectors(connector.agents);
      cell->set_pairs(client.agents * connector.agents);
      cell->set_source(PairSource(j, client.nat_class, connector.nat_class));
      verdicts[{ck, nk}] = j.verdict;
      any = any || IsCapable(j.verdict);
    }
    if (any) capable += client.agents;
  }
  out->set_p2p_capable_clients(capable);
  if (out->clients() > 0 && out->connectors() > 0) {
    out->set_p2p_capable_share(static_cast<double>(capable) / out->clients());
  }
  return verdicts;
}

// FINDING_RELAYED_DESPITE_COMPATIBLE for `agent`, when it applies.
bool RelayedDespiteCompatible(
    const v1::AgentView& agent, const Groups& others,
    const std::map<std::pair<ClassKey, ClassKey>, v1::PairVerdict>& verdicts,
    v1::Finding* out) {
  const v1::Role role = agent.identity().role();
  if (agent.tunnels().relayed() == 0 || others.empty() ||
      role == v1::ROLE_UNSPECIFIED) {
    return false;
  }
  const ClassKey mine = KeyOf(agent.nat_class());
  for (const auto& [other, group] : others) {
    auto key = role == v1::ROLE_CLIENT ? std::make_pair(mine, other)
                                       : std::make_pair(other, mine);
    if (verdicts.at(key) != v1::PAIR_VERDICT_DIRECT) return false;
  }
  const bool connector = role == v1::ROLE_CONNECTOR;
  out->set_code(v1::FINDING_RELAYED_DESPITE_COMPATIBLE);
  out->set_severity(v1::SEVERITY_WARNING);
  out->set_summary(
      "Tunnels are relayed although every pair this host takes part in "
      "looks peer-to-peer compatible");
  const v1::TunnelCounts& t = agent.tunnels();
  out->add_evidence(absl::StrCat(
      t.relayed(), " of ", t.relayed() + t.direct(),
      " tunnels in the product's analytics lines were relayed (newest at ",
      FormatProtoTime(t.last_tunnel()), ")"));
  out->add_evidence(absl::StrCat("every pair verdict with the site's ",
                                 connector ? "clients" : "connectors",
                                 " is DIRECT for class ",
                                 agent.nat_class().label()));
  // The tunnels are the log's; the compatibility is the class's: a
  // measured class makes this the probe and the log disagreeing.
  out->set_source(agent.nat_class().source() == v1::EVIDENCE_SOURCE_LOG
                      ? v1::EVIDENCE_SOURCE_LOG
                      : v1::EVIDENCE_SOURCE_BOTH_DISAGREE);
  return true;
}

void CountStunDiscovery(const v1::AgentView& agent,
                        v1::StunDiscoveryStatus* stun) {
  switch (agent.stun_discovery().state()) {
    case v1::STUN_DISCOVERY_AVAILABLE:
      stun->set_available(stun->available() + 1);
      break;
    case v1::STUN_DISCOVERY_UNAVAILABLE:
      stun->set_unavailable(stun->unavailable() + 1);
      break;
    default:
      stun->set_unknown(stun->unknown() + 1);
      break;
  }
  v1::ConnectorStunDiscovery* entry = stun->add_connectors();
  entry->set_agent_id(agent.identity().agent_id());
  *entry->mutable_discovery() = agent.stun_discovery();
}

}  // namespace

v1::SiteHealthView BuildSiteHealth(absl::string_view site,
                                   absl::Span<const v1::AgentView> agents,
                                   const SiteHealthOptions& options) {
  v1::SiteHealthView out;
  out.set_site(std::string(site));
  out.set_policy(options.policy == v1::PAIR_POLICY_UNSPECIFIED
                     ? v1::PAIR_POLICY_PRODUCT_STRICT
                     : options.policy);
  CountBehaviours(agents, &out);

  Groups clients, connectors;
  for (const v1::AgentView& a : agents) {
    if (a.identity().role() == v1::ROLE_CLIENT) Add(a, &clients);
    if (a.identity().role() == v1::ROLE_CONNECTOR) Add(a, &connectors);
  }
  const auto verdicts = JudgeMatrix(clients, connectors, out.policy(), &out);

  std::vector<AgentFindingRef> found;
  for (const v1::AgentView& a : agents) {
    for (const v1::Finding& f : a.findings()) found.push_back({&a, f});
    v1::Finding relayed;
    const Groups& others =
        a.identity().role() == v1::ROLE_CLIENT ? connectors : clients;
    if (RelayedDespiteCompatible(a, others, verdicts, &relayed)) {
      found.push_back({&a, std::move(relayed)});
    }
    if (a.identity().role() == v1::ROLE_CONNECTOR) {
      CountStunDiscovery(a, out.mutable_stun_discovery());
    }
  }
  std::sort(out.mutable_stun_discovery()->mutable_connectors()->begin(),
            out.mutable_stun_discovery()->mutable_connectors()->end(),
            [](const v1::ConnectorStunDiscovery& a,
               const v1::ConnectorStunDiscovery& b) {
              return a.agent_id() < b.agent_id();
            });
  for (v1::SiteFinding& f : AggregateFindings(found)) {
    *out.add_findings() = std::move(f);
  }
  out.set_severity_score(SiteSeverityScore(out));
  return out;
}

int64_t SiteSeverityScore(const v1::SiteHealthView& health) {
  int64_t score = 0;
  if (health.clients() > 0 && health.connectors() > 0) {
    score += std::llround(10000.0 * (1.0 - health.p2p_capable_share()));
  }
  for (const v1::SiteFinding& f : health.findings()) {
    int64_t weight = 0;
    switch (f.severity()) {
      case v1::SEVERITY_CRITICAL:
        weight = 100;
        break;
      case v1::SEVERITY_WARNING:
        weight = 10;
        break;
      case v1::SEVERITY_INFO:
        weight = 1;
        break;
      default:
        break;
    }
    score += weight * f.agent_ids_size();
  }
  return score;
}

}  // namespace natscope::analyzer
