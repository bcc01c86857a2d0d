#include "server/analysis/agent_health.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/proto_time.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

// An agent that reported a minute ago, probed five minutes ago, with an
// empty spool and clean counters.
v1::AgentState Healthy() {
  v1::AgentState state;
  state.mutable_identity()->set_agent_id("paris-1");
  *state.mutable_health()->mutable_last_batch_time() =
      ToProtoTime(kNow - absl::Minutes(1));
  *state.mutable_latest_probe()->mutable_time() =
      ToProtoTime(kNow - absl::Minutes(5));
  v1::AgentCounters* counters = state.mutable_health()->mutable_counters();
  counters->set_spool_bytes(4096);
  counters->set_spool_capacity_bytes(64 << 20);
  counters->set_retries(7);
  counters->set_backpressure_pauses(2);
  return state;
}

// The one problem of `state`, or a test failure.
std::string OnlyProblem(const v1::AgentState& state) {
  const std::vector<std::string> problems = AgentProblems(state, kNow);
  EXPECT_EQ(problems.size(), 1u);
  return problems.empty() ? "" : problems[0];
}

TEST(AgentHealthTest, ReportingProbingCleanAgentIsHealthy) {
  v1::AgentState state = Healthy();
  EXPECT_TRUE(AgentProblems(state, kNow).empty());
  JudgeAgentHealth(&state, kNow);
  EXPECT_TRUE(state.health().healthy());
  EXPECT_EQ(state.health().last_probe_time().seconds(),
            absl::ToUnixSeconds(kNow - absl::Minutes(5)));
}

TEST(AgentHealthTest, NoBatchYetIsAProblem) {
  v1::AgentState state;
  EXPECT_TRUE(
      absl::StrContains(OnlyProblem(state), "no batch since it enrolled"));
}

TEST(AgentHealthTest, SilentPastThirtyMinutes) {
  v1::AgentState state = Healthy();
  *state.mutable_health()->mutable_last_batch_time() =
      ToProtoTime(kNow - absl::Minutes(30));
  EXPECT_TRUE(AgentProblems(state, kNow).empty()) << "at the threshold";
  *state.mutable_health()->mutable_last_batch_time() =
      ToProtoTime(kNow - absl::Minutes(130) - absl::Seconds(7));
  // Its probe is old too, but silence is said once.
  *state.mutable_latest_probe()->mutable_time() =
      ToProtoTime(kNow - absl::Hours(48));
  const std::string problem = OnlyProblem(state);
  EXPECT_TRUE(absl::StartsWith(problem, "silent for 2h10m (no batch since "))
      << problem;
}

TEST(AgentHealthTest, AnIntakeHostsSilenceIsNoProblem) {
  v1::AgentState state;
  state.set_intake(true);
  *state.mutable_health()->mutable_last_batch_time() =
      ToProtoTime(kNow - absl::Hours(72));
  EXPECT_TRUE(AgentProblems(state, kNow).empty())
      << "a laptop's shipper sends only when its client logs";
}

TEST(AgentHealthTest, SpoolOverEightyPercentFull) {
  v1::AgentState state = Healthy();
  v1::AgentCounters* counters = state.mutable_health()->mutable_counters();
  counters->set_spool_capacity_bytes(100 << 20);
  counters->set_spool_bytes(80 << 20);
  EXPECT_TRUE(AgentProblems(state, kNow).empty()) << "at the threshold";
  counters->set_spool_bytes(90 << 20);
  EXPECT_TRUE(absl::StartsWith(OnlyProblem(state),
                               "spool 90% full (90.0 MiB of 100.0 MiB)"))
      << OnlyProblem(state);
  counters->set_spool_capacity_bytes(0);  // Unknown capacity: not judged.
  EXPECT_TRUE(AgentProblems(state, kNow).empty());
}

TEST(AgentHealthTest, LostRecordsDeadLettersAndConflictsEachCount) {
  v1::AgentState state = Healthy();
  v1::AgentCounters* counters = state.mutable_health()->mutable_counters();
  counters->set_records_dropped(3);
  EXPECT_TRUE(absl::StrContains(OnlyProblem(state), "lost 3 record(s)"));
  counters->set_records_dropped(0);
  counters->set_dead_letters(1);
  EXPECT_TRUE(absl::StrContains(OnlyProblem(state), "set aside 1 batch(es)"));
  counters->set_batch_conflicts(2);
  const std::vector<std::string> problems = AgentProblems(state, kNow);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_TRUE(absl::StrContains(problems[1], "cloned or restored"));
}

TEST(AgentHealthTest, ClockSkewPastFiveMinutesEitherWay) {
  v1::AgentState state = Healthy();
  state.set_clock_skew_seconds(300);
  EXPECT_TRUE(AgentProblems(state, kNow).empty()) << "at the threshold";
  state.set_clock_skew_seconds(450);
  EXPECT_TRUE(absl::StartsWith(OnlyProblem(state), "clock 7m ahead of"))
      << OnlyProblem(state);
  state.set_clock_skew_seconds(-3600);
  EXPECT_TRUE(absl::StartsWith(OnlyProblem(state), "clock 1h behind"))
      << OnlyProblem(state);
}

TEST(AgentHealthTest, StaleProbeOnlyForAnAgentThatProbes) {
  v1::AgentState state = Healthy();
  *state.mutable_latest_probe()->mutable_time() =
      ToProtoTime(kNow - absl::Hours(30));
  EXPECT_TRUE(absl::StartsWith(OnlyProblem(state), "no probe for 30h (latest "))
      << OnlyProblem(state);
  state.clear_latest_probe();  // Never probed: a log-only agent.
  EXPECT_TRUE(AgentProblems(state, kNow).empty());
}

TEST(AgentHealthTest, JudgingTwiceGivesTheSameAnswer) {
  v1::AgentState state = Healthy();
  state.mutable_health()->mutable_counters()->set_records_dropped(1);
  JudgeAgentHealth(&state, kNow);
  JudgeAgentHealth(&state, kNow);
  EXPECT_FALSE(state.health().healthy());
  EXPECT_EQ(state.health().problems_size(), 1);
}

}  // namespace
}  // namespace natscope::server
