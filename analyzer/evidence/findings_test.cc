#include "analyzer/evidence/findings.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

using v1::ProbeReport;

// A home-LAN host behind one NAT that a STUN server saw as `mapped`.
ProbeReport Behind(const std::string& local, const std::string& mapped,
                   v1::MappingBehavior mapping) {
  ProbeReport r;
  r.set_local_address(local);
  r.set_public_address(mapped);
  r.set_mapping_behavior(mapping);
  v1::StunObservation* o = r.add_observations();
  o->set_server("198.51.100.10:3478");
  o->set_local_address(local);
  o->set_answered(true);
  o->set_mapped_address(mapped);
  return r;
}

void Hops(ProbeReport* r, const std::vector<std::string>& addresses) {
  int ttl = 1;
  for (const std::string& a : addresses) {
    v1::HopObservation* h = r->add_hops();
    h->set_ttl(ttl++);
    h->set_address(a);
  }
}

void Gateway(ProbeReport* r, const std::string& external) {
  v1::GatewayObservation* g = r->add_gateways();
  g->set_protocol("nat-pmp");
  g->set_gateway("192.168.1.1:5351");
  g->set_answered(true);
  g->set_external_address(external);
}

struct Case {
  std::string name;
  ProbeReport report;
  std::optional<v1::AwsMatch> aws;
  // Expected findings as "CODE: evidence substring" (one substring each).
  std::vector<std::pair<v1::FindingCode, std::string>> want;
};

v1::AwsMatch Aws() {
  v1::AwsMatch m;
  m.set_prefix("3.120.0.0/14");
  m.set_region("eu-central-1");
  m.set_service("EC2");
  m.set_network_border_group("eu-central-1");
  m.set_ranges_date("2026-08-22-15-17-05");
  return m;
}

