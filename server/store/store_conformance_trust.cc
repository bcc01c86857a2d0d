// The conformance suite's tests of schema 5 (docs/security.md): enrolment
// that cannot take over an agent, release and removal, token uses, the
// ledger's digest, clock skew, and "latest" that one future date cannot
// freeze.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/store/store_conformance.h"
#include "server/store/store_conformance_util.h"

namespace natscope::server {
namespace {

using conformance::Agent;
using conformance::Batch;
using conformance::kT0;
using conformance::MustIngest;
using conformance::NatLog;
using natscope::v1::AgentIdentity;
using natscope::v1::AgentState;

AgentIdentity Paris1() {
  return Agent("paris-1", "paris", natscope::v1::ROLE_CLIENT);
}

AgentState StateOf(Store& store, const std::string& agent_id) {
  auto agents = store.ListAgents("", "", 100);
  EXPECT_TRUE(agents.ok()) << agents.status();
  for (const AgentState& state : *agents) {
    if (state.identity().agent_id() == agent_id) return state;
  }
  ADD_FAILURE() << "no agent " << agent_id;
  return AgentState();
}

TEST_P(StoreConformanceTest, EnrolledAgentIdIsNotTakenWithoutItsCredential) {
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h1", "").ok());
  // Anyone else, with or without a guess at the credential: refused.
  EXPECT_TRUE(absl::IsAlreadyExists(store_->EnrollAgent(Paris1(), "h2", "")));
  EXPECT_TRUE(
      absl::IsAlreadyExists(store_->EnrollAgent(Paris1(), "h2", "wrong")));
  // An agent id of another site: refused whatever the credential.
  EXPECT_TRUE(absl::IsPermissionDenied(store_->EnrollAgent(
      Agent("paris-1", "lyon", natscope::v1::ROLE_CLIENT), "h3", "h1")));
  auto agent = store_->AgentByCredentialHash("h1");
  ASSERT_TRUE(agent.ok()) << agent.status();
  EXPECT_EQ(agent->site(), "paris");
  EXPECT_TRUE(absl::IsNotFound(store_->AgentByCredentialHash("h2").status()));
}

TEST_P(StoreConformanceTest, RotationWithTheCurrentCredentialReplacesIt) {
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h1", "").ok());
  auto before = store_->AuthGeneration();
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h2", "h1").ok());
  EXPECT_TRUE(absl::IsNotFound(store_->AgentByCredentialHash("h1").status()));
  EXPECT_TRUE(store_->AgentByCredentialHash("h2").ok());
  auto after = store_->AuthGeneration();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_NE(*after, *before);
}

TEST_P(StoreConformanceTest, ReleasedAgentIdMayBeEnrolledAgain) {
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h1", "").ok());
  auto released = store_->ReleaseAgent("paris-1");
  ASSERT_TRUE(released.ok()) << released.status();
  EXPECT_EQ(released->site(), "paris");
  EXPECT_TRUE(absl::IsNotFound(store_->AgentByCredentialHash("h1").status()));
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h2", "").ok());
  EXPECT_TRUE(store_->AgentByCredentialHash("h2").ok());
  // Taken again: the next one without the credential is refused.
  EXPECT_TRUE(absl::IsAlreadyExists(store_->EnrollAgent(Paris1(), "h3", "")));
  EXPECT_TRUE(absl::IsNotFound(store_->ReleaseAgent("nobody").status()));
}

TEST_P(StoreConformanceTest, RemovedAgentIsGoneWithItsLedger) {
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h1", "").ok());
  MustIngest(*store_, Paris1(), Batch(1, 1, {NatLog(kT0, "symmetric")}), kT0);
  auto removed = store_->RemoveAgent("paris-1");
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_TRUE(absl::IsNotFound(store_->AgentById("paris-1").status()));
  EXPECT_TRUE(absl::IsNotFound(store_->AgentByCredentialHash("h1").status()));
  EXPECT_TRUE(absl::IsNotFound(store_->RemoveAgent("paris-1").status()));
  // Enrolled afresh, the same (epoch, sequence) is a new batch.
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h2", "").ok());
  IngestResult again = MustIngest(
      *store_, Paris1(), Batch(1, 1, {NatLog(kT0, "port-restricted")}), kT0);
  EXPECT_FALSE(again.duplicate);
}

TEST_P(StoreConformanceTest, EnrollmentTokenUsesAreCountedToTheLimit) {
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

TEST_P(StoreConformanceTest, EnrolmentCountsATokenUseButRotationDoesNot) {
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

TEST_P(StoreConformanceTest, RevocationMovesTheAuthGeneration) {
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

TEST_P(StoreConformanceTest, SameKeyWithOtherRecordsIsAConflictNotADuplicate) {
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h1", "").ok());
  MustIngest(*store_, Paris1(), Batch(7, 1, {NatLog(kT0, "symmetric")}), kT0);
  // The same batch again (newer counters): a duplicate.
  v1::IngestRequest resent = Batch(7, 1, {NatLog(kT0, "symmetric")});
  resent.mutable_counters()->set_lines_read(99);
  IngestResult duplicate = MustIngest(*store_, Paris1(), resent, kT0);
  EXPECT_TRUE(duplicate.duplicate);
  // A clone's batch under the same key: refused, counted, not stored.
  auto clone = store_->Ingest(
      Paris1(), Batch(7, 1, {NatLog(kT0, "endpoint-independent")}), kT0);
  EXPECT_TRUE(absl::IsAlreadyExists(clone.status())) << clone.status();
  EXPECT_EQ(StateOf(*store_, "paris-1").batch_conflicts(), 1u);
  EXPECT_EQ(StateOf(*store_, "paris-1").log_nat_type(), "symmetric");
  auto records = store_->CountRecords("paris-1");
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(*records, 1);
}

TEST_P(StoreConformanceTest, ClockSkewComesFromTheNewestBatch) {
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h1", "").ok());
  v1::IngestRequest batch = Batch(1, 1, {NatLog(kT0, "symmetric")});
  conformance::SetTime(kT0 + absl::Seconds(90), batch.mutable_sent());
  MustIngest(*store_, Paris1(), batch, kT0);
  EXPECT_EQ(StateOf(*store_, "paris-1").clock_skew_seconds(), 90);
  batch = Batch(1, 2, {});
  conformance::SetTime(kT0 - absl::Seconds(30), batch.mutable_sent());
  MustIngest(*store_, Paris1(), batch, kT0);
  EXPECT_EQ(StateOf(*store_, "paris-1").clock_skew_seconds(), -30);
}

TEST_P(StoreConformanceTest, OneFutureDateDoesNotFreezeTheLatestNatType) {
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h1", "").ok());
  const absl::Time far_future = absl::FromCivil(
      absl::CivilSecond(9999, 12, 30, 0, 0, 0), absl::UTCTimeZone());
  MustIngest(*store_, Paris1(), Batch(1, 1, {NatLog(far_future, "symmetric")}),
             kT0);
  MustIngest(*store_, Paris1(),
             Batch(1, 2, {NatLog(kT0 + absl::Minutes(5), "port-restricted")}),
             kT0 + absl::Minutes(5));
  EXPECT_EQ(StateOf(*store_, "paris-1").log_nat_type(), "port-restricted");
}

}  // namespace
}  // namespace natscope::server
