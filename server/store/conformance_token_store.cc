// The conformance suite's TokenStore tests: API, enrollment and intake
// tokens, and their uses.
#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/store/store_conformance.h"
#include "server/store/store_conformance_util.h"

namespace natscope::server {
namespace {

using namespace conformance;  // NOLINT: the suite's builders.

TEST_P(TokenStoreConformance, ApiTokenIsFoundByItsHashUntilRevoked) {
  ASSERT_TRUE(store_
                  ->CreateApiToken(
                      Api("t1", natscope::v1::API_TOKEN_ROLE_VIEWER, kT0), "h1")
                  .ok());
  absl::StatusOr<ApiTokenInfo> found = store_->ApiTokenByHash("h1");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->token_id(), "t1");
  EXPECT_EQ(found->name(), "token t1");
  EXPECT_EQ(found->role(), natscope::v1::API_TOKEN_ROLE_VIEWER);
  EXPECT_EQ(found->created().seconds(), absl::ToUnixSeconds(kT0));
  EXPECT_FALSE(found->has_revoked());

  absl::StatusOr<ApiTokenInfo> revoked =
      store_->RevokeApiToken("t1", kT0 + absl::Hours(1));
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->revoked().seconds(), absl::ToUnixSeconds(kT0) + 3600);
  // A second revocation keeps the first time.
  revoked = store_->RevokeApiToken("t1", kT0 + absl::Hours(2));
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->revoked().seconds(), absl::ToUnixSeconds(kT0) + 3600);
  found = store_->ApiTokenByHash("h1");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(found->has_revoked());
}

TEST_P(TokenStoreConformance, UnknownApiTokenIsNotFound) {
  EXPECT_EQ(store_->ApiTokenByHash("nope").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->RevokeApiToken("nope", kT0).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(TokenStoreConformance, DuplicateApiTokenIdOrHashIsAlreadyExists) {
  const auto admin = natscope::v1::API_TOKEN_ROLE_ADMIN;
  ASSERT_TRUE(store_->CreateApiToken(Api("t1", admin, kT0), "h1").ok());
  EXPECT_EQ(store_->CreateApiToken(Api("t1", admin, kT0), "h2").code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateApiToken(Api("t2", admin, kT0), "h1").code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(
      store_
          ->CreateApiToken(
              Api("t3", natscope::v1::API_TOKEN_ROLE_UNSPECIFIED, kT0), "h3")
          .code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_P(TokenStoreConformance, ListApiTokensIsByCreationTime) {
  const auto admin = natscope::v1::API_TOKEN_ROLE_ADMIN;
  ASSERT_TRUE(
      store_->CreateApiToken(Api("b", admin, kT0 + absl::Seconds(5)), "hb")
          .ok());
  ASSERT_TRUE(store_->CreateApiToken(Api("a", admin, kT0), "ha").ok());
  ASSERT_TRUE(store_->RevokeApiToken("a", kT0 + absl::Seconds(9)).ok());
  absl::StatusOr<std::vector<ApiTokenInfo>> tokens = store_->ListApiTokens();
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_EQ(tokens->size(), 2u);
  EXPECT_EQ((*tokens)[0].token_id(), "a");
  EXPECT_TRUE((*tokens)[0].has_revoked());
  EXPECT_EQ((*tokens)[1].token_id(), "b");
  EXPECT_FALSE((*tokens)[1].has_revoked());
}

TEST_P(TokenStoreConformance, EnrollmentTokenKeepsSiteExpiryAndRevocation) {
  EnrollmentTokenInfo expiring = Enrollment("e1", "paris", kT0);
  SetTime(kT0 + absl::Hours(24), expiring.mutable_expires());
  ASSERT_TRUE(store_->CreateEnrollmentToken(expiring, "eh1").ok());
  ASSERT_TRUE(
      store_->CreateEnrollmentToken(Enrollment("e2", "lyon", kT0), "eh2").ok());

  absl::StatusOr<EnrollmentTokenInfo> found =
      store_->EnrollmentTokenByHash("eh1");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->site(), "paris");
  EXPECT_EQ(found->expires().seconds(), absl::ToUnixSeconds(kT0) + 86400);
  EXPECT_FALSE(found->has_revoked());
  found = store_->EnrollmentTokenByHash("eh2");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_expires());

  ASSERT_TRUE(store_->RevokeEnrollmentToken("e2", kT0 + absl::Minutes(1)).ok());
  found = store_->EnrollmentTokenByHash("eh2");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->revoked().seconds(), absl::ToUnixSeconds(kT0) + 60);
  EXPECT_EQ(store_->EnrollmentTokenByHash("nope").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->RevokeEnrollmentToken("nope", kT0).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      store_->CreateEnrollmentToken(Enrollment("e3", "x", kT0), "eh1").code(),
      absl::StatusCode::kAlreadyExists);
}

TEST_P(TokenStoreConformance, ListEnrollmentTokensFiltersBySite) {
  ASSERT_TRUE(
      store_->CreateEnrollmentToken(Enrollment("p1", "paris", kT0), "h1").ok());
  ASSERT_TRUE(
      store_->CreateEnrollmentToken(Enrollment("l1", "lyon", kT0), "h2").ok());
  ASSERT_TRUE(store_
                  ->CreateEnrollmentToken(
                      Enrollment("l0", "lyon", kT0 - absl::Hours(1)), "h3")
                  .ok());
  absl::StatusOr<std::vector<EnrollmentTokenInfo>> all =
      store_->ListEnrollmentTokens("");
  ASSERT_TRUE(all.ok()) << all.status();
  std::vector<std::string> ids;
  for (const auto& t : *all) ids.push_back(t.token_id());
  EXPECT_EQ(ids, (std::vector<std::string>{"l0", "l1", "p1"}));
  absl::StatusOr<std::vector<EnrollmentTokenInfo>> paris =
      store_->ListEnrollmentTokens("paris");
  ASSERT_TRUE(paris.ok()) << paris.status();
  ASSERT_EQ(paris->size(), 1u);
  EXPECT_EQ((*paris)[0].token_id(), "p1");
}

TEST_P(TokenStoreConformance, EnrollmentTokenUsesAreCountedToTheLimit) {
  natscope::v1::EnrollmentTokenInfo info;
  info.set_token_id("e1");
  info.set_site("paris");
  info.set_max_uses(2);
  conformance::SetTime(kT0, info.mutable_created());
  ASSERT_TRUE(store_->CreateEnrollmentToken(info, "eh1").ok());
  auto first = store_->UseEnrollmentToken("eh1");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->uses(), 1u);
  EXPECT_EQ(first->max_uses(), 2u);
  ASSERT_TRUE(store_->UseEnrollmentToken("eh1").ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(
      store_->UseEnrollmentToken("eh1").status()));
  auto listed = store_->EnrollmentTokenByHash("eh1");
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->uses(), 2u);
  EXPECT_TRUE(absl::IsNotFound(store_->UseEnrollmentToken("none").status()));
}

