// Path evidence in the whole probe (plan, executor, verdicts) over a
// simulated network: the gateway query's and hop trace's waits follow the
// round trip test I measured, and keep their fixed bounds where nothing
// answers. No real socket, no wall clock: a SimClock, and a scripted
// gateway and routers that answer after a given delay. (The NAT
// behaviours are in sim_probe_test.cc.)
#include <string>
#include <vector>

#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "ingest/probe/probe_executor.h"
#include "ingest/probe/sim_network.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {
namespace {

using absl::Milliseconds;

const net::SocketAddress kA1P1 =
    *net::SocketAddress::Parse("198.51.100.1:3478");
const net::SocketAddress kA2P2 =
    *net::SocketAddress::Parse("198.51.100.2:3479");

// A gateway that says it is behind another NAT, and two private hops: both
// evidence of double NAT, when they arrive in time.
v1::GatewayObservation DoubleNatGateway() {
  v1::GatewayObservation gateway;
  gateway.set_protocol("nat-pmp");
  gateway.set_gateway("192.168.1.1:5351");
  gateway.set_answered(true);
  gateway.set_external_address("10.0.0.2");
  return gateway;
}

std::vector<v1::HopObservation> PrivateHops() {
  std::vector<v1::HopObservation> hops(2);
  hops[0].set_ttl(1);
  hops[0].set_address("192.168.1.1");
  hops[0].set_address_class("private");
  hops[1].set_ttl(2);
  hops[1].set_address("10.0.0.1");
  hops[1].set_address_class("private");
  return hops;
}

// The host holds a public address; the one-way delay is `one_way`.
SimNetworkConfig NoNat(absl::Duration one_way) {
  SimNetworkConfig config;
  config.client_ip = *net::SocketAddress::Parse("203.0.113.10:0");
  config.one_way_delay = one_way;
  return config;
}

ProbeOptions Options(bool gateways, bool trace) {
  ProbeOptions options;
  options.stun_servers = {kA1P1.ToString()};
  options.ports = {3478, 443, 80, 53, 19302, 50000};
  options.gateways = gateways;
  options.trace_hops = trace;
  options.firewalk = false;
  return options;
}

// The probe against natscope-server's STUN core (A1/A2 x 3478/3479, plain
// STUN on 443, 80, 53 and 19302 of A1), with a gateway and routers that
// answer `delay` after they are asked.
v1::ProbeReport Simulate(const SimNetworkConfig& config,
                         const ProbeOptions& options, absl::Duration delay) {
  SimClock clock;
  SimNetwork network(&clock, config);
  EXPECT_TRUE(network.AddStunServer({kA1P1, kA2P2}, {443, 80, 53, 19302}).ok());
  ScriptedPathEvidence evidence({DoubleNatGateway()}, PrivateHops(), &clock,
                                delay);
  absl::StatusOr<v1::ProbeReport> report;
  RunOnSimClock(clock, [&] {
    report =
        RunProbe(options, {&network, &evidence, &clock, /*sequential=*/true});
  });
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : v1::ProbeReport();
}

bool HasFinding(const v1::ProbeReport& report, v1::FindingCode code) {
  for (const v1::Finding& f : report.findings()) {
    if (f.code() == code) return true;
  }
  return false;
}

// Everything answers at once on a 200 us round trip: the evidence waits
// follow it (about 100 ms, EvidenceWaitsFor), and the whole diagnosis is
// well under 250 ms even with every test run one after another. Evidence
// that would have come later is reported as missing, not as a finding.
TEST(SimEvidenceTest, OnAFastOpenPathTheWaitsFollowTheRoundTrip) {
  const SimNetworkConfig config = NoNat(absl::Microseconds(100));
  const v1::ProbeReport late =
      Simulate(config, Options(true, true), Milliseconds(150));
  EXPECT_EQ(late.mapping_behavior(), v1::MAPPING_NO_NAT);
  EXPECT_EQ(late.filtering_behavior(), v1::FILTERING_ENDPOINT_INDEPENDENT);
  ASSERT_EQ(late.gateways_size(), 1);
  EXPECT_FALSE(late.gateways(0).answered());
  EXPECT_TRUE(late.gateways(0).external_address().empty());
  EXPECT_EQ(late.gateways(0).error(),
            "no answer from 192.168.1.1:5351 within 101ms (waits follow the "
            "200us STUN round trip)");
  EXPECT_EQ(late.hops_size(), 0);
  EXPECT_EQ(late.findings_size(), 0);
  EXPECT_LT(late.duration_micros(),
            absl::ToInt64Microseconds(Milliseconds(150)));

  // A gateway and routers on the LAN answer within a few milliseconds.
  const v1::ProbeReport prompt =
      Simulate(config, Options(true, true), Milliseconds(5));
  ASSERT_EQ(prompt.gateways_size(), 1);
  EXPECT_TRUE(prompt.gateways(0).answered());
  EXPECT_EQ(prompt.hops_size(), 2);
  EXPECT_TRUE(HasFinding(prompt, v1::FINDING_DOUBLE_NAT));
  EXPECT_LT(prompt.duration_micros(),
            absl::ToInt64Microseconds(Milliseconds(50)));
}

// A slower path stretches the waits: on a 30 ms round trip the gateway
// has 190 ms to answer.
TEST(SimEvidenceTest, ASlowerPathStretchesTheWaits) {
  const SimNetworkConfig config = NoNat(Milliseconds(15));
  const ProbeOptions gateway = Options(true, false);
  EXPECT_TRUE(
      Simulate(config, gateway, Milliseconds(180)).gateways(0).answered());
  const v1::ProbeReport late = Simulate(config, gateway, Milliseconds(200));
  EXPECT_EQ(late.gateways(0).error(),
            "no answer from 192.168.1.1:5351 within 190ms (waits follow the "
            "30ms STUN round trip)");
}

// Nothing answers STUN, so no round trip is known: the evidence keeps its
// fixed bounds, the gateway 400 ms for an answer and the trace 500 ms.
// (One at a time here: run sequentially, the trace would start only once
// the gateway query ended.)
TEST(SimEvidenceTest, OnABlockedPathTheFixedBoundsStay) {
  SimNetworkConfig config = NoNat(Milliseconds(15));
  config.udp_blocked = true;
  const ProbeOptions gateway = Options(true, false);
  const v1::ProbeReport slow = Simulate(config, gateway, Milliseconds(350));
  EXPECT_FALSE(slow.udp_reachable());
  ASSERT_EQ(slow.gateways_size(), 1);
  EXPECT_TRUE(slow.gateways(0).answered());
  const v1::ProbeReport too_slow = Simulate(config, gateway, Milliseconds(450));
  ASSERT_EQ(too_slow.gateways_size(), 1);
  EXPECT_FALSE(too_slow.gateways(0).answered());
  EXPECT_EQ(too_slow.gateways(0).error(),
            "no answer from 192.168.1.1:5351 within 400ms");

  const ProbeOptions trace = Options(false, true);
  EXPECT_EQ(Simulate(config, trace, Milliseconds(450)).hops_size(), 2);
  EXPECT_EQ(Simulate(config, trace, Milliseconds(550)).hops_size(), 0);
}

// Silence on ports the server does not list proves nothing, so on a fast
// path they are given up on after 4 retransmission intervals (100 ms)
// rather than the whole 250 ms wait; they stay inconclusive, as before.
TEST(SimEvidenceTest, UnlistedSilentPortsDoNotHoldAFastProbe) {
  SimNetworkConfig config = NoNat(absl::Microseconds(100));
  config.blocked_ports = {50000};  // Silent, where ICMP would tell.
  const v1::ProbeReport r =
      Simulate(config, Options(false, false), absl::ZeroDuration());
  ASSERT_EQ(r.port_checks_size(), 6);
  EXPECT_TRUE(r.port_checks(5).inconclusive());
  EXPECT_GE(r.duration_micros(), absl::ToInt64Microseconds(Milliseconds(100)));
  EXPECT_LT(r.duration_micros(), absl::ToInt64Microseconds(Milliseconds(110)));
}

}  // namespace
}  // namespace natscope::ingest
