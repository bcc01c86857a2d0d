// IntakeCore over the memory store and the agent's own parser: who may
// send, where lines go, and that nothing counts twice.
#include "server/intake/intake_core.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/retry_after.h"
#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "server/auth/credentials.h"
#include "server/store/memory_store.h"

namespace natscope::server::intake {
namespace {

constexpr char kNatLine[] =
    "2026-01-01T00:00:00Z [INFO] [libsdwan] stun_nat_type: endpoint-dependent";

// A FactStore whose IngestIntake fails with a chosen status.
class FailingFacts final : public FactStore {
 public:
  explicit FailingFacts(absl::Status status) : status_(std::move(status)) {}
  absl::StatusOr<IngestResult> Ingest(const v1::AgentIdentity&,
                                      const v1::IngestRequest&,
                                      absl::Time) override {
    return status_;
  }
  absl::StatusOr<IngestResult> IngestIntake(const v1::AgentIdentity&,
                                            const v1::IngestRequest&,
                                            const std::vector<std::string>&,
                                            absl::Time) override {
    return status_;
  }
  absl::StatusOr<std::vector<v1::AgentState>> ListAgents(absl::string_view,
                                                         absl::string_view,
                                                         int) override {
    return status_;
  }
  absl::StatusOr<std::vector<v1::ProbeReport>> ProbeHistory(absl::string_view,
                                                            int) override {
    return status_;
  }
  absl::StatusOr<std::map<std::string, analyzer::AgentActivity>> RecentActivity(
      absl::string_view, absl::Time) override {
    return status_;
  }

 private:
  absl::Status status_;
};

class IntakeCoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Migrate().ok());
    auto parser = ingest::LogParser::Create(ingest::BuiltinRules());
    ASSERT_TRUE(parser.ok()) << parser.status();
    parser_ = *std::move(parser);
    AddToken("paris-intake", "paris", v1::TOKEN_PURPOSE_INTAKE, v1::ROLE_CLIENT);
    AddToken("berlin-intake", "berlin", v1::TOKEN_PURPOSE_INTAKE,
             v1::ROLE_CONNECTOR);
    AddToken("paris-enroll", "paris", v1::TOKEN_PURPOSE_ENROLL,
             v1::ROLE_UNSPECIFIED);
    IntakeCoreOptions options;
    options.clock = &clock_;
    core_ = std::make_unique<IntakeCore>(&store_, &store_, parser_.get(), options);
  }

  void AddToken(const std::string& secret, const std::string& site,
                v1::TokenPurpose purpose, v1::Role role) {
    v1::EnrollmentTokenInfo info;
    info.set_token_id(secret);
    info.set_site(site);
    info.set_purpose(purpose);
    info.set_default_role(role);
    info.mutable_created()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
    ASSERT_TRUE(store_.CreateEnrollmentToken(info, HashCredential(secret)).ok());
  }

  static IntakeMessage Message(const std::string& token, const std::string& host,
                               const std::string& text) {
    IntakeMessage m;
    m.token = token;
    m.hostname = host;
    m.text = text;
    m.source = "syslog:twingate";
    return m;
  }

  SubmitResult MustSubmit(std::vector<IntakeMessage> messages) {
    absl::StatusOr<SubmitResult> result =
        core_->Submit(std::move(messages), clock_.Now());
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : SubmitResult();
  }

  v1::AgentState State(const std::string& agent_id) {
    auto agents = store_.ListAgents("", "", 100);
    for (const v1::AgentState& a : *agents) {
      if (a.identity().agent_id() == agent_id) return a;
    }
    return v1::AgentState();
  }

  SimClock clock_;
  MemoryStore store_;
  std::unique_ptr<ingest::LogParser> parser_;
  std::unique_ptr<IntakeCore> core_;
};

TEST_F(IntakeCoreTest, StoresMatchedLinesForTheTokensSiteOnce) {
  const std::vector<IntakeMessage> batch = {
      Message("paris-intake", "LAPTOP 7", kNatLine),
      Message("paris-intake", "LAPTOP 7", "nothing natscope knows")};
  SubmitResult result = MustSubmit(batch);
  EXPECT_EQ(result.stored, 1);
  EXPECT_EQ(result.unmatched, 1);
  EXPECT_TRUE(result.rejected.empty());
  const v1::AgentState state = State("LAPTOP-7");
  EXPECT_TRUE(state.intake());
  EXPECT_EQ(state.identity().site(), "paris");
  EXPECT_EQ(state.identity().hostname(), "LAPTOP 7");
  EXPECT_EQ(state.identity().role(), v1::ROLE_CLIENT);
  EXPECT_EQ(state.log_nat_type(), "endpoint-dependent");
  EXPECT_EQ(store_.CountRecordsForTest("LAPTOP-7"), 1);

  // The shipper resends after a lost connection, later.
  clock_.Advance(absl::Minutes(30));
  result = MustSubmit(batch);
  EXPECT_EQ(result.stored, 0);
  EXPECT_EQ(result.duplicates, 1);
  EXPECT_EQ(store_.CountRecordsForTest("LAPTOP-7"), 1);
}

