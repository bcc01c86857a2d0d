// The request `natscope tokens enroll create SITE` sends, and the flags it
// refuses before calling the server. (The command end to end:
// tests/e2e/agent_server_query_test.sh.)
#include "server/cli/tokens_command.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

TEST(SiteTokenRequestTest, EnrollmentTokenKeepsExpiryAndUses) {
  EnrollTokenFlags flags;
  flags.expires = absl::Hours(1);
  flags.uses = 3;
  auto request = SiteTokenRequest("paris", flags, kNow);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->site(), "paris");
  EXPECT_EQ(request->expires().seconds(), 1800000000 + 3600);
  EXPECT_EQ(request->max_uses(), 3u);
  EXPECT_EQ(request->purpose(), v1::TOKEN_PURPOSE_ENROLL);
  EXPECT_EQ(request->default_role(), v1::ROLE_UNSPECIFIED);
  // No --expires: the server's default.
  EXPECT_FALSE(SiteTokenRequest("paris", {}, kNow)->has_expires());
}

TEST(SiteTokenRequestTest, IntakeTakesARole) {
  EnrollTokenFlags flags;
  flags.intake = true;
  auto request = SiteTokenRequest("paris", flags, kNow);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->purpose(), v1::TOKEN_PURPOSE_INTAKE);
  EXPECT_EQ(request->default_role(), v1::ROLE_UNSPECIFIED);
  EXPECT_FALSE(request->has_expires()) << "the server's default: never";
  flags.role = "connector";
  request = SiteTokenRequest("paris", flags, kNow);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->default_role(), v1::ROLE_CONNECTOR);
}

TEST(SiteTokenRequestTest, RefusesFlagsThatDoNotGoTogether) {
  EnrollTokenFlags role_alone;
  role_alone.role = "client";
  absl::Status refused = SiteTokenRequest("paris", role_alone, kNow).status();
  EXPECT_TRUE(absl::IsInvalidArgument(refused));
  EXPECT_TRUE(absl::StrContains(refused.message(), "add --intake")) << refused;

  EnrollTokenFlags counted;
  counted.intake = true;
  counted.uses = 2;
  refused = SiteTokenRequest("paris", counted, kNow).status();
  EXPECT_TRUE(absl::StrContains(refused.message(), "--uses")) << refused;

  EnrollTokenFlags bad_role;
  bad_role.intake = true;
  bad_role.role = "gateway";
  refused = SiteTokenRequest("paris", bad_role, kNow).status();
  EXPECT_TRUE(absl::StrContains(refused.message(), "use client or connector"))
      << refused;

  EnrollTokenFlags negative;
  negative.expires = -absl::Hours(1);
  EXPECT_TRUE(absl::IsInvalidArgument(
      SiteTokenRequest("paris", negative, kNow).status()));
}

}  // namespace
}  // namespace natscope::server
