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
  f->set_confidence(v1::CONFIDENCE_HIGH);
  report.set_mapping_confidence(v1::CONFIDENCE_MEDIUM);
  const std::string sure = FormatProbeReport(report);
  EXPECT_NE(sure.find("[CRITICAL, confident] FINDING_UDP_BLOCKED"), std::string::npos) << sure;
  EXPECT_NE(sure.find("  NAT mapping:    no NAT (the public address is the host's own); likely\n"), std::string::npos) << sure;
  EXPECT_NE(text.find("what to do: allow UDP"), std::string::npos);
}

TEST(ProbeOutputTest, StunOverTcpHasAVerdictLineAndAnEvidenceLine) {
  v1::ProbeReport report;
  v1::TcpStunObservation* tcp = report.add_tcp_stun();
  tcp->set_server("203.0.113.10:3478");
  tcp->set_local_address("192.168.1.2:41000");
  tcp->set_outcome(v1::TCP_STUN_ANSWERED);
  tcp->set_mapped_address("198.51.100.2:41000");
  tcp->set_rtt_micros(1200);
  std::string text = FormatProbeReport(report);
  EXPECT_NE(text.find("  STUN over TCP:  answered: the path to the server "
                      "exists, only UDP is dropped\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  stun-tcp      203.0.113.10:3478 from 192.168.1.2:41000 "
                      "-> mapped 198.51.100.2:41000, rtt 1.2 ms\n"),
            std::string::npos)
      << text;
  tcp->set_outcome(v1::TCP_STUN_UNREACHABLE);
  tcp->set_error("no answer to the connection within 1.5s");
  text = FormatProbeReport(report);
  EXPECT_NE(text.find("no answer either: nothing reaches the server"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(": nothing came back (no answer to the connection "
                      "within 1.5s)"),
            std::string::npos)
      << text;
  EXPECT_NE(ProbeReportJson(report).find("\"outcome\": \"TCP_STUN_UNREACHABLE\""),
            std::string::npos);
}

TEST(ProbeOutputTest, FirewalkingHasAVerdictLineAndOneEvidenceLinePerCheck) {
  v1::ProbeReport report = Sample();
  v1::FirewalkCheck* port = report.add_firewalk();
  port->set_kind("port");
  port->set_destination("203.0.113.10:80");
  port->set_ttl(2);
  port->set_verdict(v1::FIREWALK_DROPPED);
  port->set_transmissions(2);
  port->set_sibling("2/2 from 198.51.100.1");
  v1::FirewalkCheck* dest = report.add_firewalk();
  dest->set_kind("destination");
  dest->set_destination("203.0.113.21:3478");
  dest->set_ttl(2);
  dest->set_verdict(v1::FIREWALK_PASSED);
  dest->set_responder("198.51.100.1");
  dest->set_transmissions(1);
  dest->set_sibling("1/1 from 198.51.100.1");
  const std::string text = FormatProbeReport(report);
  EXPECT_NE(text.find("  Firewalking:    80 DROPPED, 203.0.113.21:3478 passed\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  firewalk      203.0.113.10:80 ttl 2: DROPPED; 2 tries, "
                      "sibling answered 2/2 from 198.51.100.1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("203.0.113.21:3478 ttl 2: passed (198.51.100.1 answered); 1 "
                      "tries"),
            std::string::npos)
      << text;
}

TEST(ProbeOutputTest, TheIpv6HalfFollowsWithItsOwnVerdicts) {
  v1::ProbeReport report = Sample();
  v1::ProbeReport* six = report.mutable_ipv6();
  six->set_udp_reachable(true);
  six->set_public_address("[2001:db8:1::2]:40000");
  six->set_mapping_behavior(v1::MAPPING_NO_NAT);
  const std::string text = FormatProbeReport(report);
  const size_t v6 = text.find("== IPv6 (the same tests over IPv6) ==");
  ASSERT_NE(v6, std::string::npos) << text;
  EXPECT_LT(text.find("127.0.0.1:40000"), v6);
  EXPECT_NE(text.find("  Public address: [2001:db8:1::2]:40000", v6), std::string::npos);
  EXPECT_EQ(FormatProbeReport(Sample()).find("IPv6"), std::string::npos);
}

// The line of the human report naming the AWS ranges; empty when none.
std::string AwsRangesLine(const std::string& text) {
  const size_t at = text.find("  AWS ranges:");
  if (at == std::string::npos) return "";
  return text.substr(at, text.find('\n', at) - at);
}

TEST(ProbeOutputTest, SaysWhichAwsRangesDecidedAndHowOldTheyAre) {
  v1::ProbeReport report = Sample();
  EXPECT_EQ(AwsRangesLine(FormatProbeReport(report)), "");  // None used.
  report.set_aws_ranges_date("2026-08-22-15-17-05");
  report.set_aws_ranges_source("built-in");
  report.mutable_time()->set_seconds(1787411825 + 10 * 86400);
  EXPECT_EQ(AwsRangesLine(FormatProbeReport(report)),
            "  AWS ranges:     built-in copy of 2026-08-22 (refresh with "
            "--aws_ip_ranges=FILE)");
  report.mutable_time()->set_seconds(1787411825 + 101 * 86400);
  EXPECT_EQ(AwsRangesLine(FormatProbeReport(report)),
            "  AWS ranges:     built-in copy of 2026-08-22, 101 days old: out "
            "of date, AWS may have added prefixes since (refresh with "
            "--aws_ip_ranges=FILE)");
  report.set_aws_ranges_source("/etc/natscope/ip-ranges.json");
  report.mutable_time()->set_seconds(1787411825 + 3 * 86400);
  EXPECT_EQ(AwsRangesLine(FormatProbeReport(report)),
            "  AWS ranges:     /etc/natscope/ip-ranges.json of 2026-08-22");
  report.mutable_time()->set_seconds(1787411825 + 45 * 86400);
  EXPECT_EQ(AwsRangesLine(FormatProbeReport(report)),
            "  AWS ranges:     /etc/natscope/ip-ranges.json of 2026-08-22, 45 "
            "days old: out of date, AWS may have added prefixes since "
            "(download a new one from "
            "https://ip-ranges.amazonaws.com/ip-ranges.json)");
}

}  // namespace
}  // namespace natscope::ingest