TEST_F(IntakeCoreTest, LinesWithoutTimestampsAreRecognisedByMessageTime) {
  IntakeMessage m = Message("paris-intake", "laptop-7",
                            "[INFO] [libsdwan] stun_nat_type: endpoint-independent");
  m.time = clock_.Now() - absl::Seconds(3);
  EXPECT_EQ(MustSubmit({m}).stored, 1);
  EXPECT_EQ(MustSubmit({m}).duplicates, 1);
  m.time = clock_.Now() - absl::Seconds(2);
  EXPECT_EQ(MustSubmit({m}).stored, 1) << "the same words later are a new line";
}

TEST_F(IntakeCoreTest, AccessMatrix) {
  const std::vector<IntakeMessage> batch = {
      Message("", "laptop-1", kNatLine),
      Message("no-such-token", "laptop-1", kNatLine),
      Message("paris-enroll", "laptop-1", kNatLine),
      Message("paris-intake", "", kNatLine),
      Message("berlin-intake", "berlin-gw", kNatLine),
  };
  SubmitResult result = MustSubmit(batch);
  ASSERT_EQ(result.rejected.size(), 4u);
  EXPECT_TRUE(absl::StartsWith(result.rejected[0].second, "intake token missing"));
  EXPECT_TRUE(absl::StartsWith(result.rejected[1].second, "intake token unknown"));
  EXPECT_TRUE(absl::StartsWith(result.rejected[2].second, "intake token expected"))
      << result.rejected[2].second;
  EXPECT_EQ(result.rejected[3].first, 3u);
  EXPECT_EQ(result.stored, 1);
  EXPECT_EQ(State("berlin-gw").identity().role(), v1::ROLE_CONNECTOR)
      << "the token's default role";
  EXPECT_EQ(State("laptop-1").identity().agent_id(), "") << "never registered";

  // Paris's token cannot write into Berlin's host.
  result = MustSubmit({Message("paris-intake", "berlin-gw", kNatLine)});
  ASSERT_EQ(result.rejected.size(), 1u);
  EXPECT_TRUE(absl::StrContains(result.rejected[0].second, "another site"))
      << result.rejected[0].second;
  EXPECT_EQ(State("berlin-gw").identity().site(), "berlin");
  EXPECT_EQ(store_.CountRecordsForTest("berlin-gw"), 1);

  // A revoked token stops within the cache's time.
  ASSERT_TRUE(store_.RevokeEnrollmentToken("berlin-intake", clock_.Now()).ok());
  clock_.Advance(absl::Seconds(6));
  result = MustSubmit({Message("berlin-intake", "berlin-gw", kNatLine)});
  ASSERT_EQ(result.rejected.size(), 1u);
  EXPECT_TRUE(absl::StartsWith(result.rejected[0].second, "intake token"));
}

TEST_F(IntakeCoreTest, RoleComesFromTheMessageWhenItNamesOne) {
  IntakeMessage connector = Message("paris-intake", "gw-1", kNatLine);
  connector.role = "Connector";
  IntakeMessage odd = Message("paris-intake", "gw-2", kNatLine);
  odd.role = "router";
  SubmitResult result = MustSubmit({connector, odd});
  EXPECT_EQ(State("gw-1").identity().role(), v1::ROLE_CONNECTOR);
  ASSERT_EQ(result.rejected.size(), 1u);
  EXPECT_EQ(result.rejected[0].first, 1u);
}

TEST_F(IntakeCoreTest, OversizeLinesAreRefusedAndOddTimesRedated) {
  IntakeMessage big = Message("paris-intake", "laptop-7",
                              std::string(70000, 'x') + " stun_nat_type: x");
  IntakeMessage future = Message(
      "paris-intake", "laptop-8",
      "2030-01-01T00:00:00Z [INFO] [libsdwan] stun_nat_type: endpoint-dependent");
  SubmitResult result = MustSubmit({big, future});
  ASSERT_EQ(result.rejected.size(), 1u);
  EXPECT_TRUE(absl::StrContains(result.rejected[0].second, "limit"));
  EXPECT_EQ(result.stored, 1);
  const v1::AgentState state = State("laptop-8");
  EXPECT_EQ(state.log_nat_type_time().seconds(), absl::ToUnixSeconds(clock_.Now()))
      << "a time 4 years ahead is re-dated to its arrival";
}

TEST_F(IntakeCoreTest, AStoreThatCannotTakeItAsksForARetry) {
  FailingFacts down(absl::UnavailableError("database down"));
  IntakeCoreOptions options;
  options.clock = &clock_;
  options.unavailable_retry_delay = absl::Seconds(7);
  IntakeCore core(&store_, &down, parser_.get(), options);
  absl::StatusOr<SubmitResult> result =
      core.Submit({Message("paris-intake", "laptop-7", kNatLine)}, clock_.Now());
  ASSERT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(result.status().GetPayload(kRetryAfterMetadataKey)->Flatten(), "7000");
}

TEST(IntakeAgentIdTest, KeepsSafeCharactersOnly) {
  EXPECT_EQ(IntakeAgentId("laptop.corp_1"), "laptop.corp_1");
  EXPECT_EQ(IntakeAgentId("Jane's MacBook"), "Jane-s-MacBook");
  EXPECT_EQ(IntakeAgentId(""), "");
  EXPECT_EQ(IntakeAgentId("   "), "");
  EXPECT_EQ(IntakeAgentId(std::string(300, 'a')).size(), 128u);
}

}  // namespace
}  // namespace natscope::server::intake
