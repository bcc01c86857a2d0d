#include "analyzer/site/agent_findings.h"

#include <string>
#include <utility>
#include <vector>

#include "analyzer/site/agent_view.h"
#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1800000000);
constexpr auto kEim = v1::MAPPING_ENDPOINT_INDEPENDENT;
constexpr auto kApdm = v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT;
constexpr auto kAdm = v1::MAPPING_ADDRESS_DEPENDENT;
constexpr auto kNoNat = v1::MAPPING_NO_NAT;
constexpr auto kUnk = v1::MAPPING_UNKNOWN;
constexpr auto kClient = v1::ROLE_CLIENT;
constexpr auto kConnector = v1::ROLE_CONNECTOR;
constexpr auto kStun = v1::FINDING_STUN_DISCOVERY_UNAVAILABLE;
constexpr auto kDisagree = v1::FINDING_LOG_PROBE_DISAGREE;
constexpr auto kEdm = v1::FINDING_ENDPOINT_DEPENDENT_MAPPING;
constexpr auto kProbe = v1::EVIDENCE_SOURCE_PROBE;
constexpr auto kLog = v1::EVIDENCE_SOURCE_LOG;
constexpr auto kBothDisagree = v1::EVIDENCE_SOURCE_BOTH_DISAGREE;

constexpr int kNoProbe = -1, kBlocked = 0, kAnswered = 1;

// One agent's facts, built up and turned into a view as the server does.
struct Agent {
  v1::Role role = kClient;
  std::string log_nat_type;
  absl::Duration log_age = absl::Minutes(2);
  int udp = kNoProbe;
  v1::MappingBehavior mapping = kUnk;
  absl::Duration probe_age = absl::Minutes(1);
  uint32_t listener_errors = 0;

  v1::AgentView View() const {
    v1::ProbeReport probe;
    *probe.mutable_time() = ToProtoTime(kNow - probe_age);
    probe.set_udp_reachable(udp == kAnswered);
    probe.set_mapping_behavior(mapping);
    probe.set_public_address("198.51.100.4:5000");
    AgentFacts facts;
    facts.identity.set_agent_id("a");
    facts.identity.set_role(role);
    if (udp != kNoProbe) facts.latest_probe = &probe;
    facts.log_nat_type = log_nat_type;
    facts.log_nat_type_time = kNow - log_age;
    facts.activity.relay_listener_errors = listener_errors;
    return BuildAgentView(facts, kNow);
  }
};

Agent With(v1::Role role, const char* log, v1::MappingBehavior mapping,
           int udp) {
  Agent a;
  a.role = role;
  a.log_nat_type = log;
  a.mapping = mapping;
  a.udp = udp;
  return a;
}

std::vector<std::pair<v1::FindingCode, v1::EvidenceSource>> Derived(
    const v1::AgentView& view) {
  std::vector<std::pair<v1::FindingCode, v1::EvidenceSource>> out;
  for (const v1::Finding& f : view.derived_findings()) {
    out.emplace_back(f.code(), f.source());
  }
  return out;
}

