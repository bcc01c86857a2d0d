#include "analyzer/site/site_health.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analyzer/site/agent_view.h"
#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1800000000);
constexpr auto kClient = v1::ROLE_CLIENT;
constexpr auto kConnector = v1::ROLE_CONNECTOR;
constexpr auto kEim = v1::MAPPING_ENDPOINT_INDEPENDENT;
constexpr auto kApdm = v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT;
constexpr auto kEif = v1::FILTERING_ENDPOINT_INDEPENDENT;
constexpr auto kAdf = v1::FILTERING_ADDRESS_DEPENDENT;
constexpr auto kApdf = v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT;

// Builds agent views through BuildAgentView, as the server does.
class Site {
 public:
  // An agent with a probe; `udp` false means no STUN answer.
  Site& Agent(const std::string& id, v1::Role role, v1::MappingBehavior m,
              v1::FilteringBehavior f, bool udp = true,
              std::vector<v1::FindingCode> findings = {}) {
    v1::ProbeReport p;
    *p.mutable_time() = ToProtoTime(kNow - absl::Minutes(1));
    p.set_udp_reachable(udp);
    if (udp) {
      p.set_mapping_behavior(m);
      p.set_filtering_behavior(f);
    }
    for (v1::FindingCode code : findings) {
      v1::Finding* finding = p.add_findings();
      finding->set_code(code);
      finding->set_severity(code == v1::FINDING_ENDPOINT_DEPENDENT_MAPPING ||
                                    code == v1::FINDING_DOUBLE_NAT
                                ? v1::SEVERITY_WARNING
                                : v1::SEVERITY_CRITICAL);
      finding->add_evidence("evidence for " + v1::FindingCode_Name(code));
    }
    probes_[id] = p;
    roles_[id] = role;
    return *this;
  }
  // An agent known from its logs only.
  Site& LogOnly(const std::string& id, v1::Role role) {
    roles_[id] = role;
    return *this;
  }
  // The product's newest stun_nat_type line.
  Site& NatType(const std::string& id, const std::string& nat_type,
                absl::Duration ago = absl::Minutes(2)) {
    AgentFacts& facts = facts_[id];
    facts.log_nat_type = nat_type;
    facts.log_nat_type_time = kNow - ago;
    return *this;
  }
  // The product's newest sdwan_state line.
  Site& SdwanState(const std::string& id, const std::string& state,
                   absl::Duration ago = absl::Minutes(2)) {
    AgentActivity& activity = facts_[id].activity;
    activity.sdwan_state = state;
    activity.sdwan_state_time = kNow - ago;
    return *this;
  }
  // Tunnel lines counted over the window, the newest two minutes ago.
  Site& Tunnels(const std::string& id, int direct, int relayed) {
    AgentActivity& activity = facts_[id].activity;
    activity.direct += direct;
    activity.relayed += relayed;
    activity.last_tunnel = kNow - absl::Minutes(2);
    return *this;
  }
  v1::SiteHealthView Health(v1::PairPolicy policy) const {
    std::vector<v1::AgentView> views;
    for (const auto& [id, role] : roles_) {
      auto known = facts_.find(id);
      AgentFacts facts = known == facts_.end() ? AgentFacts() : known->second;
      facts.identity.set_agent_id(id);
      facts.identity.set_site("paris");
      facts.identity.set_role(role);
      auto p = probes_.find(id);
      if (p != probes_.end()) facts.latest_probe = &p->second;
      views.push_back(BuildAgentView(facts, kNow));
    }
    SiteHealthOptions options;
    options.policy = policy;
    return BuildSiteHealth("paris", views, options);
  }

 private:
  std::map<std::string, v1::ProbeReport> probes_;
  std::map<std::string, v1::Role> roles_;
  std::map<std::string, AgentFacts> facts_;  // Log facts by agent.
};

Site Office() {
  Site s;
  s.Agent("c1", kConnector, kEim, kAdf)
      .Agent(
          "c2", kConnector, kApdm, kApdf, true,
          {v1::FINDING_AWS_NAT_GATEWAY, v1::FINDING_ENDPOINT_DEPENDENT_MAPPING})
      .Agent("l1", kClient, kEim, kApdf)
      .Agent("l2", kClient, kEim, kApdf)
      .Agent("l3", kClient, kApdm, kEif, true,
             {v1::FINDING_ENDPOINT_DEPENDENT_MAPPING})
      .Agent("l4", kClient, kEim, kEif, /*udp=*/false,
             {v1::FINDING_UDP_BLOCKED});
  return s;
}

