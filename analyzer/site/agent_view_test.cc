#include "analyzer/site/agent_view.h"

#include <map>
#include <string>
#include <vector>

#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

v1::ProbeReport Probe(absl::Duration ago, v1::MappingBehavior m,
                      v1::FilteringBehavior f, bool udp = true) {
  v1::ProbeReport p;
  *p.mutable_time() = ToProtoTime(kNow - ago);
  p.set_mapping_behavior(m);
  p.set_filtering_behavior(f);
  p.set_udp_reachable(udp);
  if (udp) p.set_public_address("203.0.113.7:40000");
  return p;
}

v1::Finding Finding(v1::FindingCode code) {
  v1::Finding f;
  f.set_code(code);
  f.set_severity(v1::SEVERITY_WARNING);
  return f;
}

TEST(FreshnessOfTest, Table) {
  struct Row {
    absl::Time last_seen;
    v1::Freshness want;
  } rows[] = {
      {kNow, v1::FRESHNESS_FRESH},
      {kNow + absl::Minutes(3), v1::FRESHNESS_FRESH},  // Clock skew.
      {kNow - absl::Minutes(15), v1::FRESHNESS_FRESH},
      {kNow - absl::Minutes(16), v1::FRESHNESS_STALE},
      {kNow - absl::Hours(24), v1::FRESHNESS_STALE},
      {kNow - absl::Hours(25), v1::FRESHNESS_SILENT},
      {absl::InfinitePast(), v1::FRESHNESS_SILENT},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(FreshnessOf(row.last_seen, kNow), row.want) << row.last_seen;
  }
  AgentViewOptions tight;
  tight.stale_after = absl::Minutes(1);
  tight.silent_after = absl::Minutes(2);
  EXPECT_EQ(FreshnessOf(kNow - absl::Seconds(90), kNow, tight),
            v1::FRESHNESS_STALE);
}

