// STUN over TCP in the whole probe, on the simulated network with the
// server's answer over TCP scripted (ScriptedPathEvidence): tried only when
// UDP got no answer, it tells "only UDP is dropped" from "nothing reaches
// the server". The real TCP client: ingest/netpath/stun_tcp_test.cc and
// the NAT lab (tests/natlab: udp_blocked, all_blocked).
#include <atomic>
#include <string>

#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "ingest/probe/probe_executor.h"
#include "ingest/probe/sim_network.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {
namespace {

const net::SocketAddress kA1P1 =
    *net::SocketAddress::Parse("198.51.100.1:3478");
const net::SocketAddress kA2P2 =
    *net::SocketAddress::Parse("198.51.100.2:3479");
const net::SocketAddress kPlain = *net::SocketAddress::Parse("192.0.2.1:3478");

// A home router with endpoint-independent mapping; its firewall drops all
// outbound UDP when `udp_blocked`.
SimNetworkConfig HomeRouter(bool udp_blocked) {
  SimNetworkConfig config;
  SimNatConfig nat;
  nat.public_ip = *net::SocketAddress::Parse("203.0.113.7:0");
  config.nat = nat;
  config.udp_blocked = udp_blocked;
  return config;
}

v1::ProbeReport Probe(const SimNetworkConfig& config,
                      ScriptedPathEvidence evidence) {
  SimClock clock;
  SimNetwork network(&clock, config);
  EXPECT_TRUE(network.AddStunServer({kA1P1, kA2P2}).ok());
  EXPECT_TRUE(network.AddStunServer({kPlain, std::nullopt}).ok());
  ProbeOptions options;
  options.stun_servers = {kA1P1.ToString(), kPlain.ToString()};
  options.ports = {3478, 443};
  options.gateways = false;
  options.trace_hops = false;
  absl::StatusOr<v1::ProbeReport> report;
  RunOnSimClock(clock, [&] {
    report =
        RunProbe(options, {&network, &evidence, &clock, /*sequential=*/true});
  });
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : v1::ProbeReport();
}

ScriptedPathEvidence TcpGets(v1::TcpStunOutcome outcome) {
  ScriptedPathEvidence evidence;
  evidence.set_tcp_stun([outcome](const net::SocketAddress&) {
    v1::TcpStunObservation o;
    o.set_outcome(outcome);
    o.set_local_address("192.168.1.10:41000");
    if (outcome == v1::TCP_STUN_ANSWERED) {
      o.set_mapped_address("203.0.113.7:41000");
      o.set_rtt_micros(30000);
    } else {
      o.set_error("connection refused");
    }
    return o;
  });
  return evidence;
}

TEST(TcpStunSimTest, AnAnswerOverTcpShowsOnlyUdpIsDropped) {
  const v1::ProbeReport r =
      Probe(HomeRouter(true), TcpGets(v1::TCP_STUN_ANSWERED));
  EXPECT_FALSE(r.udp_reachable());
  ASSERT_EQ(r.tcp_stun_size(), 1);  // The primary only.
  EXPECT_EQ(r.tcp_stun(0).server(), kA1P1.ToString());
  ASSERT_EQ(r.findings_size(), 1);
  const v1::Finding& f = r.findings(0);
  EXPECT_EQ(f.code(), v1::FINDING_UDP_BLOCKED);
  EXPECT_NE(f.summary().find("STUN over TCP to 198.51.100.1:3478 answered "
                             "(mapped 203.0.113.7:41000), so the path to the "
                             "server exists and only UDP is dropped"),
            std::string::npos)
      << f.summary();
  EXPECT_EQ(f.evidence(f.evidence_size() - 1),
            "STUN over TCP to 198.51.100.1:3478 from 192.168.1.10:41000: "
            "answered, mapped 203.0.113.7:41000, rtt 30.0 ms");
  EXPECT_EQ(f.confidence(), v1::CONFIDENCE_HIGH);
  // Test I's 2.5 s, then the port check's 1 s; the answer over TCP takes
  // no simulated time.
  EXPECT_EQ(r.duration_micros(),
            absl::ToInt64Microseconds(absl::Milliseconds(3500)));
}

TEST(TcpStunSimTest, ARefusalShowsTheHostIsReachable) {
  const v1::ProbeReport r =
      Probe(HomeRouter(true), TcpGets(v1::TCP_STUN_REFUSED));
  ASSERT_EQ(r.findings_size(), 1);
  EXPECT_NE(r.findings(0).summary().find(
                "answered over TCP (connection refused), so the path to the "
                "server exists: UDP to it is dropped"),
            std::string::npos)
      << r.findings(0).summary();
  EXPECT_EQ(r.findings(0).confidence(), v1::CONFIDENCE_HIGH);
}

TEST(TcpStunSimTest, NothingOverTcpEitherIsLessSureAndBounded) {
  const v1::ProbeReport r = Probe(HomeRouter(true), ScriptedPathEvidence());
  ASSERT_EQ(r.tcp_stun_size(), 1);
  EXPECT_EQ(r.tcp_stun(0).outcome(), v1::TCP_STUN_UNREACHABLE);
  EXPECT_EQ(r.tcp_stun(0).error(), "no answer to the connection within 1.5s");
  ASSERT_EQ(r.findings_size(), 1);
  EXPECT_EQ(r.findings(0).code(), v1::FINDING_UDP_BLOCKED);
  EXPECT_NE(r.findings(0).summary().find(
                "nothing reaches the STUN server over UDP or TCP: outbound "
                "traffic to it is blocked or the server is down"),
            std::string::npos)
      << r.findings(0).summary();
  EXPECT_EQ(r.findings(0).confidence(), v1::CONFIDENCE_MEDIUM);
  // One after the other here: test I 2.5 s, the port check 1 s, TCP its
  // 1.5 s bound (concurrently, as the agent runs them: 4 s in all).
  EXPECT_EQ(r.duration_micros(),
            absl::ToInt64Microseconds(absl::Milliseconds(5000)));
}

TEST(TcpStunSimTest, AProbeAnsweredOverUdpNeverTriesTcp) {
  std::atomic<int> tried{0};
  ScriptedPathEvidence evidence;
  evidence.set_tcp_stun([&tried](const net::SocketAddress&) {
    ++tried;
    return v1::TcpStunObservation();
  });
  const v1::ProbeReport r = Probe(HomeRouter(false), evidence);
  EXPECT_TRUE(r.udp_reachable());
  EXPECT_EQ(r.tcp_stun_size(), 0);
  EXPECT_EQ(tried.load(), 0);
}

}  // namespace
}  // namespace natscope::ingest
