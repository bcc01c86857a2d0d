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

}  // namespace
}  // namespace natscope::analyzer
