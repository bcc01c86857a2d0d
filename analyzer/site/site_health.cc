#include "analyzer/site/site_health.h"

#include <cmath>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analyzer/site/agent_findings.h"
#include "analyzer/site/pair_verdict.h"
#include "common/proto_time.h"
#include "analyzer/site/site_findings.h"

namespace natscope::analyzer {
namespace {

using ClassKey = std::tuple<bool, int, int, bool, bool, bool>;

ClassKey KeyOf(const v1::NatClass& c) {
  return {c.udp_blocked(),
          c.mapping(),
          c.filtering(),
          c.quic_blocked(),
          c.outbound_ports_restricted(),
          c.double_nat()};
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
    ++mapping[{role, a.probe().mapping_behavior()}];
    ++filtering[{role, a.probe().filtering_behavior()}];
    ++classic[{role, a.has_probe() ? a.probe().classic_nat_type()
                                   : std::string("unknown")}];
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
  return true;
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
    for (const v1::Finding& f : a.probe().findings()) found.push_back({&a, f});
    for (const v1::Finding& f : a.derived_findings()) found.push_back({&a, f});
    v1::Finding relayed;
    const Groups& others =
        a.identity().role() == v1::ROLE_CLIENT ? connectors : clients;
    if (RelayedDespiteCompatible(a, others, verdicts, &relayed)) {
      found.push_back({&a, std::move(relayed)});
    }
    if (a.identity().role() != v1::ROLE_CONNECTOR) continue;
    v1::StunDiscoveryStatus* stun = out.mutable_stun_discovery();
    bool unavailable = false;
    for (const v1::Finding& f : a.derived_findings()) {
      unavailable |= f.code() == v1::FINDING_STUN_DISCOVERY_UNAVAILABLE;
    }
    if (unavailable) {
      stun->set_unavailable(stun->unavailable() + 1);
    } else if (!a.has_probe() && a.log_nat_type().empty()) {
      stun->set_unknown(stun->unknown() + 1);
    } else {
      stun->set_available(stun->available() + 1);
    }
  }
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