TEST(DeriveAgentFindingsTest, Table) {
  Agent stale_log = With(kClient, "endpoint-dependent", kUnk, kNoProbe);
  stale_log.log_age = absl::Hours(24 * 8);
  Agent stale_probe = With(kClient, "endpoint-independent", kApdm, kAnswered);
  stale_probe.probe_age = absl::Hours(1);
  Agent listener = With(kConnector, "endpoint-independent", kEim, kAnswered);
  listener.listener_errors = 2;
  Agent listener_no_probe = listener;
  listener_no_probe.udp = kNoProbe;
  using Want = std::vector<std::pair<v1::FindingCode, v1::EvidenceSource>>;
  struct Row {
    const char* name;
    Agent agent;
    Want want;
  } rows[] = {
      {"agree ei", With(kClient, "endpoint-independent", kEim, kAnswered), {}},
      {"agree ed", With(kClient, "endpoint-dependent", kApdm, kAnswered), {}},
      {"log ei, probe apdm",
       With(kClient, "endpoint-independent", kApdm, kAnswered),
       {{kDisagree, kBothDisagree}}},
      {"log ei, probe adm",
       With(kClient, "Endpoint-Independent", kAdm, 1),
       {{kDisagree, kBothDisagree}}},
      {"log ed, probe eim",
       With(kConnector, "endpoint-dependent", kEim, kAnswered),
       {{kDisagree, kBothDisagree}}},
      {"log ed, probe no nat",
       With(kClient, "endpoint-dependent", kNoNat, 1),
       {{kDisagree, kBothDisagree}}},
      {"log verbatim other value", With(kClient, "cone", kApdm, 1), {}},
      {"probe unknown mapping",
       With(kClient, "endpoint-dependent", kUnk, 1),
       {}},
      {"log ed, no probe: the log's finding",
       With(kClient, "endpoint-dependent", kUnk, kNoProbe),
       {{kEdm, kLog}}},
      {"log ed older than a week is no evidence", stale_log, {}},
      {"stale probe gives way to the log", stale_probe, {}},
      {"no log", With(kClient, "", kApdm, kAnswered), {}},
      {"client udp blocked is not stun finding",
       With(kClient, "", kUnk, 0),
       {}},
      {"connector udp blocked",
       With(kConnector, "", kUnk, kBlocked),
       {{kStun, kProbe}}},
      {"connector log unknown, probe answered: the probe wins",
       With(kConnector, "unknown(7)", kEim, 1),
       {{kDisagree, kBothDisagree}}},
      {"connector log unknown no probe",
       With(kConnector, "UNKNOWN", kUnk, kNoProbe),
       {{kStun, kLog}}},
      {"connector both say failing",
       With(kConnector, "unknown", kUnk, kBlocked),
       {{kStun, v1::EVIDENCE_SOURCE_BOTH_AGREE}}},
      {"connector fine", With(kConnector, "endpoint-independent", kEim, 1), {}},
      {"connector listener errors, probe answered",
       listener,
       {{kDisagree, kBothDisagree}}},
      {"connector listener errors, no probe",
       listener_no_probe,
       {{kStun, kLog}}},
      {"client log unknown, probe answered",
       With(kClient, "unknown", kEim, 1),
       {{kDisagree, kBothDisagree}}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(Derived(row.agent.View()), row.want) << row.name;
  }
}

TEST(DeriveAgentFindingsTest, EvidenceNamesBothSources) {
  v1::AgentView view =
      With(kClient, "endpoint-independent", kApdm, kAnswered).View();
  ASSERT_EQ(view.derived_findings_size(), 1);
  const v1::Finding& f = view.derived_findings(0);
  EXPECT_EQ(f.severity(), v1::SEVERITY_WARNING);
  ASSERT_EQ(f.evidence_size(), 2);
  EXPECT_THAT(f.evidence(0), HasSubstr("stun_nat_type: endpoint-independent"));
  EXPECT_THAT(f.evidence(1),
              HasSubstr("measured address-and-port-dependent mapping "
                        "(public address 198.51.100.4:5000)"));
  EXPECT_FALSE(f.remediation().empty());

  view = With(kConnector, "unknown", kUnk, kBlocked).View();
  ASSERT_EQ(view.derived_findings_size(), 1);
  const v1::Finding& stun = view.derived_findings(0);
  EXPECT_EQ(stun.severity(), v1::SEVERITY_CRITICAL);
  EXPECT_EQ(stun.evidence_size(), 2);
  EXPECT_THAT(stun.evidence(0), HasSubstr("got no STUN answer"));
  EXPECT_THAT(stun.evidence(1), HasSubstr("stun_nat_type: unknown"));
  EXPECT_THAT(stun.remediation(), HasSubstr("STUN Discovery as Available"));
}

TEST(DeriveAgentFindingsTest, LogOnlyEndpointDependentSaysWhereAndHowSure) {
  Agent agent = With(kConnector, "endpoint-dependent", kUnk, kNoProbe);
  v1::AgentView view = agent.View();
  ASSERT_EQ(view.derived_findings_size(), 1);
  const v1::Finding& f = view.derived_findings(0);
  EXPECT_EQ(f.code(), kEdm);
  EXPECT_EQ(f.severity(), v1::SEVERITY_CRITICAL);
  EXPECT_EQ(f.source(), kLog);
  EXPECT_EQ(f.confidence(), v1::CONFIDENCE_MEDIUM);
  EXPECT_EQ(
      f.evidence(0),
      "the product's log at 2027-01-15T07:58:00+00:00 says stun_nat_type: "
      "endpoint-dependent");
  EXPECT_THAT(f.remediation(), HasSubstr("endpoint-independent mapping"));

  agent.log_age = absl::Hours(48);  // Weaker, still evidence.
  view = agent.View();
  ASSERT_EQ(view.derived_findings_size(), 1);
  EXPECT_EQ(view.derived_findings(0).confidence(), v1::CONFIDENCE_LOW);
}

TEST(AgentFindingsOfTest, ProbeFindingsOnlyWhileTheProbeIsTheBasis) {
  v1::ProbeReport probe;
  *probe.mutable_time() = ToProtoTime(kNow - absl::Minutes(1));
  probe.set_udp_reachable(true);
  probe.set_mapping_behavior(kApdm);
  probe.add_findings()->set_code(kEdm);
  probe.add_findings()->set_code(v1::FINDING_CGNAT);
  AgentFacts facts;
  facts.identity.set_role(kClient);
  facts.latest_probe = &probe;
  facts.log_nat_type = "endpoint-dependent";
  facts.log_nat_type_time = kNow - absl::Hours(2);
  v1::AgentView view = BuildAgentView(facts, kNow);
  std::vector<std::pair<v1::FindingCode, v1::EvidenceSource>> got;
  for (const v1::Finding& f : view.findings())
    got.emplace_back(f.code(), f.source());
  // The log saying the same makes the mapping finding rest on both.
  EXPECT_THAT(got,
              ElementsAre(std::make_pair(kEdm, v1::EVIDENCE_SOURCE_BOTH_AGREE),
                          std::make_pair(v1::FINDING_CGNAT, kProbe)));

  // An hour later the probe is stale and the log decides: its own finding
  // replaces the probe's.
  view = BuildAgentView(facts, kNow + absl::Hours(1));
  got.clear();
  for (const v1::Finding& f : view.findings())
    got.emplace_back(f.code(), f.source());
  EXPECT_THAT(got, ElementsAre(std::make_pair(kEdm, kLog)));
}

}  // namespace
}  // namespace natscope::analyzer
