#include "ingest/agent/probe_output.h"

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

v1::ProbeReport Sample() {
  v1::ProbeReport report;
  report.set_udp_reachable(true);
  report.set_public_address("127.0.0.1:40000");
  report.set_local_address("127.0.0.1:40000");
  report.set_mapping_behavior(v1::MAPPING_NO_NAT);
  report.set_classic_nat_type("no NAT");
  v1::StunObservation* o = report.add_observations();
  o->set_server("127.0.0.1:3478");
  o->set_test("binding");
  o->set_answered(true);
  o->set_mapped_address("127.0.0.1:40000");
  return report;
}

TEST(ProbeOutputTest, JsonUsesTheContractFieldNames) {
  const std::string json = ProbeReportJson(Sample());
  EXPECT_NE(json.find("\"publicAddress\": \"127.0.0.1:40000\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"mappingBehavior\": \"MAPPING_NO_NAT\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"udpReachable\": true"), std::string::npos) << json;
}

TEST(ProbeOutputTest, HumanReportPutsVerdictsBeforeEvidenceAndFindings) {
  v1::ProbeReport report = Sample();
  v1::Finding* f = report.add_findings();
  f->set_code(v1::FINDING_UDP_BLOCKED);
  f->set_severity(v1::SEVERITY_CRITICAL);
  f->set_summary("UDP is blocked");
  f->set_remediation("allow UDP");
  const std::string text = FormatProbeReport(report);
  const size_t verdict = text.find("Verdict");
  const size_t evidence = text.find("Evidence");
  const size_t findings = text.find("Findings");
  ASSERT_NE(verdict, std::string::npos);
  EXPECT_LT(verdict, evidence);
  EXPECT_LT(evidence, findings);
  EXPECT_NE(text.find("[CRITICAL] FINDING_UDP_BLOCKED: UDP is blocked"), std::string::npos);
  EXPECT_NE(text.find("what to do: allow UDP"), std::string::npos);
}

}  // namespace
}  // namespace natscope::ingest
