#include "analyzer/outbound_rules.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A report whose primary answered from behind a NAT.
v1::ProbeReport Answered() {
  v1::ProbeReport report;
  v1::StunObservation* o = report.add_observations();
  o->set_test("binding");
  o->set_server("203.0.113.10:3478");
  o->set_answered(true);
  o->set_mapped_address("198.51.100.2:40000");
  report.set_public_address("198.51.100.2:40000");
  return report;
}

void Port(v1::ProbeReport* r, int port, bool passed, bool inconclusive) {
  v1::PortCheck* c = r->add_port_checks();
  c->set_port(port);
  c->set_server("203.0.113.10:" + std::to_string(port));
  c->set_passed(passed);
  c->set_inconclusive(inconclusive);
}

void Walk(v1::ProbeReport* r, const std::string& kind, const std::string& to,
          v1::FirewalkVerdict verdict) {
  v1::FirewalkCheck* c = r->add_firewalk();
  c->set_kind(kind);
  c->set_destination(to);
  c->set_ttl(2);
  c->set_verdict(verdict);
  c->set_transmissions(verdict == v1::FIREWALK_DROPPED ? 2 : 1);
  c->set_sibling("2/2 from 198.51.100.1");
  if (verdict != v1::FIREWALK_DROPPED) c->set_responder("198.51.100.1");
}

TEST(OutboundRulesTest, FirewalkingDecidesPortsTheStunCheckCouldNot) {
  v1::ProbeReport r = Answered();
  Port(&r, 3478, true, false);
  Port(&r, 80, false, true);
  Port(&r, 443, false, true);
  Walk(&r, "port", "203.0.113.10:80", v1::FIREWALK_DROPPED);
  Walk(&r, "port", "203.0.113.10:443", v1::FIREWALK_PASSED);
  AddOutboundFindings(&r);
  ASSERT_EQ(r.findings_size(), 1);
  const v1::Finding& f = r.findings(0);
  EXPECT_EQ(f.code(), v1::FINDING_OUTBOUND_PORTS_RESTRICTED);
  EXPECT_EQ(f.severity(), v1::SEVERITY_CRITICAL);
  EXPECT_EQ(f.summary(),
            "Outbound UDP is restricted to some destination ports: 80 "
            "blocked (firewalking)");
  EXPECT_THAT(
      f.evidence(),
      ElementsAre(
          "UDP answered on port(s) 3478",
          "firewalking 203.0.113.10:80 with TTL 2: dropped (silent to 2 "
          "tries while the server's own port, sent after each, was answered "
          "2/2 from 198.51.100.1)",
          "firewalking 203.0.113.10:443 with TTL 2: passed (198.51.100.1 "
          "answered)"));
}

TEST(OutboundRulesTest, TheServersOwnPortIsOpenEvenWhenNotChecked) {
  // --stun=X:3478 but 3478 is not among --ports: every checked port
  // inconclusive, then firewalked and dropped.
  v1::ProbeReport r = Answered();
  Port(&r, 80, false, true);
  Walk(&r, "port", "203.0.113.10:80", v1::FIREWALK_DROPPED);
  AddOutboundFindings(&r);
  ASSERT_EQ(r.findings_size(), 1);
  EXPECT_EQ(r.findings(0).code(), v1::FINDING_OUTBOUND_PORTS_RESTRICTED);
  EXPECT_EQ(r.findings(0).evidence(0), "UDP answered on port(s) 3478");
}

TEST(OutboundRulesTest, SaysWhenBothMethodsFoundBlockedPorts) {
  v1::ProbeReport r = Answered();
  Port(&r, 3478, true, false);
  Port(&r, 53, false, false);  // Served, silent: blocked by the STUN check.
  Walk(&r, "port", "203.0.113.10:80", v1::FIREWALK_REJECTED);
  AddOutboundFindings(&r);
  ASSERT_EQ(r.findings_size(), 1);
  EXPECT_THAT(r.findings(0).summary(),
              HasSubstr("53, 80 blocked (STUN port check and firewalking)"));
  EXPECT_THAT(r.findings(0).evidence(1), HasSubstr("53 that the server says"));
  EXPECT_THAT(r.findings(0).evidence(2), HasSubstr("refused by 198.51.100.1"));
}

TEST(OutboundRulesTest, UnknownAndNotListeningNeverRestrict) {
  v1::ProbeReport r = Answered();
  Port(&r, 3478, true, false);
  Port(&r, 80, false, true);
  Walk(&r, "port", "203.0.113.10:80", v1::FIREWALK_UNKNOWN);
  Walk(&r, "port", "203.0.113.10:53", v1::FIREWALK_NOT_LISTENING);
  Walk(&r, "destination", "203.0.113.21:3478", v1::FIREWALK_UNKNOWN);
  AddOutboundFindings(&r);
  EXPECT_EQ(r.findings_size(), 0);
}

TEST(OutboundRulesTest, DroppedDestinationRestrictsAddresses) {
  v1::ProbeReport r = Answered();
  Walk(&r, "destination", "203.0.113.21:3478", v1::FIREWALK_DROPPED);
  Walk(&r, "destination", "203.0.113.12:3478", v1::FIREWALK_PASSED);
  AddOutboundFindings(&r);
  ASSERT_EQ(r.findings_size(), 1);
  const v1::Finding& f = r.findings(0);
  EXPECT_EQ(f.code(), v1::FINDING_OUTBOUND_IPS_RESTRICTED);
  EXPECT_EQ(f.summary(),
            "Outbound UDP is restricted to some destination addresses: "
            "203.0.113.21 blocked (firewalking)");
  ASSERT_EQ(f.evidence_size(), 3);
  EXPECT_EQ(f.evidence(0), "UDP reaches 203.0.113.10:3478 (STUN answered)");
  EXPECT_THAT(f.evidence(1), HasSubstr("203.0.113.21:3478 with TTL 2: dropped"));
  EXPECT_THAT(f.evidence(2), HasSubstr("203.0.113.12:3478 with TTL 2: passed"));
}

TEST(OutboundRulesTest, NoDestinationFindingWithoutAnyAnswer) {
  v1::ProbeReport r;
  Walk(&r, "destination", "203.0.113.21:3478", v1::FIREWALK_DROPPED);
  AddOutboundFindings(&r);
  EXPECT_EQ(r.findings_size(), 0);
}

}  // namespace
}  // namespace natscope::analyzer
