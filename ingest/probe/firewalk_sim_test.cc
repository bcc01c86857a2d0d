// Firewalking through the whole probe (plan, executor, verdicts) against
// the simulated network: a firewall the STUN port check cannot see
// through, a router beyond it scripted through ScriptedPathEvidence. The
// ICMP itself is tested in the NAT lab (tests/natlab/*firewalled*).
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "ingest/probe/probe_executor.h"
#include "ingest/probe/sim_network.h"

namespace natscope::ingest {
namespace {

using Kind = FirewalkReply::Kind;

const net::SocketAddress kServer = *net::SocketAddress::Parse("192.0.2.1:3478");
const net::SocketAddress kOther = *net::SocketAddress::Parse("192.0.2.2:3478");
const net::SocketAddress kRouter = *net::SocketAddress::Parse("198.51.100.254:0");

v1::HopObservation Hop(int ttl, const char* address, const char* klass) {
  v1::HopObservation h;
  h.set_ttl(ttl);
  h.set_address(address);
  h.set_address_class(klass);
  h.set_rtt_micros(30000);
  return h;
}

// A router beyond a firewall that drops UDP to `blocked_ports` and to
// `blocked_ips`; it answers time exceeded unless `icmp_silent`.
ScriptedPathEvidence::FirewalkScript Router(std::set<uint16_t> blocked_ports,
                                            std::set<std::string> blocked_ips,
                                            bool icmp_silent = false) {
  return [=](const FirewalkRoundOptions& round) {
    const auto reply = [&](const net::SocketAddress& to) {
      FirewalkReply r;
      if (icmp_silent || blocked_ports.count(to.port()) > 0 ||
          blocked_ips.count(to.IpString()) > 0) {
        return r;
      }
      r.kind = Kind::kTimeExceeded;
      r.responder = kRouter;
      r.rtt = absl::Milliseconds(30);
      return r;
    };
    FirewalkRound out;
    for (const net::SocketAddress& t : round.targets) out.targets.push_back(reply(t));
    out.sibling = reply(round.sibling);
    return out;
  };
}

v1::ProbeReport Probe(const ScriptedPathEvidence::FirewalkScript& router,
                      std::set<uint16_t> firewall_ports) {
  SimClock clock;
  SimNetworkConfig config;
  SimNatConfig nat;
  nat.public_ip = *net::SocketAddress::Parse("203.0.113.7:0");
  config.nat = nat;
  config.blocked_ports = std::move(firewall_ports);
  SimNetwork network(&clock, config);
  EXPECT_TRUE(network.AddStunServer({kServer, std::nullopt}).ok());
  ProbeOptions options;
  options.stun_servers = {kServer.ToString()};
  options.ports = {3478, 443, 80};
  options.destinations = {kOther.ToString()};
  options.gateways = false;
  options.trace_hops = true;
  ScriptedPathEvidence evidence(
      {}, {Hop(1, "192.168.1.1", "private"), Hop(2, "198.51.100.254", "public")},
      router);
  absl::StatusOr<v1::ProbeReport> report;
  RunOnSimClock(clock, [&] {
    report = RunProbe(options, {&network, &evidence, &clock, /*sequential=*/true});
  });
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : v1::ProbeReport();
}

std::string Walked(const v1::ProbeReport& report) {
  std::vector<std::string> out;
  for (const v1::FirewalkCheck& c : report.firewalk()) {
    out.push_back(absl::StrCat(c.kind(), " ", c.destination(), " ",
                               v1::FirewalkVerdict_Name(c.verdict())));
  }
  return absl::StrJoin(out, ", ");
}

std::string Findings(const v1::ProbeReport& report) {
  std::set<std::string> codes;
  for (const v1::Finding& f : report.findings())
    codes.insert(v1::FindingCode_Name(f.code()));
  return absl::StrJoin(codes, " ");
}

TEST(FirewalkSimTest, FirewallDroppingAPortAndAnAddressIsFound) {
  // 443 passes the firewall (the server's host refuses it: not served),
  // 80 does not, and nothing reaches 192.0.2.2: the port check calls 80
  // inconclusive; firewalking decides it, and the destination.
  const v1::ProbeReport report = Probe(Router({80}, {"192.0.2.2"}), {80});
  EXPECT_EQ(Walked(report),
            "port 192.0.2.1:80 FIREWALK_DROPPED, "
            "destination 192.0.2.2:3478 FIREWALK_DROPPED");
  EXPECT_EQ(Findings(report),
            "FINDING_OUTBOUND_IPS_RESTRICTED FINDING_OUTBOUND_PORTS_RESTRICTED");
  for (const v1::FirewalkCheck& c : report.firewalk()) {
    EXPECT_EQ(c.ttl(), 2);
    EXPECT_EQ(c.transmissions(), 2);
    EXPECT_EQ(c.sibling(), "2/2 from 198.51.100.254");
  }
}

TEST(FirewalkSimTest, NothingBlockedBeyondTheStunCheckPasses) {
  const v1::ProbeReport report = Probe(Router({}, {}), {});
  // 80 answered "port unreachable" from the server's host: not walked.
  EXPECT_EQ(Walked(report), "destination 192.0.2.2:3478 FIREWALK_PASSED");
  EXPECT_EQ(Findings(report), "");
}

TEST(FirewalkSimTest, RouterThatNeverAnswersLeavesEverythingUnknown) {
  const v1::ProbeReport report =
      Probe(Router({80}, {"192.0.2.2"}, /*icmp_silent=*/true), {80});
  EXPECT_EQ(Walked(report),
            "port 192.0.2.1:80 FIREWALK_UNKNOWN, "
            "destination 192.0.2.2:3478 FIREWALK_UNKNOWN");
  EXPECT_EQ(Findings(report), "");
  // Two rounds of 140 ms and the 1 s pause for the router's tokens between.
  for (const v1::FirewalkCheck& c : report.firewalk()) {
    EXPECT_EQ(c.transmissions(), 2);
    EXPECT_EQ(c.sibling(), "0/2");
  }
}

}  // namespace
}  // namespace natscope::ingest
