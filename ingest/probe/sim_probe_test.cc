// The whole probe (plan, executor, verdicts) against a simulated network:
// natscope-server's STUN core on two IPs x two ports, a NAT of each RFC
// 4787 behaviour, firewalls and loss. No real socket, no wall clock: time
// is a SimClock that jumps from one wait to the next.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "ingest/probe/probe_executor.h"
#include "ingest/probe/sim_network.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {
namespace {

using SD = SimDependence;

const net::SocketAddress kA1P1 =
    *net::SocketAddress::Parse("198.51.100.1:3478");
const net::SocketAddress kA2P2 =
    *net::SocketAddress::Parse("198.51.100.2:3479");
const net::SocketAddress kPlainB = *net::SocketAddress::Parse("192.0.2.1:3478");
const net::SocketAddress kPlainC = *net::SocketAddress::Parse("192.0.2.2:3478");
const net::SocketAddress kQuic = *net::SocketAddress::Parse("198.51.100.3:443");
const net::SocketAddress kPublicIp =
    *net::SocketAddress::Parse("203.0.113.7:0");

SimNetworkConfig NoNat() {
  SimNetworkConfig config;
  config.client_ip = *net::SocketAddress::Parse("203.0.113.10:0");
  return config;
}

SimNetworkConfig Behind(SD mapping, SD filtering) {
  SimNetworkConfig config;
  SimNatConfig nat;
  nat.public_ip = kPublicIp;
  nat.mapping = mapping;
  nat.filtering = filtering;
  config.nat = nat;
  return config;
}

// What the agent does by default, minus the host's own gateway and routers.
ProbeOptions Options(std::vector<std::string> servers = {"198.51.100.1:3478"}) {
  ProbeOptions options;
  options.stun_servers = std::move(servers);
  options.quic_server = kQuic.ToString();
  options.ports = {3478, 443, 80, 53, 19302, 50000};
  options.gateways = false;
  options.trace_hops = false;
  return options;
}

struct SimRun {
  v1::ProbeReport report;
  SimCounters counters;
};

// An RFC 5780 server (A1/A2 x 3478/3479, plain STUN on 443, 80, 53 and
// 19302 of A1, as natscope-server in the NAT lab), two plain STUN servers
// and a QUIC endpoint; nothing listens on A1:50000.
SimRun Simulate(SimNetworkConfig config, const ProbeOptions& options,
                const ScriptedPathEvidence& evidence = ScriptedPathEvidence()) {
  SimClock clock;
  SimNetwork network(&clock, std::move(config));
  EXPECT_TRUE(network.AddStunServer({kA1P1, kA2P2}, {443, 80, 53, 19302}).ok());
  EXPECT_TRUE(network.AddStunServer({kPlainB, std::nullopt}).ok());
  EXPECT_TRUE(network.AddStunServer({kPlainC, std::nullopt}).ok());
  EXPECT_TRUE(network.AddQuicServer(kQuic).ok());
  ScriptedPathEvidence scripted = evidence;
  absl::StatusOr<v1::ProbeReport> report;
  RunOnSimClock(clock, [&] {
    report =
        RunProbe(options, {&network, &scripted, &clock, /*sequential=*/true});
  });
  EXPECT_TRUE(report.ok()) << report.status();
  return {report.ok() ? *report : v1::ProbeReport(), network.counters()};
}

std::string Findings(const v1::ProbeReport& report) {
  std::set<std::string> codes;
  for (const v1::Finding& f : report.findings())
    codes.insert(v1::FindingCode_Name(f.code()));
  return absl::StrJoin(codes, " ");
}

// "PORT:passed", "PORT:blocked", "PORT:not-served" or "PORT:inconclusive".
std::string Ports(const v1::ProbeReport& report) {
  std::vector<std::string> out;
  for (const v1::PortCheck& c : report.port_checks()) {
    out.push_back(absl::StrCat(c.port(), ":",
                               c.passed()         ? "passed"
                               : c.not_served()   ? "not-served"
                               : c.inconclusive() ? "inconclusive"
                                                  : "blocked"));
  }
  return absl::StrJoin(out, " ");
}

std::string IpOf(const std::string& endpoint) {
  return endpoint.substr(0, endpoint.rfind(':'));
}

constexpr char kAllPortsPass[] =
    "3478:passed 443:passed 80:passed 53:passed 19302:passed 50000:not-served";

struct VerdictCase {
  std::string name;
  SimNetworkConfig config;
  v1::MappingBehavior mapping;
  v1::FilteringBehavior filtering;
  std::string classic;
  std::string findings;
};

TEST(SimProbeTest, VerdictsForEveryNatBehaviour) {
  const std::string kEdm = "FINDING_ENDPOINT_DEPENDENT_MAPPING";
  const std::vector<VerdictCase> cases = {
      {"no NAT", NoNat(), v1::MAPPING_NO_NAT,
       v1::FILTERING_ENDPOINT_INDEPENDENT, "no NAT", ""},
      {"full cone", Behind(SD::kEndpointIndependent, SD::kEndpointIndependent),
       v1::MAPPING_ENDPOINT_INDEPENDENT, v1::FILTERING_ENDPOINT_INDEPENDENT,
       "full cone", ""},
      {"restricted cone",
       Behind(SD::kEndpointIndependent, SD::kAddressDependent),
       v1::MAPPING_ENDPOINT_INDEPENDENT, v1::FILTERING_ADDRESS_DEPENDENT,
       "restricted cone", ""},
      {"port-restricted cone (Linux masquerade)",
       Behind(SD::kEndpointIndependent, SD::kAddressAndPortDependent),
       v1::MAPPING_ENDPOINT_INDEPENDENT,
       v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT, "port-restricted cone", ""},
      {"address-dependent mapping",
       Behind(SD::kAddressDependent, SD::kAddressAndPortDependent),
       v1::MAPPING_ADDRESS_DEPENDENT, v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT,
       "symmetric", kEdm},
      {"symmetric (AWS NAT gateway)",
       Behind(SD::kAddressAndPortDependent, SD::kAddressAndPortDependent),
       v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT,
       v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT, "symmetric", kEdm},
  };
  for (const VerdictCase& c : cases) {
    SCOPED_TRACE(c.name);
    const SimRun run = Simulate(c.config, Options());
    const v1::ProbeReport& r = run.report;
    EXPECT_TRUE(r.udp_reachable());
    EXPECT_EQ(v1::MappingBehavior_Name(r.mapping_behavior()),
              v1::MappingBehavior_Name(c.mapping));
    EXPECT_EQ(v1::FilteringBehavior_Name(r.filtering_behavior()),
              v1::FilteringBehavior_Name(c.filtering));
    EXPECT_EQ(r.classic_nat_type(), c.classic);
    EXPECT_EQ(Findings(r), c.findings);
    EXPECT_EQ(Ports(r), kAllPortsPass);
    EXPECT_TRUE(r.quic_reachable());
    EXPECT_EQ(IpOf(r.public_address()),
              c.config.nat ? "203.0.113.7" : "203.0.113.10");
    EXPECT_EQ(r.ignored_responses(), 0);
    EXPECT_EQ(run.counters.lost + run.counters.blocked, 0);
    // One round trip is 30 ms; every test is answered at its first try.
    EXPECT_EQ(r.observations(0).rtt_micros(), 30000);
    EXPECT_LT(r.duration_micros(), absl::ToInt64Microseconds(absl::Seconds(2)));
  }
}

TEST(SimProbeTest, UdpBlockedIsConcludedWithinTheBoundedWaits) {
  SimNetworkConfig config =
      Behind(SD::kEndpointIndependent, SD::kAddressAndPortDependent);
  config.udp_blocked = true;
  const SimRun run = Simulate(config, Options());
  const v1::ProbeReport& r = run.report;
  EXPECT_FALSE(r.udp_reachable());
  EXPECT_EQ(r.mapping_behavior(), v1::MAPPING_UNKNOWN);
  EXPECT_EQ(r.filtering_behavior(), v1::FILTERING_UNKNOWN);
  EXPECT_EQ(Findings(r), "FINDING_UDP_BLOCKED");
  EXPECT_TRUE(r.public_address().empty());
  // Without NATSCOPE-PORTS from an answer, silence proves nothing.
  EXPECT_EQ(
      Ports(r),
      "3478:inconclusive 443:inconclusive 80:inconclusive 53:inconclusive "
      "19302:inconclusive 50000:inconclusive");
  EXPECT_FALSE(r.quic_reachable());
  // Test I gives up after options.policy's 2.5 s (0, 250, 750 and 1750 ms),
  // then QUIC and the port check get 1 s each and STUN over TCP, which
  // nothing answers here either, 1.5 s (one after the other here;
  // concurrently, as the agent runs them, the probe takes 4 s).
  EXPECT_EQ(r.observations(0).transmissions(), 4);
  EXPECT_EQ(r.tcp_stun_size(), 1);
  EXPECT_EQ(r.duration_micros(),
            absl::ToInt64Microseconds(absl::Milliseconds(6000)));
  EXPECT_EQ(run.counters.blocked, run.counters.sent);
}

TEST(SimProbeTest, BlockedOutboundPortsAndQuic) {
  SimNetworkConfig config =
      Behind(SD::kEndpointIndependent, SD::kAddressAndPortDependent);
  config.blocked_ports = {443, 53};
  const v1::ProbeReport r = Simulate(config, Options()).report;
  EXPECT_TRUE(r.udp_reachable());
  EXPECT_EQ(r.mapping_behavior(), v1::MAPPING_ENDPOINT_INDEPENDENT);
  EXPECT_EQ(r.filtering_behavior(), v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  EXPECT_EQ(Ports(r),
            "3478:passed 443:blocked 80:passed 53:blocked 19302:passed "
            "50000:not-served");
  EXPECT_EQ(Findings(r),
            "FINDING_OUTBOUND_PORTS_RESTRICTED FINDING_QUIC_BLOCKED");
}

TEST(SimProbeTest, ThePortsCheckSkippedAndNoQuicLeaveNoTrace) {
  ProbeOptions options = Options();
  options.ports.clear();
  options.quic_server.clear();
  const v1::ProbeReport r =
      Simulate(Behind(SD::kEndpointIndependent, SD::kEndpointIndependent),
               options)
          .report;
  EXPECT_EQ(r.port_checks_size(), 0);
  EXPECT_FALSE(r.has_quic());
  EXPECT_FALSE(r.has_quic_reachable());
  EXPECT_EQ(r.filtering_behavior(), v1::FILTERING_ENDPOINT_INDEPENDENT);
}

struct LossCase {
  std::string name;
  SimLoss loss;
  v1::MappingBehavior mapping;
  v1::FilteringBehavior filtering;
};

TEST(SimProbeTest, LossIsRecoveredByRetransmission) {
  constexpr auto kEim = v1::MAPPING_ENDPOINT_INDEPENDENT;
  constexpr auto kApdf = v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT;
  for (const LossCase& c : std::vector<LossCase>{
           {"first 3 lost", {3, 0}, kEim, kApdf},
           {"every 2nd lost", {0, 2}, kEim, kApdf},
           {"every 3rd lost", {0, 3}, kEim, kApdf},
           {"every 4th lost", {0, 4}, kEim, kApdf},
           // Test I's four transmissions all lost: no mapping to compare,
           // so no RFC 5780 tests; the port check still proves UDP works.
           {"first 4 lost", {4, 0}, v1::MAPPING_UNKNOWN, v1::FILTERING_UNKNOWN},
       }) {
    SCOPED_TRACE(c.name);
    SimNetworkConfig config =
        Behind(SD::kEndpointIndependent, SD::kAddressAndPortDependent);
    config.loss = c.loss;
    const SimRun run = Simulate(config, Options());
    EXPECT_GT(run.counters.lost, 0);
    EXPECT_TRUE(run.report.udp_reachable());
    EXPECT_EQ(v1::MappingBehavior_Name(run.report.mapping_behavior()),
              v1::MappingBehavior_Name(c.mapping));
    EXPECT_EQ(v1::FilteringBehavior_Name(run.report.filtering_behavior()),
              v1::FilteringBehavior_Name(c.filtering));
    EXPECT_EQ(Ports(run.report), kAllPortsPass);
    EXPECT_EQ(Findings(run.report), "");
  }
}

TEST(SimProbeTest, ASlowPathStretchesTheWaits) {
  SimNetworkConfig config =
      Behind(SD::kAddressAndPortDependent, SD::kAddressAndPortDependent);
  config.one_way_delay = absl::Milliseconds(200);
  const v1::ProbeReport r = Simulate(config, Options()).report;
  // The answer to the first transmission (0 ms) came at 400 ms, after the
  // retransmission at 250 ms: the RTT is measured from the latest one.
  EXPECT_EQ(r.observations(0).transmissions(), 2);
  EXPECT_EQ(r.observations(0).rtt_micros(), 150000);
  EXPECT_EQ(r.mapping_behavior(), v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT);
  EXPECT_EQ(r.filtering_behavior(), v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  EXPECT_EQ(Ports(r), kAllPortsPass);
}

TEST(SimProbeTest, PlainServersOnlyCompareMappings) {
  struct Case {
    std::string name;
    std::vector<std::string> servers;
    SD mapping;
    v1::MappingBehavior want;
  };
  for (const Case& c : std::vector<Case>{
           {"one plain server",
            {kPlainB.ToString()},
            SD::kEndpointIndependent,
            v1::MAPPING_UNKNOWN},
           {"two plain servers, same mapping",
            {kPlainB.ToString(), kPlainC.ToString()},
            SD::kEndpointIndependent,
            v1::MAPPING_ENDPOINT_INDEPENDENT},
           {"two plain servers, mappings differ",
            {kPlainB.ToString(), kPlainC.ToString()},
            SD::kAddressAndPortDependent,
            v1::MAPPING_ADDRESS_DEPENDENT},
       }) {
    SCOPED_TRACE(c.name);
    const v1::ProbeReport r =
        Simulate(Behind(c.mapping, SD::kEndpointIndependent),
                 Options(c.servers))
            .report;
    EXPECT_TRUE(r.udp_reachable());
    EXPECT_EQ(v1::MappingBehavior_Name(r.mapping_behavior()),
              v1::MappingBehavior_Name(c.want));
    EXPECT_EQ(r.filtering_behavior(),
              v1::FILTERING_UNKNOWN);  // Needs RFC 5780.
    for (const v1::StunObservation& o : r.observations())
      EXPECT_EQ(o.test(), "binding");
    // Plain servers list no ports: silence on one would be inconclusive.
    EXPECT_EQ(r.port_checks_size(), 6);
  }
}

TEST(SimProbeTest, HairpinningOptIn) {
  for (const bool hairpinning : {false, true}) {
    SimNetworkConfig config =
        Behind(SD::kEndpointIndependent, SD::kAddressAndPortDependent);
    config.nat->hairpinning = hairpinning;
    ProbeOptions options = Options();
    EXPECT_FALSE(Simulate(config, options).report.has_hairpinning());
    options.hairpin = true;
    const v1::ProbeReport r = Simulate(config, options).report;
    ASSERT_TRUE(r.has_hairpinning());
    EXPECT_EQ(r.hairpinning(), hairpinning);
  }
}

TEST(SimProbeTest, BindingLifetimeOptInFindsWhenTheMappingExpires) {
  SimNetworkConfig config =
      Behind(SD::kEndpointIndependent, SD::kAddressAndPortDependent);
  config.nat->mapping_lifetime = absl::Seconds(5);
  ProbeOptions options = Options();
  options.lifetime = absl::Seconds(8);  // Idles 1, 2, 4 and 8 s.
  const v1::ProbeReport r = Simulate(config, options).report;
  ASSERT_TRUE(r.has_binding_lifetime_seconds());
  EXPECT_EQ(r.binding_lifetime_seconds(), 4);
  EXPECT_GT(r.duration_micros(), absl::ToInt64Microseconds(absl::Seconds(15)));
}

TEST(SimProbeTest, ScriptedGatewayRevealsDoubleNat) {
  v1::GatewayObservation gateway;
  gateway.set_protocol("nat-pmp");
  gateway.set_gateway("192.168.1.1:5351");
  gateway.set_answered(true);
  gateway.set_external_address(
      "10.0.0.2");  // The gateway is itself behind a NAT.
  ProbeOptions options = Options();
  options.gateways = true;
  options.trace_hops = true;
  const v1::ProbeReport r =
      Simulate(Behind(SD::kEndpointIndependent, SD::kAddressAndPortDependent),
               options, ScriptedPathEvidence({gateway}, {}))
          .report;
  ASSERT_EQ(r.gateways_size(), 1);
  EXPECT_EQ(Findings(r), "FINDING_DOUBLE_NAT");
}

TEST(SimProbeTest, EveryRunIsTheSame) {
  const SimNetworkConfig config =
      Behind(SD::kAddressDependent, SD::kAddressDependent);
  const v1::ProbeReport a = Simulate(config, Options()).report;
  const v1::ProbeReport b = Simulate(config, Options()).report;
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  EXPECT_GT(a.observations_size(), 5);
}

}  // namespace
}  // namespace natscope::ingest
