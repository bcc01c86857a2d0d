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

enum Flag { kNone = 0, kUdp = 1, kQuic = 2, kPorts = 4, kDouble = 8 };

NatClass Class(v1::MappingBehavior m, v1::FilteringBehavior f,
               int flags = kNone) {
  NatClass c;
  c.set_mapping(m);
  c.set_filtering(f);
  c.set_udp_blocked(flags & kUdp);
  c.set_quic_blocked(flags & kQuic);
  c.set_outbound_ports_restricted(flags & kPorts);
  c.set_double_nat(flags & kDouble);
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
      for (int flags = 0; flags < 16; ++flags) {
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
        // Double NAT or restricted ports: at least DIRECT_UNRELIABLE.
        const bool risky = a.double_nat() || b.double_nat() ||
                           a.outbound_ports_restricted() ||
                           b.outbound_ports_restricted();
        EXPECT_EQ(j.verdict, risky ? kUnreliable : kDirect) << j.reason;
        // The verdict does not depend on which end is the client, except
        // for the wording.
        EXPECT_EQ(JudgePair(b, a, policy).verdict, j.verdict);
      }
    }
  }
  EXPECT_EQ(judged, 320 * 320 * 2);  // 5 mappings x 4 filterings x 16.
}

TEST(JudgePairTest, PolicyNames) {
  EXPECT_STREQ(PolicyName(kTextbook), "textbook");
  EXPECT_STREQ(PolicyName(kStrict), "product-strict");
  EXPECT_STREQ(PolicyName(v1::PAIR_POLICY_UNSPECIFIED), "product-strict");
}

}  // namespace
}  // namespace natscope::analyzer
