#include "analyzer/classify_probe.h"

#include <string>
#include <vector>

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

v1::TcpStunObservation* Tcp(v1::ProbeReport* report, v1::TcpStunOutcome outcome,
                            const char* error = "") {
  v1::TcpStunObservation* o = report->add_tcp_stun();
  o->set_server("192.0.2.1:3478");
  o->set_local_address("10.0.0.2:41000");
  o->set_outcome(outcome);
  o->set_error(error);
  if (outcome == v1::TCP_STUN_ANSWERED) {
    o->set_mapped_address("198.51.100.7:41000");
    o->set_rtt_micros(1500);
  }
  return o;
}

// STUN over TCP tells "only UDP is dropped" from "nothing reaches the
// server"; the code stays UDP_BLOCKED, the summary and evidence say which.
TEST(ClassifyProbeTest, StunOverTcpSaysWhichUdpBlockedItIs) {
  struct Case {
    const char* name;
    v1::TcpStunOutcome outcome;  // UNSPECIFIED: no TCP check in the report
    const char* summary;
    const char* tcp_evidence;  // "": no TCP evidence line
  };
  for (const Case& c : std::vector<Case>{
           {"answered", v1::TCP_STUN_ANSWERED,
            "STUN over TCP to 192.0.2.1:3478 answered (mapped "
            "198.51.100.7:41000), so the path to the server exists and only "
            "UDP is dropped",
            "STUN over TCP to 192.0.2.1:3478 from 10.0.0.2:41000: answered, "
            "mapped 198.51.100.7:41000, rtt 1.5 ms"},
           {"refused", v1::TCP_STUN_REFUSED,
            "the host of 192.0.2.1:3478 answered over TCP (connection "
            "refused), so the path to the server exists: UDP to it is "
            "dropped, unless the STUN server itself is down",
            "connection refused: the host answered over TCP, so the path to "
            "it exists"},
           {"bad answer", v1::TCP_STUN_BAD_ANSWER,
            "(connected, but no valid STUN answer), so the path to the server "
            "exists",
            "the host accepted the connection, so the path to it exists, but "
            "gave no valid answer (error 400 Bad Request)"},
           {"nothing", v1::TCP_STUN_UNREACHABLE,
            "nothing reaches the STUN server over UDP or TCP: outbound "
            "traffic to it is blocked or the server is down",
            "nothing came back (no answer to the connection within 1.5s)"},
           {"untested", v1::TCP_STUN_OUTCOME_UNSPECIFIED,
            "UDP is blocked: no STUN server answered, so peer-to-peer cannot "
            "work and traffic will go through relays",
            ""},
       }) {
    SCOPED_TRACE(c.name);
    v1::ProbeReport report;
    Observe(&report, "192.0.2.1:3478", "10.0.0.2:5000", nullptr);
    if (c.outcome != v1::TCP_STUN_OUTCOME_UNSPECIFIED) {
      Tcp(&report, c.outcome,
          c.outcome == v1::TCP_STUN_BAD_ANSWER  ? "error 400 Bad Request"
          : c.outcome == v1::TCP_STUN_UNREACHABLE
              ? "no answer to the connection within 1.5s"
              : "");
    }
    ClassifyProbe(&report);
    EXPECT_FALSE(report.udp_reachable());
    ASSERT_EQ(report.findings_size(), 1);
    const v1::Finding& f = report.findings(0);
    EXPECT_EQ(f.code(), v1::FINDING_UDP_BLOCKED);
    EXPECT_NE(f.summary().find(c.summary), std::string::npos) << f.summary();
    ASSERT_EQ(f.evidence_size(), *c.tcp_evidence ? 2 : 1);
    EXPECT_NE(f.evidence(0).find("no answer from 192.0.2.1:3478"), std::string::npos);
    if (*c.tcp_evidence) {
      EXPECT_NE(f.evidence(1).find(c.tcp_evidence), std::string::npos) << f.evidence(1);
    }
  }
}

TEST(ClassifyProbeTest, AnAnswerOverTcpOutranksSilenceAndNothingReachedAsksForTheServer) {
  v1::ProbeReport report;
  Observe(&report, "192.0.2.1:3478", "10.0.0.2:5000", nullptr);
  Tcp(&report, v1::TCP_STUN_UNREACHABLE, "no answer");
  Tcp(&report, v1::TCP_STUN_ANSWERED);
  ClassifyProbe(&report);
  ASSERT_EQ(report.findings_size(), 1);
  EXPECT_NE(report.findings(0).summary().find("only UDP is dropped"), std::string::npos);

  v1::ProbeReport nothing;
  Observe(&nothing, "192.0.2.1:3478", "10.0.0.2:5000", nullptr);
  Tcp(&nothing, v1::TCP_STUN_UNREACHABLE, "no answer");
  ClassifyProbe(&nothing);
  EXPECT_NE(nothing.findings(0).remediation().find(
                "Check that the STUN server 192.0.2.1:3478 is up"),
            std::string::npos)
      << nothing.findings(0).remediation();
  // A local error is no evidence: the plain wording stays.
  v1::ProbeReport local;
  Observe(&local, "192.0.2.1:3478", "10.0.0.2:5000", nullptr);
  Tcp(&local, v1::TCP_STUN_LOCAL_ERROR, "cannot open a TCP socket");
  ClassifyProbe(&local);
  EXPECT_EQ(local.findings(0).evidence_size(), 1);
  EXPECT_NE(local.findings(0).summary().find("no STUN server answered, so"),
            std::string::npos);
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

TEST(ClassifyProbeTest, AClassicServerIsNamedWithWhatItCannotAnswer) {
  v1::ProbeReport report;
  Observe(&report, "192.0.2.1:3478", "10.0.0.2:5000", "198.51.100.7:6000");
  report.mutable_observations(0)->set_other_address("192.0.2.2:3479");
  report.mutable_observations(0)->set_classic_server(true);
  ClassifyProbe(&report);
  ASSERT_EQ(report.warnings_size(), 1);
  EXPECT_NE(report.warnings(0).find("192.0.2.1:3478 answers as an RFC 3489 "
                                    "server"),
            std::string::npos);
  EXPECT_NE(report.warnings(0).find("tested with its CHANGED-ADDRESS"),
            std::string::npos);
  EXPECT_NE(report.warnings(0).find("--lifetime"), std::string::npos);

  report.mutable_observations(0)->clear_other_address();
  ClassifyProbe(&report);
  ASSERT_EQ(report.warnings_size(), 1);
  EXPECT_NE(report.warnings(0).find("could not be tested"), std::string::npos);
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
