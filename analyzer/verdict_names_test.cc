#include "analyzer/verdict_names.h"

#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

TEST(VerdictNamesTest, MappingHasATokenAndAName) {
  EXPECT_STREQ(MappingToken(v1::MAPPING_NO_NAT), "no-nat");
  EXPECT_STREQ(MappingName(v1::MAPPING_NO_NAT), "no NAT");
  EXPECT_STREQ(MappingToken(v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT),
               "address-and-port-dependent");
  EXPECT_STREQ(MappingToken(v1::MAPPING_UNKNOWN), "unknown");
  EXPECT_STREQ(MappingName(static_cast<v1::MappingBehavior>(99)), "unknown");
}

TEST(VerdictNamesTest, FilteringWords) {
  EXPECT_STREQ(FilteringToken(v1::FILTERING_ADDRESS_DEPENDENT),
               "address-dependent");
  EXPECT_STREQ(FilteringName(v1::FILTERING_UNKNOWN), "unknown");
}

TEST(VerdictNamesTest, RolesRoundTrip) {
  for (v1::Role role : {v1::ROLE_CLIENT, v1::ROLE_CONNECTOR}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_STREQ(RoleName(v1::ROLE_UNSPECIFIED), "unspecified");
  EXPECT_EQ(ParseRole("admin"), std::nullopt);
  EXPECT_EQ(ParseRole("Client"), std::nullopt);
}

TEST(VerdictNamesTest, SourcesInWords) {
  EXPECT_STREQ(SourceName(v1::EVIDENCE_SOURCE_PROBE), "probe");
  EXPECT_STREQ(SourceName(v1::EVIDENCE_SOURCE_LOG), "log");
  EXPECT_STREQ(SourceName(v1::EVIDENCE_SOURCE_BOTH_AGREE),
               "probe and log agree");
  EXPECT_STREQ(SourceName(v1::EVIDENCE_SOURCE_BOTH_DISAGREE),
               "probe and log disagree");
  EXPECT_STREQ(SourceToken(v1::EVIDENCE_SOURCE_BOTH_DISAGREE),
               "both-disagree");
  EXPECT_STREQ(SourceName(v1::EVIDENCE_SOURCE_UNSPECIFIED), "nothing known");
  EXPECT_STREQ(StunDiscoveryName(v1::STUN_DISCOVERY_UNAVAILABLE),
               "unavailable");
  EXPECT_STREQ(StunDiscoveryName(v1::STUN_DISCOVERY_UNKNOWN), "unknown");
}

TEST(VerdictNamesTest, FindingTokensRoundTrip) {
  EXPECT_EQ(FindingToken(v1::FINDING_AWS_NAT_GATEWAY), "aws-nat-gateway");
  for (int i = v1::FindingCode_MIN; i <= v1::FindingCode_MAX; ++i) {
    if (!v1::FindingCode_IsValid(i) || i == v1::FINDING_UNSPECIFIED) continue;
    const auto code = static_cast<v1::FindingCode>(i);
    EXPECT_EQ(ParseFindingToken(FindingToken(code)), code) << FindingToken(code);
  }
  EXPECT_EQ(ParseFindingToken("AWS_NAT_GATEWAY"), v1::FINDING_AWS_NAT_GATEWAY);
  EXPECT_EQ(ParseFindingToken("finding-udp-blocked"), v1::FINDING_UDP_BLOCKED);
  EXPECT_EQ(ParseFindingToken("unspecified"), std::nullopt);
  EXPECT_EQ(ParseFindingToken("no-such-finding"), std::nullopt);
}

}  // namespace
}  // namespace natscope::analyzer
