// The conformance suite's tests of the access-token methods and AgentById.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/store/store_conformance.h"

namespace natscope::server {
namespace {

using natscope::v1::ApiTokenInfo;
using natscope::v1::EnrollmentTokenInfo;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  out->set_seconds(absl::ToUnixSeconds(t));
}

ApiTokenInfo Api(const std::string& id, natscope::v1::ApiTokenRole role,
                 absl::Time created) {
  ApiTokenInfo info;
  info.set_token_id(id);
  info.set_name("token " + id);
  info.set_role(role);
  SetTime(created, info.mutable_created());
  return info;
}

EnrollmentTokenInfo Enrollment(const std::string& id, const std::string& site,
                               absl::Time created) {
  EnrollmentTokenInfo info;
  info.set_token_id(id);
  info.set_site(site);
  SetTime(created, info.mutable_created());
  return info;
}

TEST_P(StoreConformanceTest, ApiTokenIsFoundByItsHashUntilRevoked) {
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

TEST_P(StoreConformanceTest, UnknownApiTokenIsNotFound) {
  EXPECT_EQ(store_->ApiTokenByHash("nope").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->RevokeApiToken("nope", kT0).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, DuplicateApiTokenIdOrHashIsAlreadyExists) {
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

TEST_P(StoreConformanceTest, ListApiTokensIsByCreationTime) {
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

TEST_P(StoreConformanceTest, EnrollmentTokenKeepsSiteExpiryAndRevocation) {
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

TEST_P(StoreConformanceTest, ListEnrollmentTokensFiltersBySite) {
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

TEST_P(StoreConformanceTest, AgentByIdFindsRegisteredAgents) {
  natscope::v1::AgentIdentity agent;
  agent.set_agent_id("a1");
  agent.set_site("paris");
  agent.set_role(natscope::v1::ROLE_CONNECTOR);
  ASSERT_TRUE(store_->UpsertAgent(agent, "hash-a1").ok());
  absl::StatusOr<natscope::v1::AgentIdentity> found = store_->AgentById("a1");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->site(), "paris");
  EXPECT_EQ(found->role(), natscope::v1::ROLE_CONNECTOR);
  EXPECT_EQ(store_->AgentById("a2").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace natscope::server
