// The dual-stack driver (RunProbe) against the simulated network, which has
// no IPv6 route: given servers of both families, it probes IPv4 alone and
// says why. Both families end to end: tests/natlab/dual_stack_test.sh.
#include <string>
#include <vector>

#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "ingest/probe/probe_executor.h"
#include "ingest/probe/sim_network.h"

namespace natscope::ingest {
namespace {

const net::SocketAddress kServer = *net::SocketAddress::Parse("192.0.2.1:3478");

TEST(DualStackSimTest, WithoutAnIpv6RouteOnlyIpv4IsProbedAndTheReasonShown) {
  SimClock clock;
  SimNetwork network(&clock, SimNetworkConfig());
  ASSERT_TRUE(network.AddStunServer({kServer, std::nullopt}).ok());
  ProbeOptions options;
  options.stun_servers = {"[2001:db8::1]:3478", kServer.ToString()};
  options.ports.clear();
  options.gateways = false;
  options.trace_hops = false;
  std::vector<std::string> steps;
  options.progress = [&](const std::string& step) { steps.push_back(step); };
  ScriptedPathEvidence evidence;
  absl::StatusOr<v1::ProbeReport> report;
  RunOnSimClock(clock, [&] {
    report = RunProbe(options, {&network, &evidence, &clock, /*sequential=*/true});
  });
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->udp_reachable());
  EXPECT_FALSE(report->has_ipv6());
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps[0].rfind("IPv6 not probed (no route to [2001:db8::1]:3478", 0), 0u)
      << steps[0];
  for (const v1::StunObservation& o : report->observations()) {
    EXPECT_EQ(o.server(), kServer.ToString());
  }
}

TEST(DualStackSimTest, ALocalAddressPicksItsFamilysServers) {
  SimClock clock;
  SimNetwork network(&clock, SimNetworkConfig());
  ASSERT_TRUE(network.AddStunServer({kServer, std::nullopt}).ok());
  ProbeOptions options;
  options.stun_servers = {"[2001:db8::1]:3478", kServer.ToString()};
  options.ports.clear();
  options.gateways = false;
  options.trace_hops = false;
  options.local = "192.168.1.10:0";
  ScriptedPathEvidence evidence;
  absl::StatusOr<v1::ProbeReport> report;
  RunOnSimClock(clock, [&] {
    report = RunProbe(options, {&network, &evidence, &clock, /*sequential=*/true});
  });
  ASSERT_TRUE(report.ok()) << report.status();
  for (const v1::StunObservation& o : report->observations()) {
    EXPECT_EQ(o.server(), kServer.ToString());
  }
  options.stun_servers = {"[2001:db8::1]:3478"};
  RunOnSimClock(clock, [&] {
    report = RunProbe(options, {&network, &evidence, &clock, /*sequential=*/true});
  });
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("no STUN server of that family"),
            std::string::npos)
      << report.status();
}

}  // namespace
}  // namespace natscope::ingest