TEST(NatClassOfTest, Table) {
  v1::ProbeSummary eim;
  eim.set_udp_reachable(true);
  eim.set_mapping_behavior(v1::MAPPING_ENDPOINT_INDEPENDENT);
  eim.set_filtering_behavior(v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  v1::NatClass c = NatClassOf(&eim);
  EXPECT_EQ(c.mapping(), v1::MAPPING_ENDPOINT_INDEPENDENT);
  EXPECT_EQ(c.label(),
            "port-restricted cone (endpoint-independent mapping, "
            "address-and-port-dependent filtering)");

  EXPECT_EQ(c.source(), v1::EVIDENCE_SOURCE_PROBE);

  v1::ProbeSummary flags = eim;
  flags.set_quic_reachable(false);
  *flags.add_findings() = Finding(v1::FINDING_DOUBLE_NAT);
  *flags.add_findings() = Finding(v1::FINDING_OUTBOUND_PORTS_RESTRICTED);
  *flags.add_findings() = Finding(v1::FINDING_OUTBOUND_IPS_RESTRICTED);
  c = NatClassOf(&flags);
  EXPECT_TRUE(c.quic_blocked());
  EXPECT_TRUE(c.double_nat());
  EXPECT_TRUE(c.outbound_ports_restricted());
  EXPECT_TRUE(c.outbound_ips_restricted());
  EXPECT_THAT(c.label(),
              testing::EndsWith(", QUIC blocked, outbound ports restricted, "
                                "outbound destinations restricted, "
                                "double NAT"));

  v1::ProbeSummary blocked = flags;
  blocked.set_udp_reachable(false);
  c = NatClassOf(&blocked);
  EXPECT_TRUE(c.udp_blocked());
  EXPECT_EQ(c.mapping(), v1::MAPPING_UNKNOWN);
  EXPECT_FALSE(c.double_nat());  // One class for every blocked host.
  EXPECT_EQ(c.label(), "UDP blocked");

  v1::ProbeSummary dual = blocked;
  dual.mutable_ipv6()->set_udp_reachable(true);
  dual.mutable_ipv6()->set_mapping_behavior(v1::MAPPING_NO_NAT);
  dual.mutable_ipv6()->set_filtering_behavior(
      v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  c = NatClassOf(&dual);
  EXPECT_TRUE(c.udp_blocked());
  ASSERT_TRUE(c.has_ipv6());
  EXPECT_EQ(c.ipv6().mapping(), v1::MAPPING_NO_NAT);
  EXPECT_FALSE(c.ipv6().has_ipv6());
  EXPECT_EQ(c.label(),
            "UDP blocked; IPv6: no NAT (no NAT mapping, "
            "address-and-port-dependent filtering)");

  c = NatClassOf(nullptr);
  EXPECT_EQ(c.mapping(), v1::MAPPING_UNKNOWN);
  EXPECT_EQ(c.source(), v1::EVIDENCE_SOURCE_UNSPECIFIED);
  EXPECT_FALSE(c.udp_blocked());
  EXPECT_EQ(c.label(), "unknown (unknown mapping, unknown filtering)");
}

TEST(BuildAgentViewTest, CombinesProbeAndLogFacts) {
  v1::ProbeReport probe =
      Probe(absl::Minutes(5), v1::MAPPING_ENDPOINT_INDEPENDENT,
            v1::FILTERING_ADDRESS_DEPENDENT);
  *probe.add_findings() = Finding(v1::FINDING_CGNAT);
  AgentFacts facts;
  facts.identity.set_agent_id("laptop-1");
  facts.identity.set_role(v1::ROLE_CLIENT);
  facts.latest_probe = &probe;
  facts.log_nat_type = "endpoint-independent";
  facts.log_nat_type_time = kNow - absl::Minutes(2);
  facts.activity.direct = 1;
  facts.activity.relayed = 2;
  facts.activity.relay_unavailable = 1;
  facts.activity.relay_listener_errors = 4;
  facts.activity.last_tunnel = kNow - absl::Minutes(1);
  facts.activity.sdwan_state = "Online";
  facts.activity.sdwan_state_time = kNow - absl::Minutes(6);
  facts.last_arrival = kNow - absl::Seconds(10);
  v1::AgentView view = BuildAgentView(facts, kNow);

  EXPECT_EQ(view.identity().agent_id(), "laptop-1");
  ASSERT_TRUE(view.has_probe());
  EXPECT_EQ(view.probe().classic_nat_type(), "restricted cone");
  EXPECT_EQ(view.probe().public_address(), "203.0.113.7:40000");
  ASSERT_EQ(view.probe().findings_size(), 1);
  EXPECT_EQ(view.log_nat_type(), "endpoint-independent");
  // The log line's own time, not the arrival's.
  EXPECT_EQ(FromProtoTime(view.log_nat_type_time()), kNow - absl::Minutes(2));
  EXPECT_EQ(view.reported_nat_type(), "endpoint-independent");
  EXPECT_EQ(view.tunnels().direct(), 1u);
  EXPECT_EQ(view.tunnels().relayed(), 2u);
  EXPECT_EQ(FromProtoTime(view.tunnels().last_tunnel()),
            kNow - absl::Minutes(1));
  EXPECT_EQ(view.relay_unavailable_events(), 1u);
  EXPECT_EQ(view.relay_listener_errors(), 4u);
  EXPECT_EQ(view.sdwan_state(), "Online");
  EXPECT_EQ(FromProtoTime(view.last_seen()), kNow - absl::Seconds(10));
  EXPECT_EQ(view.freshness(), v1::FRESHNESS_FRESH);
  EXPECT_EQ(view.nat_class().filtering(), v1::FILTERING_ADDRESS_DEPENDENT);
  // A fresh probe, and the log saying the same.
  EXPECT_EQ(view.nat_class_source(), v1::EVIDENCE_SOURCE_BOTH_AGREE);
  EXPECT_EQ(view.derived_findings_size(), 0);
  ASSERT_EQ(view.findings_size(), 1);
  EXPECT_EQ(view.findings(0).code(), v1::FINDING_CGNAT);
  EXPECT_EQ(view.findings(0).source(), v1::EVIDENCE_SOURCE_PROBE);
  // A client has no STUN discovery status.
  EXPECT_FALSE(view.has_stun_discovery());
  // No verdict of its own given: the agent's view is the probe's.
  EXPECT_EQ(view.agent_probe().mapping_behavior(),
            v1::MAPPING_ENDPOINT_INDEPENDENT);
  EXPECT_EQ(view.verdict_differences_size(), 0);
}

TEST(BuildAgentViewTest, LastSeenIsTheNewestOfAllFacts) {
  AgentFacts facts;
  facts.identity.set_agent_id("laptop-1");
  facts.last_arrival = kNow - absl::Hours(3);
  facts.log_nat_type = "endpoint-independent";
  facts.log_nat_type_time = kNow - absl::Hours(2);
  facts.activity.last_tunnel = kNow - absl::Minutes(30);
  EXPECT_EQ(FromProtoTime(BuildAgentView(facts, kNow).last_seen()),
            kNow - absl::Minutes(30));
}

TEST(BuildAgentViewTest, ServerVerdictWinsAndTheDifferenceIsShown) {
  const v1::ProbeReport server =
      Probe(absl::Minutes(5), v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT,
            v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  v1::ProbeSummary agent;
  agent.set_udp_reachable(true);
  agent.set_mapping_behavior(v1::MAPPING_ENDPOINT_INDEPENDENT);
  agent.set_filtering_behavior(v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  agent.set_public_address("203.0.113.7:40000");
  AgentFacts facts;
  facts.identity.set_agent_id("laptop-1");
  facts.latest_probe = &server;
  facts.agent_verdict = &agent;
  const v1::AgentView view = BuildAgentView(facts, kNow);
  EXPECT_EQ(view.probe().mapping_behavior(),
            v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT);
  EXPECT_EQ(view.reported_nat_type(), "endpoint-dependent");
  EXPECT_EQ(view.agent_probe().mapping_behavior(),
            v1::MAPPING_ENDPOINT_INDEPENDENT);
  EXPECT_THAT(view.verdict_differences(),
              ::testing::ElementsAre(
                  "mapping: agent said endpoint-independent, server says "
                  "address-and-port-dependent"));
}

TEST(BuildAgentViewTest, NothingKnownIsSilentAndUnknown) {
  AgentFacts facts;
  facts.identity.set_agent_id("ghost");
  v1::AgentView view = BuildAgentView(facts, kNow);
  EXPECT_FALSE(view.has_probe());
  EXPECT_FALSE(view.has_last_seen());
  EXPECT_EQ(view.freshness(), v1::FRESHNESS_SILENT);
  EXPECT_EQ(view.reported_nat_type(), "unknown");
  EXPECT_EQ(view.nat_class().mapping(), v1::MAPPING_UNKNOWN);
  EXPECT_FALSE(view.tunnels().has_last_tunnel());
}

TEST(BuildAgentViewTest, ArrivalTimeAndProbeTimeCountAsSeen) {
  v1::ProbeReport probe = Probe(absl::Hours(2), v1::MAPPING_NO_NAT,
                                v1::FILTERING_ENDPOINT_INDEPENDENT);
  AgentFacts facts;
  facts.latest_probe = &probe;
  EXPECT_EQ(BuildAgentView(facts, kNow).freshness(), v1::FRESHNESS_STALE);
  EXPECT_EQ(BuildAgentView(facts, kNow).reported_nat_type(), "no-nat");
  facts.last_arrival = kNow - absl::Minutes(1);
  EXPECT_EQ(BuildAgentView(facts, kNow).freshness(), v1::FRESHNESS_FRESH);
}

TEST(BuildAgentViewTest, DerivedFindingsAreAttached) {
  v1::ProbeReport probe =
      Probe(absl::Minutes(1), v1::MAPPING_UNKNOWN, v1::FILTERING_UNKNOWN,
            /*udp=*/false);
  AgentFacts facts;
  facts.identity.set_role(v1::ROLE_CONNECTOR);
  facts.latest_probe = &probe;
  v1::AgentView view = BuildAgentView(facts, kNow);
  ASSERT_EQ(view.derived_findings_size(), 1);
  EXPECT_EQ(view.derived_findings(0).code(),
            v1::FINDING_STUN_DISCOVERY_UNAVAILABLE);
  EXPECT_EQ(view.derived_findings(0).source(), v1::EVIDENCE_SOURCE_PROBE);
  EXPECT_TRUE(view.nat_class().udp_blocked());
  // Blocked UDP relays already: one class for every blocked host.
  EXPECT_FALSE(view.nat_class().stun_discovery_unavailable());
  EXPECT_EQ(view.stun_discovery().state(), v1::STUN_DISCOVERY_UNAVAILABLE);
  EXPECT_EQ(view.reported_nat_type(), "udp-blocked");
}

TEST(BuildAgentViewTest, ALogOnlyConnectorRestsOnItsLog) {
  AgentFacts facts;
  facts.identity.set_agent_id("gw-1");
  facts.identity.set_role(v1::ROLE_CONNECTOR);
  facts.log_nat_type = "endpoint-dependent";
  facts.log_nat_type_time = kNow - absl::Minutes(30);
  facts.activity.relay_listener_errors = 1;
  const v1::AgentView view = BuildAgentView(facts, kNow);
  EXPECT_EQ(view.nat_class_source(), v1::EVIDENCE_SOURCE_LOG);
  EXPECT_EQ(view.nat_class().source(), v1::EVIDENCE_SOURCE_LOG);
  EXPECT_EQ(view.nat_class().mapping(), v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT);
  EXPECT_TRUE(view.nat_class().stun_discovery_unavailable());
  EXPECT_EQ(view.nat_class().label(),
            "endpoint-dependent (from the product's log), STUN discovery "
            "unavailable");
  EXPECT_EQ(view.stun_discovery().state(), v1::STUN_DISCOVERY_UNAVAILABLE);
  EXPECT_EQ(view.stun_discovery().source(), v1::EVIDENCE_SOURCE_LOG);
  std::vector<std::string> got;
  for (const v1::Finding& f : view.findings()) {
    got.push_back(v1::FindingCode_Name(f.code()) + " " +
                  v1::EvidenceSource_Name(f.source()));
  }
  EXPECT_THAT(got, ::testing::ElementsAre(
                       "FINDING_STUN_DISCOVERY_UNAVAILABLE EVIDENCE_SOURCE_LOG",
                       "FINDING_ENDPOINT_DEPENDENT_MAPPING EVIDENCE_SOURCE_LOG"));
}

}  // namespace
}  // namespace natscope::analyzer