TEST(BuildSiteHealthTest, CountsAndMatrix) {
  v1::SiteHealthView h = Office().Health(v1::PAIR_POLICY_PRODUCT_STRICT);
  EXPECT_EQ(h.site(), "paris");
  EXPECT_EQ(h.policy(), v1::PAIR_POLICY_PRODUCT_STRICT);
  EXPECT_EQ(h.clients(), 4u);
  EXPECT_EQ(h.connectors(), 2u);
  std::vector<std::string> mapping;
  for (const auto& c : h.by_mapping()) {
    mapping.push_back(absl::StrCat(v1::Role_Name(c.role()), " ",
                                   v1::MappingBehavior_Name(c.mapping()), " ",
                                   c.agents()));
  }
  EXPECT_THAT(
      mapping,
      ElementsAre("ROLE_CLIENT MAPPING_UNKNOWN 1",
                  "ROLE_CLIENT MAPPING_ENDPOINT_INDEPENDENT 2",
                  "ROLE_CLIENT MAPPING_ADDRESS_AND_PORT_DEPENDENT 1",
                  "ROLE_CONNECTOR MAPPING_ENDPOINT_INDEPENDENT 1",
                  "ROLE_CONNECTOR MAPPING_ADDRESS_AND_PORT_DEPENDENT 1"));
  EXPECT_EQ(h.by_filtering_size(), 5);
  std::vector<std::string> classic;
  for (const auto& c : h.by_classic_type()) {
    classic.push_back(absl::StrCat(c.classic_nat_type(), " ", c.agents()));
  }
  EXPECT_THAT(classic, ElementsAre("port-restricted cone 2", "symmetric 1",
                                   "unknown 1",  // UDP blocked.
                                   "restricted cone 1", "symmetric 1"));

  // 3 client classes x 2 connector classes.
  ASSERT_EQ(h.pair_matrix_size(), 6);
  std::vector<std::string> cells;
  for (const v1::PairCell& c : h.pair_matrix()) {
    cells.push_back(absl::StrCat(
        c.client_class().label(), " x ", c.connector_class().label(), " = ",
        v1::PairVerdict_Name(c.verdict()), " ", c.pairs()));
  }
  EXPECT_THAT(
      cells,
      ElementsAre(
          "port-restricted cone (endpoint-independent mapping, "
          "address-and-port-dependent filtering) x restricted cone "
          "(endpoint-independent mapping, address-dependent filtering) = "
          "PAIR_VERDICT_DIRECT 2",
          HasSubstr("x symmetric (address-and-port-dependent mapping, "
                    "address-and-port-dependent filtering) = "
                    "PAIR_VERDICT_RELAY_ONLY 2"),
          HasSubstr("= PAIR_VERDICT_RELAY_ONLY 1"),
          HasSubstr("= PAIR_VERDICT_RELAY_ONLY 1"), HasSubstr("UDP blocked x"),
          HasSubstr("UDP blocked x")));
  EXPECT_EQ(h.pair_matrix(0).clients(), 2u);
  EXPECT_EQ(h.pair_matrix(0).connectors(), 1u);
  EXPECT_THAT(h.pair_matrix(1).reason(), HasSubstr("connector's mapping"));
  EXPECT_EQ(h.p2p_capable_clients(), 2u);
  EXPECT_DOUBLE_EQ(h.p2p_capable_share(), 0.5);
}

TEST(BuildSiteHealthTest, PolicyChangesTheShare) {
  // Textbook: l3's endpoint-dependent mapping meets c1's address-dependent
  // filtering, which lets it through.
  v1::SiteHealthView h = Office().Health(v1::PAIR_POLICY_TEXTBOOK);
  EXPECT_EQ(h.policy(), v1::PAIR_POLICY_TEXTBOOK);
  EXPECT_EQ(h.p2p_capable_clients(), 3u);
  EXPECT_DOUBLE_EQ(h.p2p_capable_share(), 0.75);
  EXPECT_EQ(Office().Health(v1::PAIR_POLICY_UNSPECIFIED).policy(),
            v1::PAIR_POLICY_PRODUCT_STRICT);
}

