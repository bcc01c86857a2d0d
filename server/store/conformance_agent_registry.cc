// The conformance suite's AgentRegistry tests: enrolment that cannot take over an agent, rotation, release, removal and the auth generation.
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

TEST_P(AgentRegistryConformance, EnrolledAgentIsFoundByItsCredentialHash) {
  const AgentIdentity agent = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, agent);
  absl::StatusOr<AgentIdentity> found =
      store_->AgentByCredentialHash("hash-a1");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*found, agent))
      << found->DebugString();
}

TEST_P(AgentRegistryConformance, UnknownCredentialHashIsNotFound) {
  Register(*store_, Agent("a1", "paris", natscope::v1::ROLE_CLIENT));
  EXPECT_EQ(store_->AgentByCredentialHash("no-such-hash").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(AgentRegistryConformance, AgentByIdFindsRegisteredAgents) {
  natscope::v1::AgentIdentity agent;
  agent.set_agent_id("a1");
  agent.set_site("paris");
  agent.set_role(natscope::v1::ROLE_CONNECTOR);
  ASSERT_TRUE(store_->EnrollAgent(agent, "hash-a1", "", "").ok());
  absl::StatusOr<natscope::v1::AgentIdentity> found = store_->AgentById("a1");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->site(), "paris");
  EXPECT_EQ(found->role(), natscope::v1::ROLE_CONNECTOR);
  EXPECT_EQ(store_->AgentById("a2").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(AgentRegistryConformance, EnrolledAgentIdIsNotTakenWithoutItsCredential) {
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h1", "", "").ok());
  // Anyone else, with or without a guess at the credential: refused.
  EXPECT_TRUE(absl::IsAlreadyExists(store_->EnrollAgent(Paris1(), "h2", "", "")));
  EXPECT_TRUE(
      absl::IsAlreadyExists(store_->EnrollAgent(Paris1(), "h2", "wrong", "")));
  // An agent id of another site: refused whatever the credential.
  EXPECT_TRUE(absl::IsPermissionDenied(store_->EnrollAgent(
      Agent("paris-1", "lyon", natscope::v1::ROLE_CLIENT), "h3", "h1", "")));
  auto agent = store_->AgentByCredentialHash("h1");
  ASSERT_TRUE(agent.ok()) << agent.status();
  EXPECT_EQ(agent->site(), "paris");
  EXPECT_TRUE(absl::IsNotFound(store_->AgentByCredentialHash("h2").status()));
}

TEST_P(AgentRegistryConformance, RotationWithTheCurrentCredentialReplacesIt) {
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h1", "", "").ok());
  auto before = store_->AuthGeneration();
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h2", "h1", "").ok());
  EXPECT_TRUE(absl::IsNotFound(store_->AgentByCredentialHash("h1").status()));
  EXPECT_TRUE(store_->AgentByCredentialHash("h2").ok());
  auto after = store_->AuthGeneration();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_NE(*after, *before);
}

TEST_P(AgentRegistryConformance, ReleasedAgentIdMayBeEnrolledAgain) {
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h1", "", "").ok());
  auto released = store_->ReleaseAgent("paris-1");
  ASSERT_TRUE(released.ok()) << released.status();
  EXPECT_EQ(released->site(), "paris");
  EXPECT_TRUE(absl::IsNotFound(store_->AgentByCredentialHash("h1").status()));
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h2", "", "").ok());
  EXPECT_TRUE(store_->AgentByCredentialHash("h2").ok());
  // Taken again: the next one without the credential is refused.
  EXPECT_TRUE(absl::IsAlreadyExists(store_->EnrollAgent(Paris1(), "h3", "", "")));
  EXPECT_TRUE(absl::IsNotFound(store_->ReleaseAgent("nobody").status()));
}

TEST_P(AgentRegistryConformance, RemovedAgentIsGoneWithItsLedger) {
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h1", "", "").ok());
  MustIngest(*store_, Paris1(), Batch(1, 1, {NatLog(kT0, "symmetric")}), kT0);
  auto removed = store_->RemoveAgent("paris-1");
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_TRUE(absl::IsNotFound(store_->AgentById("paris-1").status()));
  EXPECT_TRUE(absl::IsNotFound(store_->AgentByCredentialHash("h1").status()));
  EXPECT_TRUE(absl::IsNotFound(store_->RemoveAgent("paris-1").status()));
  // Enrolled afresh, the same (epoch, sequence) is a new batch.
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h2", "", "").ok());
  IngestResult again = MustIngest(
      *store_, Paris1(), Batch(1, 1, {NatLog(kT0, "port-restricted")}), kT0);
  EXPECT_FALSE(again.duplicate);
}

TEST_P(AgentRegistryConformance, RevocationMovesTheAuthGeneration) {
  auto before = store_->AuthGeneration();
  ASSERT_TRUE(before.ok()) << before.status();
  natscope::v1::ApiTokenInfo token;
  token.set_token_id("t1");
  token.set_name("viewer");
  token.set_role(natscope::v1::API_TOKEN_ROLE_VIEWER);
  conformance::SetTime(kT0, token.mutable_created());
  ASSERT_TRUE(store_->CreateApiToken(token, "th1").ok());
  ASSERT_TRUE(store_->RevokeApiToken("t1", kT0).ok());
  auto after = store_->AuthGeneration();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_NE(*after, *before);
}

TEST_P(AgentRegistryConformance, EnrolmentCountsATokenUseButRotationDoesNot) {
  natscope::v1::EnrollmentTokenInfo info;
  info.set_token_id("e1");
  info.set_site("paris");
  info.set_max_uses(1);
  conformance::SetTime(kT0, info.mutable_created());
  ASSERT_TRUE(store_->CreateEnrollmentToken(info, "eh1").ok());
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h1", "", "eh1").ok());
  // Rotation by the agent itself: no use counted, so it still works.
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h2", "h2-wrong", "eh1").code() ==
              absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h2", "h1", "eh1").ok());
  // A second agent: the token is used up, and nothing is registered.
  const AgentIdentity paris2 =
      Agent("paris-2", "paris", natscope::v1::ROLE_CONNECTOR);
  EXPECT_TRUE(absl::IsFailedPrecondition(
      store_->EnrollAgent(paris2, "h3", "", "eh1")));
  EXPECT_TRUE(absl::IsNotFound(store_->AgentById("paris-2").status()));
  auto token = store_->EnrollmentTokenByHash("eh1");
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->uses(), 1u);
}

TEST_P(AgentRegistryConformance, AgentIdOfAnotherSiteIsFreeOnlyOnceRemoved) {
  auto agent = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, agent);
  MustIngest(*store_, agent, Batch(1, 1, {NatLog(kT0, "endpoint-dependent")}), kT0);
  agent.set_site("berlin");
  EXPECT_TRUE(absl::IsPermissionDenied(
      store_->EnrollAgent(agent, "hash-berlin", "", "")));
  ASSERT_TRUE(store_->RemoveAgent("a1").ok());
  ASSERT_TRUE(store_->EnrollAgent(agent, "hash-berlin", "", "").ok());
  auto paris = store_->ListAgents("paris", "", 10);
  ASSERT_TRUE(paris.ok());
  EXPECT_TRUE(paris->empty());
  auto berlin = store_->ListAgents("berlin", "", 10);
  ASSERT_TRUE(berlin.ok());
  ASSERT_EQ(berlin->size(), 1u);
  EXPECT_EQ((*berlin)[0].log_nat_type(), "");  // Nothing sent from berlin yet.
  MustIngest(*store_, agent, Batch(2, 1, {NatLog(kT0, "endpoint-independent")}), kT0);
  berlin = store_->ListAgents("berlin", "", 10);
  ASSERT_TRUE(berlin.ok());
  EXPECT_EQ((*berlin)[0].log_nat_type(), "endpoint-independent");
}

}  // namespace
}  // namespace natscope::server
