#include "analyzer/site/pair_verdict.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

using ::testing::HasSubstr;
using v1::NatClass;

constexpr v1::MappingBehavior kEim = v1::MAPPING_ENDPOINT_INDEPENDENT;
constexpr v1::MappingBehavior kAdm = v1::MAPPING_ADDRESS_DEPENDENT;
constexpr v1::MappingBehavior kApdm = v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT;
constexpr v1::MappingBehavior kNoNat = v1::MAPPING_NO_NAT;
constexpr v1::MappingBehavior kMapUnknown = v1::MAPPING_UNKNOWN;
constexpr v1::FilteringBehavior kEif = v1::FILTERING_ENDPOINT_INDEPENDENT;
constexpr v1::FilteringBehavior kAdf = v1::FILTERING_ADDRESS_DEPENDENT;
constexpr v1::FilteringBehavior kApdf =
    v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT;
constexpr v1::FilteringBehavior kFilUnknown = v1::FILTERING_UNKNOWN;
constexpr v1::PairPolicy kTextbook = v1::PAIR_POLICY_TEXTBOOK;
constexpr v1::PairPolicy kStrict = v1::PAIR_POLICY_PRODUCT_STRICT;

constexpr v1::PairVerdict kDirect = v1::PAIR_VERDICT_DIRECT;
constexpr v1::PairVerdict kUnreliable = v1::PAIR_VERDICT_DIRECT_UNRELIABLE;
constexpr v1::PairVerdict kRelay = v1::PAIR_VERDICT_RELAY_ONLY;
constexpr v1::PairVerdict kCannotTell = v1::PAIR_VERDICT_UNSPECIFIED;

enum Flag {
  kNone = 0,
  kUdp = 1,
  kQuic = 2,
  kPorts = 4,
  kDouble = 8,
  kIps = 16,
  kNoStun = 32,
  kFromLog = 64,
};

NatClass Class(v1::MappingBehavior m, v1::FilteringBehavior f,
               int flags = kNone) {
  NatClass c;
  c.set_mapping(m);
  c.set_filtering(f);
  c.set_udp_blocked(flags & kUdp);
  c.set_quic_blocked(flags & kQuic);
  c.set_outbound_ports_restricted(flags & kPorts);
  c.set_double_nat(flags & kDouble);
  c.set_outbound_ips_restricted(flags & kIps);
  c.set_stun_discovery_unavailable(flags & kNoStun);
  c.set_source((flags & kFromLog) ? v1::EVIDENCE_SOURCE_LOG
                                  : v1::EVIDENCE_SOURCE_PROBE);
  return c;
}

struct Row {
  const char* name;
  NatClass client;
  NatClass connector;
  v1::PairPolicy policy;
  v1::PairVerdict verdict;
  const char* reason_part;
};

