#include "analyzer/classify_probe.h"

#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

void Observe(v1::ProbeReport* report, const char* server, const char* local,
             const char* mapped) {
  v1::StunObservation* o = report->add_observations();
  o->set_server(server);
  o->set_test("binding");
  o->set_local_address(local);
  o->set_transmissions(1);
  if (mapped != nullptr) {
    o->set_answered(true);
    o->set_mapped_address(mapped);
  }
}

TEST(ClassifyProbeTest, NoAnswerMeansUdpBlockedWithEvidence) {
  v1::ProbeReport report;
  Observe(&report, "192.0.2.1:3478", "10.0.0.2:5000", nullptr);
  ClassifyProbe(&report);
  EXPECT_FALSE(report.udp_reachable());
  ASSERT_EQ(report.findings_size(), 1);
  EXPECT_EQ(report.findings(0).code(), v1::FINDING_UDP_BLOCKED);
  EXPECT_EQ(report.findings(0).severity(), v1::SEVERITY_CRITICAL);
  EXPECT_NE(report.findings(0).evidence(0).find("192.0.2.1:3478"), std::string::npos);
  EXPECT_FALSE(report.findings(0).remediation().empty());
}

TEST(ClassifyProbeTest, MappedEqualsLocalMeansNoNat) {
  v1::ProbeReport report;
  Observe(&report, "127.0.0.1:3478", "127.0.0.1:5000", "127.0.0.1:5000");
  ClassifyProbe(&report);
  EXPECT_TRUE(report.udp_reachable());
  EXPECT_EQ(report.public_address(), "127.0.0.1:5000");
  EXPECT_EQ(report.mapping_behavior(), v1::MAPPING_NO_NAT);
  EXPECT_TRUE(report.findings().empty());
}

TEST(ClassifyProbeTest, SameMappingFromTwoServersIsEndpointIndependent) {
  v1::ProbeReport report;
  Observe(&report, "192.0.2.1:3478", "10.0.0.2:5000", "198.51.100.7:6000");
  Observe(&report, "203.0.113.1:3478", "10.0.0.2:5000", "198.51.100.7:6000");
  ClassifyProbe(&report);
  EXPECT_EQ(report.mapping_behavior(), v1::MAPPING_ENDPOINT_INDEPENDENT);
}

TEST(ClassifyProbeTest, DifferentMappingsAreEndpointDependentAndAFinding) {
  v1::ProbeReport report;
  Observe(&report, "192.0.2.1:3478", "10.0.0.2:5000", "198.51.100.7:6000");
  Observe(&report, "203.0.113.1:3478", "10.0.0.2:5000", "198.51.100.7:6001");
  ClassifyProbe(&report);
  EXPECT_EQ(report.mapping_behavior(), v1::MAPPING_ADDRESS_DEPENDENT);
  ASSERT_EQ(report.findings_size(), 1);
  EXPECT_EQ(report.findings(0).code(), v1::FINDING_ENDPOINT_DEPENDENT_MAPPING);
}

TEST(ClassifyProbeTest, OneServerBehindNatCannotTellTheMapping) {
  v1::ProbeReport report;
  Observe(&report, "192.0.2.1:3478", "10.0.0.2:5000", "198.51.100.7:6000");
  ClassifyProbe(&report);
  EXPECT_EQ(report.mapping_behavior(), v1::MAPPING_UNKNOWN);
  EXPECT_TRUE(report.udp_reachable());
}

TEST(ClassifyProbeTest, PortsSilentWhileOthersAnswerAreRestricted) {
  v1::ProbeReport report;
  Observe(&report, "192.0.2.1:3478", "10.0.0.2:5000", "198.51.100.7:6000");
  auto check = [&](int port, bool passed, bool not_served) {
    v1::PortCheck* c = report.add_port_checks();
    c->set_port(port);
    c->set_passed(passed);
    c->set_not_served(not_served);
  };
  check(3478, true, false);
  check(443, false, false);
  check(53, false, true);
  check(80, false, false);
  report.mutable_port_checks(3)->set_inconclusive(true);
  ClassifyProbe(&report);
  ASSERT_EQ(report.findings_size(), 1);
  EXPECT_EQ(report.findings(0).code(), v1::FINDING_OUTBOUND_PORTS_RESTRICTED);
  EXPECT_NE(report.findings(0).summary().find("443"), std::string::npos);
  EXPECT_EQ(report.findings(0).summary().find("53"), std::string::npos);
  EXPECT_EQ(report.findings(0).summary().find("80"), std::string::npos);
}

TEST(ClassifyProbeTest, QuicSilentWhileUdpWorksIsBlocked) {
  v1::ProbeReport report;
  Observe(&report, "192.0.2.1:3478", "10.0.0.2:5000", "198.51.100.7:6000");
  report.mutable_quic()->set_server("192.0.2.1:443");
  report.mutable_quic()->set_detail("no answer");
  ClassifyProbe(&report);
  EXPECT_FALSE(report.quic_reachable());
  EXPECT_TRUE(report.has_quic_reachable());
  ASSERT_EQ(report.findings_size(), 1);
  EXPECT_EQ(report.findings(0).code(), v1::FINDING_QUIC_BLOCKED);
}

TEST(ClassifyProbeTest, NoQuicCheckLeavesQuicAbsent) {
  v1::ProbeReport report;
  Observe(&report, "192.0.2.1:3478", "10.0.0.2:5000", "198.51.100.7:6000");
  ClassifyProbe(&report);
  EXPECT_FALSE(report.has_quic_reachable());
  EXPECT_TRUE(report.has_port_preserved());
  EXPECT_FALSE(report.port_preserved());
}

TEST(ClassifyProbeTest, OtherAddressOnTheSameIpIsCalledOut) {
  v1::ProbeReport report;
  Observe(&report, "192.0.2.1:3478", "10.0.0.2:5000", "198.51.100.7:6000");
  report.mutable_observations(0)->set_other_address("192.0.2.1:3479");
  ClassifyProbe(&report);
  ASSERT_EQ(report.warnings_size(), 1);
  EXPECT_NE(report.warnings(0).find("false verdicts"), std::string::npos);
}

TEST(ClassifyProbeTest, ReclassifyingIsIdempotent) {
  v1::ProbeReport report;
  Observe(&report, "192.0.2.1:3478", "10.0.0.2:5000", nullptr);
  ClassifyProbe(&report);
  ClassifyProbe(&report);
  EXPECT_EQ(report.findings_size(), 1);
}

}  // namespace
}  // namespace natscope::analyzer
