#include "analyzer/site/site_findings.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::AgentView Agent(const char* id, v1::Role role) {
  v1::AgentView a;
  a.mutable_identity()->set_agent_id(id);
  a.mutable_identity()->set_role(role);
  return a;
}

v1::Finding F(v1::FindingCode code, v1::Severity severity,
              std::vector<const char*> evidence = {}) {
  v1::Finding f;
  f.set_code(code);
  f.set_severity(severity);
  for (const char* e : evidence) f.add_evidence(e);
  return f;
}

TEST(TroubleshootingRankTest, FollowsTheSeedsOrder) {
  const v1::FindingCode order[] = {
      v1::FINDING_UDP_BLOCKED,
      v1::FINDING_QUIC_BLOCKED,
      v1::FINDING_OUTBOUND_PORTS_RESTRICTED,
      v1::FINDING_OUTBOUND_IPS_RESTRICTED,
      v1::FINDING_DOUBLE_NAT,
      v1::FINDING_CGNAT,
      v1::FINDING_STUN_DISCOVERY_UNAVAILABLE,
      v1::FINDING_AWS_NAT_GATEWAY,
      v1::FINDING_ENDPOINT_DEPENDENT_MAPPING,
      v1::FINDING_LOG_PROBE_DISAGREE,
      v1::FINDING_RELAYED_DESPITE_COMPATIBLE,
      v1::FINDING_UNSPECIFIED,
  };
  for (size_t i = 1; i < std::size(order); ++i) {
    EXPECT_LT(TroubleshootingRank(order[i - 1]), TroubleshootingRank(order[i]))
        << v1::FindingCode_Name(order[i]);
  }
}

TEST(SiteRemediationTest, EveryCodeHasPlainText) {
  for (int c = v1::FindingCode_MIN + 1; c <= v1::FindingCode_MAX; ++c) {
    const auto code = static_cast<v1::FindingCode>(c);
    EXPECT_GT(SiteRemediation(code).size(), 40u) << v1::FindingCode_Name(code);
  }
  EXPECT_EQ(SiteRemediation(v1::FINDING_UNSPECIFIED), "");
  EXPECT_THAT(SiteRemediation(v1::FINDING_UDP_BLOCKED),
              HasSubstr("Start with the connectors"));
}

TEST(AggregateFindingsTest, OnePerCodeWorstSeverityConnectorsFirst) {
  const v1::AgentView zed = Agent("zed", v1::ROLE_CLIENT);
  const v1::AgentView amy = Agent("amy", v1::ROLE_CLIENT);
  const v1::AgentView con = Agent("zz-connector", v1::ROLE_CONNECTOR);
  const std::vector<AgentFindingRef> found = {
      {&zed, F(v1::FINDING_DOUBLE_NAT, v1::SEVERITY_WARNING, {"z1", "z2"})},
      {&amy, F(v1::FINDING_UDP_BLOCKED, v1::SEVERITY_CRITICAL, {"a1"})},
      {&con, F(v1::FINDING_DOUBLE_NAT, v1::SEVERITY_CRITICAL, {"c1"})},
      {&amy, F(v1::FINDING_DOUBLE_NAT, v1::SEVERITY_INFO)},
      {&zed, F(v1::FINDING_DOUBLE_NAT, v1::SEVERITY_WARNING, {"z3"})},
  };
  std::vector<v1::SiteFinding> got = AggregateFindings(found);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].code(), v1::FINDING_UDP_BLOCKED);
  EXPECT_EQ(got[0].summary(), "UDP is blocked on 1 client");
  const v1::SiteFinding& dn = got[1];
  EXPECT_EQ(dn.severity(), v1::SEVERITY_CRITICAL);
  EXPECT_THAT(dn.agent_ids(), ElementsAre("zz-connector", "amy", "zed"));
  EXPECT_EQ(dn.affected_connectors(), 1u);
  EXPECT_EQ(dn.affected_clients(), 2u);
  EXPECT_THAT(dn.evidence(),
              ElementsAre("zz-connector: c1", "zed: z1", "zed: z2", "zed: z3"));
  EXPECT_EQ(dn.summary(),
            "Two NAT layers are in front on 1 connector and 2 clients");
  EXPECT_EQ(dn.remediation(), SiteRemediation(v1::FINDING_DOUBLE_NAT));
}

TEST(AggregateFindingsTest, EmptyAndRoleless) {
  EXPECT_TRUE(AggregateFindings({}).empty());
  const v1::AgentView x = Agent("x", v1::ROLE_UNSPECIFIED);
  const std::vector<AgentFindingRef> found = {
      {&x, F(v1::FINDING_CGNAT, v1::SEVERITY_WARNING)}};
  std::vector<v1::SiteFinding> got = AggregateFindings(found);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].summary(), "The ISP adds carrier-grade NAT on 1 agent");
}

}  // namespace
}  // namespace natscope::analyzer