TEST(BuildSiteHealthTest, FindingsAggregatedInTroubleshootingOrder) {
  v1::SiteHealthView h = Office().Health(v1::PAIR_POLICY_PRODUCT_STRICT);
  std::vector<std::string> got;
  for (const v1::SiteFinding& f : h.findings()) {
    got.push_back(absl::StrCat(v1::FindingCode_Name(f.code()), " ",
                               absl::StrJoin(f.agent_ids(), ",")));
  }
  EXPECT_THAT(
      got, ElementsAre("FINDING_UDP_BLOCKED l4", "FINDING_AWS_NAT_GATEWAY c2",
                       "FINDING_ENDPOINT_DEPENDENT_MAPPING c2,l3"));
  const v1::SiteFinding& edm = h.findings(2);
  EXPECT_EQ(edm.severity(), v1::SEVERITY_WARNING);
  EXPECT_EQ(edm.summary(),
            "The NAT maps endpoint-dependently on 1 connector and 1 client");
  EXPECT_THAT(
      edm.evidence(),
      ElementsAre("c2: evidence for FINDING_ENDPOINT_DEPENDENT_MAPPING",
                  "l3: evidence for FINDING_ENDPOINT_DEPENDENT_MAPPING"));
  EXPECT_THAT(edm.remediation(), HasSubstr("endpoint-independent mapping"));
  EXPECT_EQ(h.stun_discovery().available(), 2u);
  // 10000 * 0.5 + critical (l4, c2) + warning (c2, l3).
  EXPECT_EQ(h.severity_score(), 5000 + 200 + 20);
}

TEST(BuildSiteHealthTest, LogProbeDisagreement) {
  Site s;
  s.Agent("c1", kConnector, kEim, kApdf)
      .NatType("c1", "endpoint-dependent")
      .Agent("l1", kClient, kApdm, kApdf)
      .NatType("l1", "endpoint-independent")
      .Agent("l2", kClient, kEim, kApdf)
      .NatType("l2", "endpoint-independent");
  v1::SiteHealthView h = s.Health(v1::PAIR_POLICY_PRODUCT_STRICT);
  ASSERT_EQ(h.findings_size(), 1);
  EXPECT_EQ(h.findings(0).code(), v1::FINDING_LOG_PROBE_DISAGREE);
  EXPECT_THAT(h.findings(0).agent_ids(), ElementsAre("c1", "l1"));
  EXPECT_EQ(h.findings(0).evidence_size(), 4);
}

TEST(BuildSiteHealthTest, RelayedDespiteCompatible) {
  struct Row {
    const char* name;
    Site site;
    std::vector<std::string> want;  // Affected agents; empty: no finding.
  } rows[] = {
      {"connector relays, every pair direct",
       Site()
           .Agent("c1", kConnector, kEim, kApdf)
           .Tunnels("c1", 1, 3)
           .Agent("l1", kClient, kEim, kEif),
       {"c1"}},
      {"a relay-only client explains the relayed tunnels",
       Site()
           .Agent("c1", kConnector, kEim, kApdf)
           .Tunnels("c1", 1, 3)
           .Agent("l1", kClient, kEim, kEif)
           .Agent("l2", kClient, kApdm, kEif),
       {}},
      {"only direct tunnels",
       Site()
           .Agent("c1", kConnector, kEim, kApdf)
           .Tunnels("c1", 4, 0)
           .Agent("l1", kClient, kEim, kEif),
       {}},
      {"double NAT is unreliable, not DIRECT",
       Site()
           .Agent("c1", kConnector, kEim, kApdf)
           .Tunnels("c1", 0, 2)
           .Agent("l1", kClient, kEim, kEif, true, {v1::FINDING_DOUBLE_NAT}),
       {}},
      {"no clients to judge against",
       Site().Agent("c1", kConnector, kEim, kApdf).Tunnels("c1", 0, 2),
       {}},
      {"client-side analytics too",
       Site()
           .Agent("c1", kConnector, kEim, kApdf)
           .Agent("c2", kConnector, kEim, kEif)
           .Agent("l1", kClient, kEim, kEif)
           .Tunnels("l1", 0, 1),
       {"l1"}},
  };
  for (const Row& row : rows) {
    v1::SiteHealthView h = row.site.Health(v1::PAIR_POLICY_PRODUCT_STRICT);
    std::vector<std::string> got;
    for (const v1::SiteFinding& f : h.findings()) {
      if (f.code() != v1::FINDING_RELAYED_DESPITE_COMPATIBLE) continue;
      got.assign(f.agent_ids().begin(), f.agent_ids().end());
      EXPECT_THAT(f.evidence(0), HasSubstr("were relayed")) << row.name;
    }
    EXPECT_EQ(got, row.want) << row.name;
  }
  v1::SiteHealthView h = rows[0].site.Health(v1::PAIR_POLICY_TEXTBOOK);
  ASSERT_EQ(h.findings_size(), 1);
  EXPECT_THAT(h.findings(0).evidence(0),
              HasSubstr("c1: 3 of 4 tunnels in the product's analytics"));
}