std::vector<Case> Cases() {
  const auto eim = v1::MAPPING_ENDPOINT_INDEPENDENT;
  const auto apdm = v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT;
  std::vector<Case> cases;
  auto add = [&](std::string name, std::function<void(ProbeReport*)> build,
                 std::optional<v1::AwsMatch> aws,
                 std::vector<std::pair<v1::FindingCode, std::string>> want,
                 ProbeReport base) {
    build(&base);
    cases.push_back(
        Case{std::move(name), std::move(base), aws, std::move(want)});
  };
  const ProbeReport home = Behind("192.168.1.20:40000", "8.8.4.4:40000", eim);
  add(
      "home LAN with one private hop is fine",
      [](ProbeReport* r) {
        Hops(r, {"192.168.1.1", "8.8.8.1", ""});
      },
      std::nullopt, {}, home);
  add(
      "two private hops before public mean double NAT",
      [](ProbeReport* r) {
        Hops(r, {"192.168.1.1", "", "10.0.0.1", "8.8.8.1"});
      },
      std::nullopt,
      {{v1::FINDING_DOUBLE_NAT,
        "hop 3 (ttl 3) is 10.0.0.1, a private address"}},
      home);
  add(
      "a repeated hop address counts once",
      [](ProbeReport* r) {
        Hops(r, {"192.168.1.1", "192.168.1.1", "8.8.8.1"});
      },
      std::nullopt, {}, home);
  add(
      "private hops after the first public one do not count",
      [](ProbeReport* r) {
        Hops(r, {"192.168.1.1", "8.8.8.1", "10.0.0.1"});
      },
      std::nullopt, {}, home);
  add(
      "a CGNAT hop means CGNAT and a second NAT layer",
      [](ProbeReport* r) {
        Hops(r, {"192.168.1.1", "100.64.0.1", "8.8.8.1"});
      },
      std::nullopt,
      {{v1::FINDING_CGNAT,
        "hop 2 (ttl 2) is 100.64.0.1, a carrier-grade NAT address"},
       {v1::FINDING_DOUBLE_NAT, "2 private or carrier-grade NAT routers"}},
      home);
  add(
      "a mapped CGNAT address means CGNAT", [](ProbeReport* r) {}, std::nullopt,
      {{v1::FINDING_CGNAT, "saw this host as 100.64.7.9:1024"}},
      Behind("192.168.1.20:40000", "100.64.7.9:1024", eim));
  add(
      "a gateway with a private external address is double NAT",
      [](ProbeReport* r) { Gateway(r, "192.168.0.2"); }, std::nullopt,
      {{v1::FINDING_DOUBLE_NAT,
        "reports its external address as 192.168.0.2, a private address"}},
      home);
  add(
      "a gateway with a CGNAT external address is CGNAT and double NAT",
      [](ProbeReport* r) { Gateway(r, "100.64.0.5"); }, std::nullopt,
      {{v1::FINDING_CGNAT, "192.168.1.1:5351 (nat-pmp) reports"},
       {v1::FINDING_DOUBLE_NAT, "itself behind another NAT"}},
      home);
  add(
      "a gateway external address other than the mapped one is double NAT",
      [](ProbeReport* r) { Gateway(r, "203.0.113.7"); }, std::nullopt,
      {{v1::FINDING_DOUBLE_NAT, "saw this host as 8.8.4.4:40000"}}, home);
  add(
      "a gateway agreeing with STUN overrides private routed hops",
      [](ProbeReport* r) {
        Gateway(r, "8.8.4.4");
        Hops(r, {"10.1.0.1", "10.2.0.1", "8.8.8.1"});
      },
      std::nullopt, {}, home);
  add(
      "no NAT means private hops are routing only",
      [](ProbeReport* r) {
        Hops(r, {"10.1.0.1", "10.2.0.1"});
      },
      std::nullopt, {},
      Behind("10.0.0.5:4000", "10.0.0.5:4000", v1::MAPPING_NO_NAT));
  add(
      "lab documentation addresses count as public",
      [](ProbeReport* r) {
        Hops(r, {"192.168.1.1", "203.0.113.1", "10.0.0.1"});
      },
      std::nullopt, {}, Behind("192.168.1.20:40000", "203.0.113.2:40000", eim));
  add(
      "AWS prefix plus symmetric mapping plus new port is a NAT gateway",
      [](ProbeReport* r) { r->set_port_preserved(false); }, Aws(),
      {{v1::FINDING_AWS_NAT_GATEWAY, "inside AWS prefix 3.120.0.0/14 (EC2"}},
      Behind("10.0.1.5:40000", "3.120.1.2:61234", apdm));
  add(
      "AWS prefix with a preserved port is no NAT gateway",
      [](ProbeReport* r) { r->set_port_preserved(true); }, Aws(), {},
      Behind("10.0.1.5:40000", "3.120.1.2:40000", apdm));
  add(
      "AWS prefix with endpoint-independent mapping is no NAT gateway",
      [](ProbeReport* r) { r->set_port_preserved(false); }, Aws(), {},
      Behind("10.0.1.5:40000", "3.120.1.2:61234", eim));
  add(
      "AWS prefix with unknown port preservation is no NAT gateway",
      [](ProbeReport* r) {}, Aws(), {},
      Behind("10.0.1.5:40000", "3.120.1.2:61234", apdm));
  return cases;
}

TEST(FindingsTest, EachEvidenceFiresOnlyItsFinding) {
  for (Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    AddPathFindings(c.aws, &c.report);
    ASSERT_EQ(c.report.findings_size(), static_cast<int>(c.want.size()))
        << c.report.DebugString();
    for (size_t i = 0; i < c.want.size(); ++i) {
      const v1::Finding& f = c.report.findings(static_cast<int>(i));
      EXPECT_EQ(f.code(), c.want[i].first);
      const std::string evidence = absl::StrJoin(f.evidence(), "\n");
      EXPECT_NE(evidence.find(c.want[i].second), std::string::npos) << evidence;
      EXPECT_FALSE(f.summary().empty());
      EXPECT_EQ(f.remediation().rfind("Check the connector side first", 0), 0u)
          << f.remediation();
      EXPECT_NE(f.severity(), v1::SEVERITY_UNSPECIFIED);
    }
    EXPECT_EQ(c.report.has_aws(), c.aws.has_value());
  }
}

