// What a site's verdicts and findings rest on: the product's log alone,
// or probes, cell by cell and agent by agent.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analyzer/site/agent_view.h"
#include "analyzer/site/site_health.h"
#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

// An agent known from its log only: a stun_nat_type line two minutes old
// and `listener_errors` relay-listener lines in the window.
AgentFacts LogOnly(const std::string& id, v1::Role role, const char* nat_type,
                   uint32_t listener_errors = 0) {
  AgentFacts facts;
  facts.identity.set_agent_id(id);
  facts.identity.set_role(role);
  facts.log_nat_type = nat_type;
  facts.log_nat_type_time = kNow - absl::Minutes(2);
  facts.activity.relay_listener_errors = listener_errors;
  return facts;
}

v1::SiteHealthView Health(const std::vector<AgentFacts>& agents) {
  std::vector<v1::AgentView> views;
  for (const AgentFacts& facts : agents) {
    views.push_back(BuildAgentView(facts, kNow));
  }
  return BuildSiteHealth("harbour", views);
}

// Probing off: every verdict and finding comes from the product's log.
TEST(SiteHealthSourcesTest, ALogOnlySiteRestsOnTheLog) {
  const v1::SiteHealthView h =
      Health({LogOnly("gw", v1::ROLE_CONNECTOR, "endpoint-dependent", 1),
              LogOnly("lap", v1::ROLE_CLIENT, "endpoint-independent")});
  ASSERT_EQ(h.pair_matrix_size(), 1);
  const v1::PairCell& cell = h.pair_matrix(0);
  EXPECT_EQ(cell.verdict(), v1::PAIR_VERDICT_RELAY_ONLY);
  EXPECT_EQ(cell.source(), v1::EVIDENCE_SOURCE_LOG);
  EXPECT_EQ(cell.reason(), "STUN discovery is unavailable on the connector");
  EXPECT_EQ(cell.client_class().label(),
            "endpoint-independent (from the product's log)");
  EXPECT_EQ(h.p2p_capable_clients(), 0u);
  std::vector<std::string> got;
  for (const v1::SiteFinding& f : h.findings()) {
    std::vector<std::string> sources;
    for (int source : f.sources()) {
      sources.push_back(
          v1::EvidenceSource_Name(static_cast<v1::EvidenceSource>(source)));
    }
    got.push_back(absl::StrCat(v1::FindingCode_Name(f.code()), " ",
                               absl::StrJoin(f.agent_ids(), ","), " ",
                               absl::StrJoin(sources, ",")));
  }
  EXPECT_THAT(got, ElementsAre("FINDING_STUN_DISCOVERY_UNAVAILABLE gw "
                               "EVIDENCE_SOURCE_LOG",
                               "FINDING_ENDPOINT_DEPENDENT_MAPPING gw "
                               "EVIDENCE_SOURCE_LOG"));
  EXPECT_EQ(h.stun_discovery().unavailable(), 1u);
  ASSERT_EQ(h.stun_discovery().connectors_size(), 1);
  EXPECT_EQ(h.stun_discovery().connectors(0).agent_id(), "gw");
  EXPECT_EQ(h.stun_discovery().connectors(0).discovery().source(),
            v1::EVIDENCE_SOURCE_LOG);
  // The counts follow the log too.
  std::vector<std::string> mapping;
  for (const auto& c : h.by_mapping()) {
    mapping.push_back(absl::StrCat(v1::Role_Name(c.role()), " ",
                                   v1::MappingBehavior_Name(c.mapping())));
  }
  EXPECT_THAT(mapping,
              ElementsAre("ROLE_CLIENT MAPPING_ENDPOINT_INDEPENDENT",
                          "ROLE_CONNECTOR MAPPING_ADDRESS_AND_PORT_DEPENDENT"));
}

TEST(SiteHealthSourcesTest, MatrixCellsSplitByWhatTheyRestOn) {
  // Two connectors with the same mapping, one measured and one from the
  // log: different classes, each cell saying what it rests on. The
  // client's log agrees with its probe: that does not split its class.
  v1::ProbeReport eim;
  *eim.mutable_time() = ToProtoTime(kNow - absl::Minutes(1));
  eim.set_udp_reachable(true);
  eim.set_mapping_behavior(v1::MAPPING_ENDPOINT_INDEPENDENT);
  eim.set_filtering_behavior(v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  AgentFacts measured;
  measured.identity.set_agent_id("c1");
  measured.identity.set_role(v1::ROLE_CONNECTOR);
  measured.latest_probe = &eim;
  AgentFacts client = LogOnly("l1", v1::ROLE_CLIENT, "endpoint-independent");
  client.latest_probe = &eim;
  const v1::SiteHealthView h = Health(
      {measured, LogOnly("c2", v1::ROLE_CONNECTOR, "endpoint-independent"),
       client});
  std::vector<std::string> cells;
  for (const v1::PairCell& c : h.pair_matrix()) {
    cells.push_back(absl::StrCat(c.connector_class().label(), " ",
                                 v1::PairVerdict_Name(c.verdict()), " ",
                                 v1::EvidenceSource_Name(c.source())));
  }
  EXPECT_THAT(cells,
              UnorderedElementsAre(
                  "port-restricted cone (endpoint-independent mapping, "
                  "address-and-port-dependent filtering) PAIR_VERDICT_DIRECT "
                  "EVIDENCE_SOURCE_PROBE",
                  "endpoint-independent (from the product's log) "
                  "PAIR_VERDICT_DIRECT EVIDENCE_SOURCE_LOG"));
}

}  // namespace
}  // namespace natscope::analyzer
