#include "analyzer/site/agent_findings.h"

#include <vector>

#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

// An agent view with a probe (unless `udp` is empty: no probe) and a log
// NAT type (unless empty).
v1::AgentView View(v1::Role role, const char* log_nat_type,
                   v1::MappingBehavior mapping, int udp) {
  v1::AgentView view;
  view.mutable_identity()->set_agent_id("a");
  view.mutable_identity()->set_role(role);
  if (*log_nat_type != '\0') {
    view.set_log_nat_type(log_nat_type);
    *view.mutable_log_nat_type_time() = ToProtoTime(kNow);
  }
  if (udp >= 0) {
    v1::ProbeSummary* p = view.mutable_probe();
    *p->mutable_time() = ToProtoTime(kNow - absl::Minutes(1));
    p->set_udp_reachable(udp == 1);
    p->set_mapping_behavior(mapping);
    p->set_public_address("198.51.100.4:5000");
  }
  return view;
}

constexpr int kNoProbe = -1, kBlocked = 0, kAnswered = 1;

std::vector<v1::FindingCode> Codes(const v1::AgentView& view) {
  std::vector<v1::FindingCode> out;
  for (const v1::Finding& f : DeriveAgentFindings(view))
    out.push_back(f.code());
  return out;
}

TEST(DeriveAgentFindingsTest, Table) {
  constexpr auto kEim = v1::MAPPING_ENDPOINT_INDEPENDENT;
  constexpr auto kApdm = v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT;
  constexpr auto kAdm = v1::MAPPING_ADDRESS_DEPENDENT;
  constexpr auto kNoNat = v1::MAPPING_NO_NAT;
  constexpr auto kUnk = v1::MAPPING_UNKNOWN;
  constexpr auto kClient = v1::ROLE_CLIENT;
  constexpr auto kConnector = v1::ROLE_CONNECTOR;
  constexpr auto kStun = v1::FINDING_STUN_DISCOVERY_UNAVAILABLE;
  constexpr auto kDisagree = v1::FINDING_LOG_PROBE_DISAGREE;
  struct Row {
    const char* name;
    v1::AgentView view;
    std::vector<v1::FindingCode> want;
  } rows[] = {
      {"agree ei", View(kClient, "endpoint-independent", kEim, kAnswered), {}},
      {"agree ed", View(kClient, "endpoint-dependent", kApdm, kAnswered), {}},
      {"log ei, probe apdm",
       View(kClient, "endpoint-independent", kApdm, kAnswered),
       {kDisagree}},
      {"log ei, probe adm",
       View(kClient, "Endpoint-Independent", kAdm, 1),
       {kDisagree}},
      {"log ed, probe eim",
       View(kConnector, "endpoint-dependent", kEim, kAnswered),
       {kDisagree}},
      {"log ed, probe no nat",
       View(kClient, "endpoint-dependent", kNoNat, 1),
       {kDisagree}},
      {"log verbatim other value", View(kClient, "cone", kApdm, 1), {}},
      {"probe unknown mapping",
       View(kClient, "endpoint-dependent", kUnk, 1),
       {}},
      {"no probe", View(kClient, "endpoint-dependent", kUnk, kNoProbe), {}},
      {"no log", View(kClient, "", kApdm, kAnswered), {}},
      {"client udp blocked is not stun finding",
       View(kClient, "", kUnk, 0),
       {}},
      {"connector udp blocked", View(kConnector, "", kUnk, kBlocked), {kStun}},
      {"connector log unknown",
       View(kConnector, "unknown(7)", kEim, 1),
       {kStun}},
      {"connector log unknown no probe",
       View(kConnector, "UNKNOWN", kUnk, kNoProbe),
       {kStun}},
      {"connector both", View(kConnector, "unknown", kUnk, kBlocked), {kStun}},
      {"connector fine", View(kConnector, "endpoint-independent", kEim, 1), {}},
      {"client log unknown", View(kClient, "unknown", kEim, 1), {}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(Codes(row.view), row.want) << row.name;
  }
}

TEST(DeriveAgentFindingsTest, EvidenceNamesBothSources) {
  std::vector<v1::Finding> f = DeriveAgentFindings(
      View(v1::ROLE_CLIENT, "endpoint-independent",
           v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT, kAnswered));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity(), v1::SEVERITY_WARNING);
  ASSERT_EQ(f[0].evidence_size(), 2);
  EXPECT_THAT(f[0].evidence(0),
              HasSubstr("stun_nat_type: endpoint-independent"));
  EXPECT_THAT(f[0].evidence(1),
              HasSubstr("measured address-and-port-dependent mapping "
                        "(public address 198.51.100.4:5000)"));
  EXPECT_FALSE(f[0].remediation().empty());

  f = DeriveAgentFindings(
      View(v1::ROLE_CONNECTOR, "unknown", v1::MAPPING_UNKNOWN, kBlocked));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity(), v1::SEVERITY_CRITICAL);
  EXPECT_EQ(f[0].evidence_size(), 2);
  EXPECT_THAT(f[0].evidence(0), HasSubstr("got no STUN answer"));
  EXPECT_THAT(f[0].remediation(), HasSubstr("STUN Discovery as Available"));
}

}  // namespace
}  // namespace natscope::analyzer