TEST(FindingsTest, AwsNatGatewayIsCriticalAndNamesBothRemedies) {
  ProbeReport r = Behind("10.0.1.5:40000", "3.120.1.2:61234",
                         v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT);
  r.set_port_preserved(false);
  AddPathFindings(Aws(), &r);
  ASSERT_EQ(r.findings_size(), 1);
  EXPECT_EQ(r.findings(0).severity(), v1::SEVERITY_CRITICAL);
  EXPECT_NE(r.findings(0).remediation().find("NAT instance"),
            std::string::npos);
  EXPECT_NE(r.findings(0).remediation().find("public subnet"),
            std::string::npos);
  EXPECT_EQ(r.aws().region(), "eu-central-1");
}

TEST(FindingsTest, RunningTwiceReplacesRatherThanDuplicates) {
  ProbeReport r = Behind("192.168.1.20:1", "100.64.7.9:1024",
                         v1::MAPPING_ENDPOINT_INDEPENDENT);
  v1::Finding* other = r.add_findings();
  other->set_code(v1::FINDING_UDP_BLOCKED);
  AddPathFindings(std::optional<v1::AwsMatch>(), &r);
  AddPathFindings(std::optional<v1::AwsMatch>(), &r);
  ASSERT_EQ(r.findings_size(), 2);
  EXPECT_EQ(r.findings(0).code(), v1::FINDING_UDP_BLOCKED);
  EXPECT_EQ(r.findings(1).code(), v1::FINDING_CGNAT);
}

TEST(FindingsTest, LooksThePublicAddressUpInTheRanges) {
  auto ranges = AwsRanges::ParseJson(
      R"({"createDate": "d", "prefixes": [{"ip_prefix": "3.120.0.0/14",
          "service": "EC2", "region": "eu-central-1"}]})",
      "test");
  ASSERT_TRUE(ranges.ok());
  ProbeReport r = Behind("10.0.1.5:40000", "3.120.1.2:61234",
                         v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT);
  r.set_port_preserved(false);
  AddPathFindings(&*ranges, &r);
  ASSERT_EQ(r.findings_size(), 1);
  EXPECT_EQ(r.findings(0).code(), v1::FINDING_AWS_NAT_GATEWAY);
  EXPECT_EQ(r.aws().prefix(), "3.120.0.0/14");
  // Ranges reloaded without that prefix: no match, no finding.
  auto newer = AwsRanges::ParseJson(
      R"({"createDate": "e", "prefixes": [{"ip_prefix": "52.0.0.0/11",
          "service": "EC2", "region": "us-east-1"}]})",
      "test");
  ASSERT_TRUE(newer.ok());
  AddPathFindings(&*newer, &r);
  EXPECT_EQ(r.findings_size(), 0);
  EXPECT_FALSE(r.has_aws());
  ProbeReport none;
  AddPathFindings(static_cast<const AwsRanges*>(nullptr), &none);
  EXPECT_EQ(none.findings_size(), 0);
}

TEST(FindingsTest, SaysWhichRangesDecidedMatchOrNot) {
  auto ranges = AwsRanges::ParseJson(
      R"({"createDate": "2026-12-01-08-00-00", "prefixes": [
          {"ip_prefix": "3.120.0.0/14", "service": "EC2"}]})",
      "/etc/natscope/ip-ranges.json");
  ASSERT_TRUE(ranges.ok());
  ProbeReport r = Behind("10.0.1.5:40000", "198.51.100.2:61234",
                         v1::MAPPING_ENDPOINT_INDEPENDENT);
  AddPathFindings(&*ranges, &r);
  EXPECT_FALSE(r.has_aws());
  EXPECT_EQ(r.aws_ranges_date(), "2026-12-01-08-00-00");
  EXPECT_EQ(r.aws_ranges_source(), "/etc/natscope/ip-ranges.json");
  // Re-decided without ranges: no stale claim about which ranges decided.
  AddPathFindings(static_cast<const AwsRanges*>(nullptr), &r);
  EXPECT_EQ(r.aws_ranges_date(), "");
  EXPECT_EQ(r.aws_ranges_source(), "");
}

}  // namespace
}  // namespace natscope::analyzer