TEST(JudgePairTest, Table) {
  const std::vector<Row> rows = {
      {"eim both", Class(kEim, kApdf), Class(kEim, kApdf), kTextbook, kDirect,
       "both ends use endpoint-independent"},
      {"eim both strict", Class(kEim, kApdf), Class(kEim, kApdf), kStrict,
       kDirect, "endpoint-independent"},
      {"no nat counts as eim", Class(kNoNat, kEif), Class(kEim, kAdf), kStrict,
       kDirect, "endpoint-independent"},
      {"ed both", Class(kApdm, kEif), Class(kAdm, kEif), kTextbook, kRelay,
       "both ends use endpoint-dependent"},
      {"client ed, connector apdf", Class(kApdm, kEif), Class(kEim, kApdf),
       kTextbook, kRelay, "client's endpoint-dependent mapping meets"},
      {"connector ed, client apdf", Class(kEim, kApdf), Class(kAdm, kEif),
       kTextbook, kRelay, "connector's endpoint-dependent mapping meets"},
      {"client ed, connector adf", Class(kApdm, kApdf), Class(kEim, kAdf),
       kTextbook, kDirect, "permissive filtering"},
      {"connector ed, client eif", Class(kEim, kEif), Class(kApdm, kApdf),
       kTextbook, kDirect, "permissive filtering"},
      {"strict: connector ed", Class(kEim, kEif), Class(kApdm, kApdf), kStrict,
       kRelay, "connector's mapping is endpoint-dependent"},
      {"strict: client ed", Class(kAdm, kEif), Class(kEim, kEif), kStrict,
       kRelay, "client's mapping is endpoint-dependent"},
      {"unspecified policy is strict", Class(kAdm, kEif), Class(kEim, kEif),
       v1::PAIR_POLICY_UNSPECIFIED, kRelay, "needs endpoint-independent"},
      {"udp blocked connector", Class(kEim, kEif),
       Class(kMapUnknown, kFilUnknown, kUdp), kTextbook, kRelay,
       "UDP is blocked on the connector's"},
      {"udp blocked client", Class(kMapUnknown, kFilUnknown, kUdp),
       Class(kEim, kEif), kStrict, kRelay, "UDP is blocked on the client's"},
      {"udp blocked both names connector", Class(kEim, kEif, kUdp),
       Class(kEim, kEif, kUdp), kStrict, kRelay, "connector's"},
      {"quic blocked", Class(kEim, kEif), Class(kEim, kEif, kQuic), kTextbook,
       kRelay, "QUIC is blocked on the connector's"},
      {"double nat client", Class(kEim, kApdf, kDouble), Class(kEim, kApdf),
       kStrict, kUnreliable, "client is behind double NAT"},
      {"double nat connector", Class(kEim, kApdf), Class(kEim, kApdf, kDouble),
       kTextbook, kUnreliable, "connector is behind double NAT"},
      {"double nat does not lift relay", Class(kApdm, kApdf, kDouble),
       Class(kApdm, kApdf), kTextbook, kRelay, "both ends"},
      {"ports restricted", Class(kEim, kEif, kPorts), Class(kEim, kEif),
       kStrict, kUnreliable, "outbound UDP ports are restricted"},
      {"destinations restricted", Class(kEim, kEif), Class(kEim, kEif, kIps),
       kStrict, kUnreliable,
       "connector's outbound UDP destinations are restricted"},
      {"connector without STUN discovery", Class(kEim, kEif),
       Class(kEim, kEif, kNoStun), kTextbook, kRelay,
       "STUN discovery is unavailable on the connector"},
      {"udp blocked client before the connector's STUN",
       Class(kEim, kEif, kUdp), Class(kEim, kEif, kNoStun), kStrict, kRelay,
       "UDP is blocked on the client's"},
      {"log classes: eim both", Class(kEim, kFilUnknown, kFromLog),
       Class(kEim, kFilUnknown, kFromLog), kStrict, kDirect,
       "both ends use endpoint-independent"},
      {"log class names no mapping", Class(kEim, kEif),
       Class(kMapUnknown, kFilUnknown, kFromLog), kStrict, kCannotTell,
       "the connector's NAT mapping is not known (the product's log names "
       "none)"},
      {"log ed vs unknown filtering", Class(kApdm, kFilUnknown, kFromLog),
       Class(kEim, kFilUnknown, kFromLog), kTextbook, kCannotTell,
       "the connector's filtering is not known"},
      {"unknown connector mapping", Class(kEim, kEif),
       Class(kMapUnknown, kFilUnknown), kTextbook, kCannotTell,
       "connector's NAT mapping was not measured"},
      {"unknown client mapping", Class(kMapUnknown, kFilUnknown),
       Class(kEim, kEif), kStrict, kCannotTell, "client's NAT mapping"},
      {"ed vs unknown filtering", Class(kApdm, kEif), Class(kEim, kFilUnknown),
       kTextbook, kCannotTell, "connector's filtering was not measured"},
      {"eim vs unknown filtering is fine", Class(kEim, kFilUnknown),
       Class(kEim, kFilUnknown), kTextbook, kDirect, "endpoint-independent"},
      {"strict decides despite unknown", Class(kApdm, kEif),
       Class(kMapUnknown, kFilUnknown), kStrict, kRelay, "client's mapping"},
  };
  for (const Row& row : rows) {
    PairJudgement j = JudgePair(row.client, row.connector, row.policy);
    EXPECT_EQ(j.verdict, row.verdict) << row.name << ": " << j.reason;
    EXPECT_THAT(j.reason, HasSubstr(row.reason_part)) << row.name;
  }
}