TEST(BuildSiteHealthTest, StunDiscoveryStatus) {
  Site s;
  s.Agent("s1", kConnector, kEim, kEif, /*udp=*/false)
      .LogOnly("s2", kConnector)
      .NatType("s2", "unknown(7)")
      .Agent("s3", kConnector, kEim, kEif)
      .LogOnly("s4", kConnector)
      .LogOnly("s5", kConnector)
      .NatType("s5", "endpoint-independent");
  v1::SiteHealthView h = s.Health(v1::PAIR_POLICY_PRODUCT_STRICT);
  EXPECT_EQ(h.stun_discovery().available(), 2u);
  EXPECT_EQ(h.stun_discovery().unavailable(), 2u);
  EXPECT_EQ(h.stun_discovery().unknown(), 1u);
  ASSERT_EQ(h.findings_size(), 1);
  EXPECT_EQ(h.findings(0).code(), v1::FINDING_STUN_DISCOVERY_UNAVAILABLE);
  EXPECT_EQ(h.findings(0).severity(), v1::SEVERITY_CRITICAL);
  EXPECT_EQ(h.findings(0).summary(),
            "STUN discovery is unavailable on 2 connectors");
  EXPECT_THAT(h.findings(0).agent_ids(), ElementsAre("s1", "s2"));
  // No clients: the share is 0 and does not count in the score.
  EXPECT_EQ(h.p2p_capable_share(), 0);
  EXPECT_EQ(h.severity_score(), 200);
}

TEST(BuildSiteHealthTest, FreshnessCounts) {
  Site s;
  s.LogOnly("silent", kClient)
      .LogOnly("stale", kClient)
      .SdwanState("stale", "Online", absl::Hours(2))
      .Agent("fresh", kConnector, kEim, kEif);
  v1::SiteHealthView h = s.Health(v1::PAIR_POLICY_PRODUCT_STRICT);
  std::vector<std::string> got;
  for (const auto& c : h.by_freshness()) {
    got.push_back(
        absl::StrCat(v1::Freshness_Name(c.freshness()), " ", c.agents()));
  }
  EXPECT_THAT(got, ElementsAre("FRESHNESS_FRESH 1", "FRESHNESS_STALE 1",
                               "FRESHNESS_SILENT 1"));
}

TEST(BuildSiteHealthTest, EmptySite) {
  v1::SiteHealthView h = BuildSiteHealth("empty", {});
  EXPECT_EQ(h.site(), "empty");
  EXPECT_EQ(h.pair_matrix_size(), 0);
  EXPECT_EQ(h.severity_score(), 0);
}

TEST(SiteSeverityScoreTest, WorseSitesScoreHigher) {
  v1::SiteHealthView good = Site()
                                .Agent("c1", kConnector, kEim, kEif)
                                .Agent("l1", kClient, kEim, kApdf)
                                .Health(v1::PAIR_POLICY_PRODUCT_STRICT);
  v1::SiteHealthView bad = Office().Health(v1::PAIR_POLICY_PRODUCT_STRICT);
  EXPECT_EQ(SiteSeverityScore(good), 0);
  EXPECT_GT(SiteSeverityScore(bad), SiteSeverityScore(good));
  v1::SiteHealthView all_relay = Site()
                                     .Agent("c1", kConnector, kApdm, kEif)
                                     .Agent("l1", kClient, kEim, kApdf)
                                     .Health(v1::PAIR_POLICY_PRODUCT_STRICT);
  EXPECT_EQ(SiteSeverityScore(all_relay), 10000);
  EXPECT_GT(SiteSeverityScore(all_relay), SiteSeverityScore(bad));
}

}  // namespace
}  // namespace natscope::analyzer
