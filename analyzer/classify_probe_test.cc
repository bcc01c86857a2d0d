#include "analyzer/classify_probe.h"

#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

void Observe(v1::ProbeReport* report, const char* server, const char* local,
             const char* mapped) {
  v1::StunObservation* o = report->add_observations();
  o->set_server(server);
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
  EXPECT_EQ(report.mapping_behavior(), v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT);
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

}  // namespace
}  // namespace natscope::analyzer