// Every combination of mapping, filtering and flags on both ends, under
// both policies: the invariants of DESIGN.md hold.
TEST(JudgePairTest, EveryCombinationKeepsTheInvariants) {
  const v1::MappingBehavior mappings[] = {kMapUnknown, kNoNat, kEim, kAdm,
                                          kApdm};
  const v1::FilteringBehavior filterings[] = {kFilUnknown, kEif, kAdf, kApdf};
  std::vector<NatClass> classes;
  for (auto m : mappings) {
    for (auto f : filterings) {
      for (int flags = 0; flags < 32; ++flags) {
        classes.push_back(Class(m, f, flags));
      }
    }
  }
  int judged = 0;
  for (const NatClass& a : classes) {
    for (const NatClass& b : classes) {
      for (auto policy : {kTextbook, kStrict}) {
        PairJudgement j = JudgePair(a, b, policy);
        ++judged;
        EXPECT_FALSE(j.reason.empty());
        const bool a_ed = IsEndpointDependent(a.mapping());
        const bool b_ed = IsEndpointDependent(b.mapping());
        if (a.udp_blocked() || b.udp_blocked() || a.quic_blocked() ||
            b.quic_blocked() || (a_ed && b_ed) ||
            (a_ed && b.filtering() == kApdf) ||
            (b_ed && a.filtering() == kApdf) ||
            (policy == kStrict && (a_ed || b_ed))) {
          ASSERT_EQ(j.verdict, kRelay) << a.DebugString() << b.DebugString();
          continue;
        }
        ASSERT_NE(j.verdict, kRelay) << j.reason;
        if (j.verdict == kCannotTell) continue;
        // Double NAT or restricted ports or destinations: at least
        // DIRECT_UNRELIABLE.
        const bool risky = a.double_nat() || b.double_nat() ||
                           a.outbound_ports_restricted() ||
                           b.outbound_ports_restricted() ||
                           a.outbound_ips_restricted() ||
                           b.outbound_ips_restricted();
        EXPECT_EQ(j.verdict, risky ? kUnreliable : kDirect) << j.reason;
        // The verdict does not depend on which end is the client, except
        // for the wording.
        EXPECT_EQ(JudgePair(b, a, policy).verdict, j.verdict);
      }
    }
  }
  EXPECT_EQ(judged, 640 * 640 * 2);  // 5 mappings x 4 filterings x 32.
}

TEST(PairSourceTest, TheDecidingClassesSay) {
  const NatClass probe_eim = Class(kEim, kEif);
  const NatClass log_ed = Class(kApdm, kFilUnknown, kFromLog);
  const NatClass log_eim = Class(kEim, kFilUnknown, kFromLog);
  const NatClass probe_udp = Class(kMapUnknown, kFilUnknown, kUdp);
  NatClass nothing;  // No evidence at all.
  struct SourceRow {
    const char* name;
    NatClass client, connector;
    v1::EvidenceSource want;
  } rows[] = {
      {"both measured", probe_eim, probe_eim, v1::EVIDENCE_SOURCE_PROBE},
      {"relay on the connector's log", probe_eim, log_ed,
       v1::EVIDENCE_SOURCE_LOG},
      {"direct on a log and a probe", log_eim, probe_eim,
       v1::EVIDENCE_SOURCE_LOG},
      {"the client's blocked UDP decides, not the connector's log",
       probe_udp, log_ed, v1::EVIDENCE_SOURCE_PROBE},
      {"cannot tell for lack of any evidence", probe_eim, nothing,
       v1::EVIDENCE_SOURCE_UNSPECIFIED},
  };
  for (const SourceRow& row : rows) {
    const PairJudgement j = JudgePair(row.client, row.connector, kStrict);
    EXPECT_EQ(PairSource(j, row.client, row.connector), row.want) << row.name;
  }
}

TEST(JudgePairTest, EitherFamilyDirectMakesThePairDirect) {
  // IPv4 behind an endpoint-dependent NAT, IPv6 without NAT on both ends.
  NatClass client = Class(kApdm, kApdf);
  NatClass connector = Class(kEim, kApdf);
  const PairJudgement four_only = JudgePair(client, connector, kStrict);
  EXPECT_EQ(four_only.verdict, kRelay);

  *client.mutable_ipv6() = Class(kNoNat, kApdf);
  EXPECT_EQ(JudgePair(client, connector, kStrict).verdict, kRelay)
      << "both ends need an IPv6 class";
  *connector.mutable_ipv6() = Class(kNoNat, kApdf, kPorts);
  const PairJudgement dual = JudgePair(client, connector, kStrict);
  EXPECT_EQ(dual.verdict, kUnreliable);
  EXPECT_THAT(dual.reason, HasSubstr("over IPv6, both ends use "
                                     "endpoint-independent mapping, but the "
                                     "connector's outbound UDP ports"));
  EXPECT_THAT(dual.reason, HasSubstr("(over IPv4, the product needs"));
  EXPECT_EQ(PairSource(dual, client, connector), v1::EVIDENCE_SOURCE_PROBE);

  // IPv6 no better than IPv4: IPv4's judgement stands.
  *connector.mutable_ipv6() = Class(kMapUnknown, kFilUnknown, kUdp);
  const PairJudgement worse = JudgePair(client, connector, kStrict);
  EXPECT_EQ(worse.verdict, kRelay);
  EXPECT_EQ(worse.reason, four_only.reason);
}

TEST(JudgePairTest, PolicyNames) {
  EXPECT_STREQ(PolicyName(kTextbook), "textbook");
  EXPECT_STREQ(PolicyName(kStrict), "product-strict");
  EXPECT_STREQ(PolicyName(v1::PAIR_POLICY_UNSPECIFIED), "product-strict");
}

}  // namespace
}  // namespace natscope::analyzer
