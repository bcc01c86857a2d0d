#include "analyzer/site/probe_verdicts.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

void Observe(v1::ProbeReport* report, const char* server, const char* mapped) {
  v1::StunObservation* o = report->add_observations();
  o->set_server(server);
  o->set_test("binding");
  o->set_local_address("10.0.0.2:5000");
  o->set_transmissions(1);
  o->set_answered(true);
  o->set_mapped_address(mapped);
}

// Evidence of endpoint-dependent mapping (two servers, two mapped ports)
// that an agent with a broken rule called endpoint-independent.
v1::ProbeReport MisjudgedBySomeAgent() {
  v1::ProbeReport report;
  Observe(&report, "192.0.2.1:3478", "198.51.100.7:6000");
  Observe(&report, "203.0.113.1:3478", "198.51.100.7:6001");
  report.set_udp_reachable(true);
  report.set_public_address("198.51.100.7:6000");
  report.set_mapping_behavior(v1::MAPPING_ENDPOINT_INDEPENDENT);
  return report;
}

TEST(ReclassifyTest, TheServerDecidesFromTheEvidence) {
  const v1::ProbeReport sent = MisjudgedBySomeAgent();
  const v1::ProbeReport server = Reclassify(sent, nullptr);
  EXPECT_EQ(server.mapping_behavior(), v1::MAPPING_ADDRESS_DEPENDENT);
  ASSERT_EQ(server.findings_size(), 1);
  EXPECT_EQ(server.findings(0).code(), v1::FINDING_ENDPOINT_DEPENDENT_MAPPING);
  // The evidence itself is kept as sent.
  ASSERT_EQ(server.observations_size(), 2);
  EXPECT_EQ(server.observations(1).mapped_address(), "198.51.100.7:6001");
}

TEST(ReclassifyTest, TheIpv6HalfIsDecidedTooAndSummarized) {
  v1::ProbeReport sent = MisjudgedBySomeAgent();
  *sent.mutable_ipv6() = MisjudgedBySomeAgent();
  const v1::ProbeReport server = Reclassify(sent, nullptr);
  ASSERT_TRUE(server.has_ipv6());
  EXPECT_EQ(server.ipv6().mapping_behavior(), v1::MAPPING_ADDRESS_DEPENDENT);
  ASSERT_EQ(server.ipv6().findings_size(), 1);
  // Two servers compared: likely, and a guess between the dependent kinds.
  EXPECT_EQ(server.ipv6().mapping_confidence(), v1::CONFIDENCE_LOW);
  EXPECT_EQ(server.ipv6().findings(0).confidence(), v1::CONFIDENCE_LOW);
  const v1::ProbeSummary summary = SummarizeProbe(server);
  EXPECT_EQ(summary.mapping_confidence(), v1::CONFIDENCE_LOW);
  ASSERT_TRUE(summary.has_ipv6());
  EXPECT_EQ(summary.ipv6().mapping_behavior(), v1::MAPPING_ADDRESS_DEPENDENT);
  EXPECT_FALSE(summary.ipv6().has_ipv6());
}

TEST(ReclassifyTest, AReportWithoutEvidenceKeepsTheAgentsVerdict) {
  v1::ProbeReport sent;
  sent.set_udp_reachable(true);
  sent.set_mapping_behavior(v1::MAPPING_ENDPOINT_INDEPENDENT);
  const v1::ProbeReport server = Reclassify(sent, nullptr);
  EXPECT_TRUE(server.udp_reachable());
  EXPECT_EQ(server.mapping_behavior(), v1::MAPPING_ENDPOINT_INDEPENDENT);
}

TEST(ReclassifyTest, DecidingTwiceChangesNothing) {
  const v1::ProbeReport once = Reclassify(MisjudgedBySomeAgent(), nullptr);
  const v1::ProbeReport twice = Reclassify(once, nullptr);
  EXPECT_EQ(once.SerializeAsString(), twice.SerializeAsString());
}

TEST(VerdictDifferencesTest, EachDifferenceIsOneLineAndAgreementIsNone) {
  const v1::ProbeSummary agent = SummarizeProbe(MisjudgedBySomeAgent());
  const v1::ProbeSummary server =
      SummarizeProbe(Reclassify(MisjudgedBySomeAgent(), nullptr));
  EXPECT_THAT(VerdictDifferences(agent, server),
              ElementsAre("mapping: agent said endpoint-independent, server "
                          "says address-dependent",
                          "finding endpoint-dependent-mapping: server only"));
  EXPECT_THAT(VerdictDifferences(server, server), IsEmpty());
}

TEST(VerdictDifferencesTest, UdpQuicAndAddressAreCompared) {
  v1::ProbeSummary agent;
  agent.set_udp_reachable(true);
  agent.set_quic_reachable(true);
  agent.set_public_address("198.51.100.7:6000");
  v1::ProbeSummary server;
  EXPECT_THAT(VerdictDifferences(agent, server),
              ElementsAre("UDP reachable: agent said yes, server says no",
                          "QUIC: agent said reachable, server says not tested",
                          "public address: agent said 198.51.100.7:6000, "
                          "server says none"));
}

}  // namespace
}  // namespace natscope::analyzer
