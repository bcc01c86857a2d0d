#include "ingest/probe/evidence_run.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

using absl::Milliseconds;

// A gateway and routers that never answer: each query waits, polling as
// the real ones do, until its deadline, and says how long it waited.
class SilentEvidence final : public PathEvidence {
 public:
  std::vector<v1::GatewayObservation> QueryGateways(
      const GatewayQuery& query) override {
    const absl::Time start = absl::Now();
    Record();
    WaitFor(*query.answer);
    v1::GatewayObservation pmp;
    pmp.set_protocol("nat-pmp");
    pmp.set_error(absl::StrCat("no answer ", query.answer->Within(start)));
    WaitFor(*query.finish);
    v1::GatewayObservation upnp;
    upnp.set_protocol("upnp-igd");
    upnp.set_error(absl::StrCat("no answer ", query.finish->Within(start)));
    return {pmp, upnp};
  }
  std::vector<v1::HopObservation> TraceHops(const TraceQuery& query,
                                            const Clock&) override {
    Record();
    WaitFor(*query.deadline);
    v1::HopObservation hop;
    hop.set_ttl(1);
    return {hop};
  }
  absl::StatusOr<FirewalkRound> Firewalk(const FirewalkRoundOptions&,
                                         const Clock&) override {
    return absl::UnimplementedError("no firewalking here");
  }
  v1::TcpStunObservation StunOverTcp(const TcpStunQuery&,
                                     const Clock&) override {
    return {};  // Not part of an evidence run.
  }

  std::vector<std::thread::id> threads() const {
    absl::MutexLock lock(&mu_);
    return threads_;
  }

 private:
  static void WaitFor(const Deadline& deadline) {
    for (absl::Time now = absl::Now(); now < deadline.at(); now = absl::Now())
      absl::SleepFor(deadline.SleepFrom(now));
  }
  void Record() {
    absl::MutexLock lock(&mu_);
    threads_.push_back(std::this_thread::get_id());
  }

  mutable absl::Mutex mu_;
  std::vector<std::thread::id> threads_ ABSL_GUARDED_BY(mu_);
};

ProbePlan Plan(absl::Duration first) {
  ProbePlan plan;
  plan.gateways = true;
  plan.trace = *net::SocketAddress::Parse("198.51.100.1:3478");
  plan.evidence = {first, first, first, ""};
  return plan;
}

EvidenceWaits Waits(absl::Duration d, std::string reason) {
  return {d, d + Milliseconds(10), d, std::move(reason)};
}

// The executor starts the evidence before it knows the round trip, then
// brings the running queries' deadlines forward: they end then, and their
// observations say how long they waited and why.
TEST(EvidenceRunTest, RunningQueriesEndAtDeadlinesBroughtForward) {
  const ProbePlan plan = Plan(absl::Seconds(60));
  SilentEvidence silent;
  std::vector<std::string> steps;
  const absl::Time start = absl::Now();
  EvidenceRun run(plan, silent, RealClock::Get(), /*sequential=*/false,
                  [&](const std::string& step) { steps.push_back(step); });
  EXPECT_EQ(steps.size(), 2u);  // Both started, from this thread.
  absl::SleepFor(Milliseconds(20));
  run.Follow(Waits(Milliseconds(30), "waits follow the 1ms STUN round trip"));
  const EvidenceRun::Output found = run.Finish();
  const absl::Duration took = absl::Now() - start;
  EXPECT_GE(took, Milliseconds(60));
  EXPECT_LT(took, absl::Seconds(20));
  ASSERT_EQ(found.gateways.size(), 2u);
  EXPECT_NE(found.gateways[0].error().find(
                "ms (waits follow the 1ms STUN round trip)"),
            std::string::npos)
      << found.gateways[0].error();
  EXPECT_EQ(found.hops.size(), 1u);
  for (std::thread::id id : silent.threads()) {
    EXPECT_NE(id, std::this_thread::get_id());
  }
}

// No round trip measured (nothing answered test I): the first waits stay,
// and the observations give no reason beyond them.
TEST(EvidenceRunTest, WithoutARoundTripTheFirstWaitsStay) {
  const ProbePlan plan = Plan(Milliseconds(50));
  SilentEvidence silent;
  const absl::Time start = absl::Now();
  EvidenceRun run(plan, silent, RealClock::Get(), false, nullptr);
  run.Follow(std::nullopt);
  const EvidenceRun::Output found = run.Finish();
  EXPECT_GE(absl::Now() - start, Milliseconds(50));
  ASSERT_EQ(found.gateways.size(), 2u);
  // The query's own start is a little after the run's: "within 50ms" or
  // just under.
  EXPECT_TRUE(absl::StartsWith(found.gateways[0].error(), "no answer within"));
  EXPECT_TRUE(absl::EndsWith(found.gateways[0].error(), "ms"))
      << found.gateways[0].error();
}

// Waits that would end later than the first ones do not extend them.
TEST(EvidenceRunTest, ARoundTripNeverExtendsTheWaits) {
  const ProbePlan plan = Plan(Milliseconds(40));
  SilentEvidence silent;
  EvidenceRun run(plan, silent, RealClock::Get(), false, nullptr);
  run.Follow(Waits(absl::Seconds(60), "slow path"));
  const EvidenceRun::Output found = run.Finish();
  ASSERT_EQ(found.gateways.size(), 2u);
  EXPECT_TRUE(absl::EndsWith(found.gateways[0].error(), "ms"))
      << found.gateways[0].error();
  EXPECT_EQ(found.gateways[0].error().find("slow path"), std::string::npos);
}

// Sequential (a simulated network's one thread): nothing runs until
// Follow, which runs the queries on the calling thread with the waits
// test I set.
TEST(EvidenceRunTest, SequentialRunsAtFollowOnTheCallingThread) {
  const ProbePlan plan = Plan(absl::Seconds(60));
  SilentEvidence silent;
  EvidenceRun run(plan, silent, RealClock::Get(), /*sequential=*/true, nullptr);
  EXPECT_TRUE(silent.threads().empty());
  run.Follow(Waits(Milliseconds(20), "why"));
  EXPECT_EQ(silent.threads(),
            (std::vector<std::thread::id>{std::this_thread::get_id(),
                                          std::this_thread::get_id()}));
  const EvidenceRun::Output found = run.Finish();
  ASSERT_EQ(found.gateways.size(), 2u);
  EXPECT_TRUE(absl::EndsWith(found.gateways[0].error(), "ms (why)"))
      << found.gateways[0].error();
  EXPECT_TRUE(absl::EndsWith(found.gateways[1].error(), "ms (why)"))
      << found.gateways[1].error();
}

TEST(EvidenceRunTest, APlanWithoutEvidenceRunsNothing) {
  ProbePlan plan = Plan(absl::Seconds(60));
  plan.gateways = false;
  plan.trace.reset();
  SilentEvidence silent;
  EvidenceRun run(plan, silent, RealClock::Get(), false, nullptr);
  run.Follow(std::nullopt);
  const EvidenceRun::Output found = run.Finish();
  EXPECT_TRUE(found.gateways.empty());
  EXPECT_TRUE(found.hops.empty());
  EXPECT_TRUE(silent.threads().empty());
}

}  // namespace
}  // namespace natscope::ingest