// Intake tokens (0010_intake.sql) are enrollment tokens with a purpose and
// a default role for their hosts; every read gives both back.
EnrollmentTokenInfo Intake(const std::string& id, const std::string& site,
                           natscope::v1::Role default_role) {
  EnrollmentTokenInfo info = Enrollment(id, site, kT0);
  info.set_purpose(natscope::v1::TOKEN_PURPOSE_INTAKE);
  info.set_default_role(default_role);
  return info;
}

TEST_P(TokenStoreConformance, IntakeTokenKeepsItsPurposeAndDefaultRole) {
  ASSERT_TRUE(
      store_
          ->CreateEnrollmentToken(
              Intake("i1", "paris", natscope::v1::ROLE_CONNECTOR), "ih1")
          .ok());
  absl::StatusOr<EnrollmentTokenInfo> found =
      store_->EnrollmentTokenByHash("ih1");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->purpose(), natscope::v1::TOKEN_PURPOSE_INTAKE);
  EXPECT_EQ(found->default_role(), natscope::v1::ROLE_CONNECTOR);
  EXPECT_FALSE(found->has_expires());
  EXPECT_EQ(found->max_uses(), 0u);

  absl::StatusOr<EnrollmentTokenInfo> revoked =
      store_->RevokeEnrollmentToken("i1", kT0 + absl::Minutes(1));
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->purpose(), natscope::v1::TOKEN_PURPOSE_INTAKE);
  EXPECT_EQ(revoked->default_role(), natscope::v1::ROLE_CONNECTOR);
  found = store_->EnrollmentTokenByHash("ih1");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(found->has_revoked());
  EXPECT_EQ(found->purpose(), natscope::v1::TOKEN_PURPOSE_INTAKE);
}

TEST_P(TokenStoreConformance, ListEnrollmentTokensGivesEveryPurpose) {
  // Callers filter by purpose; the store lists both.
  ASSERT_TRUE(
      store_->CreateEnrollmentToken(Enrollment("e1", "paris", kT0), "h1").ok());
  EnrollmentTokenInfo intake = Intake("i1", "paris", natscope::v1::ROLE_CLIENT);
  SetTime(kT0 + absl::Seconds(1), intake.mutable_created());
  ASSERT_TRUE(store_->CreateEnrollmentToken(intake, "h2").ok());
  absl::StatusOr<std::vector<EnrollmentTokenInfo>> paris =
      store_->ListEnrollmentTokens("paris");
  ASSERT_TRUE(paris.ok()) << paris.status();
  ASSERT_EQ(paris->size(), 2u);
  EXPECT_EQ((*paris)[0].token_id(), "e1");
  EXPECT_EQ((*paris)[0].purpose(), natscope::v1::TOKEN_PURPOSE_ENROLL);
  EXPECT_EQ((*paris)[0].default_role(), natscope::v1::ROLE_UNSPECIFIED);
  EXPECT_EQ((*paris)[1].token_id(), "i1");
  EXPECT_EQ((*paris)[1].purpose(), natscope::v1::TOKEN_PURPOSE_INTAKE);
  EXPECT_EQ((*paris)[1].default_role(), natscope::v1::ROLE_CLIENT);
}

}  // namespace
}  // namespace natscope::server
