#include "ingest/agent/probe_loop.h"

#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "ingest/agent/sim_drive.h"
#include "ingest/netwatch/fake_network_changes.h"
#include "ingest/spool/mem_spool_fs.h"

namespace natscope::ingest {
namespace {

class ProbeLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SpoolOptions options;
    options.fs = &fs_;
    auto spool = Spool::Open("spool", options);
    ASSERT_TRUE(spool.ok()) << spool.status();
    spool_ = std::move(spool).value();
    // uniform = 0.5: no jitter, every wait is exactly the interval.
    loop_ = std::make_unique<ProbeLoop>(
        ProbeLoopOptions(), [this] { return Probe(); }, network_, spool_.get(),
        [] { return 0.5; }, clock_, &state_);
  }
  // The fake probe: a report stamped with the probe's (simulated) time.
  absl::StatusOr<v1::ProbeReport> Probe() {
    probe_times_.push_back(clock_.Now());
    if (request_during_probe_) {
      request_during_probe_ = false;
      loop_->RequestProbe();
    }
    if (!probe_error_.ok()) return probe_error_;
    v1::ProbeReport report;
    report.mutable_time()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
    return report;
  }
  void RunFor(absl::Duration d) {
    DriveUntilDone(clock_, start_ + d, &stop_, [this] { loop_->Run(&stop_); });
  }
  // The probe times in the spooled reports, in order.
  std::vector<absl::Time> Spooled() {
    std::vector<absl::Time> times;
    auto batch = spool_->NextBatch(10000, 64 << 20);
    EXPECT_TRUE(batch.ok());
    if (!batch.ok() || !batch->has_value()) return times;
    for (const v1::Record& record : (*batch)->records()) {
      times.push_back(absl::FromUnixSeconds(record.probe().time().seconds()));
    }
    return times;
  }

  SimClock clock_;
  const absl::Time start_ = clock_.Now();
  AgentState state_{clock_};
  MemSpoolFs fs_;
  std::unique_ptr<Spool> spool_;
  NetworkChanges* network_ = nullptr;  // Set before SetUp to use one.
  std::unique_ptr<ProbeLoop> loop_;
  std::atomic<bool> stop_{false};
  absl::Status probe_error_;
  std::vector<absl::Time> probe_times_;
  // The next probe asks for another while it runs (as the server may).
  bool request_during_probe_ = false;
};

TEST_F(ProbeLoopTest, ProbesAtOnceThenEveryInterval) {
  RunFor(absl::Minutes(62));
  std::vector<absl::Time> expected;
  for (int i = 0; i <= 12; ++i)
    expected.push_back(start_ + absl::Minutes(5 * i));
  EXPECT_EQ(probe_times_, expected);
  EXPECT_EQ(Spooled(), expected);
  const v1::AgentCounters counters = state_.Counters(spool_->counters());
  EXPECT_EQ(counters.probes(), 13u);
  EXPECT_EQ(counters.records_spooled(), 13u);
}

TEST_F(ProbeLoopTest, RequestWakesTheLoopToProbeAtOnce) {
  std::thread thread([this] { loop_->Run(&stop_); });
  // The first probe at once; then asleep until 5 min.
  ASSERT_TRUE(clock_.AdvanceToNextWake(1, start_ + absl::Minutes(2)));
  ASSERT_EQ(clock_.Now(), start_ + absl::Minutes(2));
  loop_->RequestProbe();
  clock_.Advance(absl::ZeroDuration());
  // The clock stands still meanwhile: the probe can only be at 2 min.
  for (int i = 0; i < 1000 && state_.Counters(spool_->counters()).probes() < 2;
       ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  // Then the schedule counts the interval from the requested probe.
  const absl::Time end = start_ + absl::Minutes(8);
  while (clock_.Now() < end) ASSERT_TRUE(clock_.AdvanceToNextWake(1, end));
  stop_ = true;
  clock_.Advance(absl::ZeroDuration());
  thread.join();
  const std::vector<absl::Time> expected = {start_, start_ + absl::Minutes(2),
                                            start_ + absl::Minutes(7)};
  EXPECT_EQ(probe_times_, expected);
}

TEST_F(ProbeLoopTest, RequestDuringAProbeWaitsAMinuteAfterIt) {
  request_during_probe_ = true;
  RunFor(absl::Minutes(3));
  const std::vector<absl::Time> expected = {start_, start_ + absl::Minutes(1)};
  EXPECT_EQ(probe_times_, expected);
}

class ProbeLoopNetworkTest : public ProbeLoopTest {
 protected:
  void SetUp() override {
    network_ = &changes_;
    ProbeLoopTest::SetUp();
  }
  FakeNetworkChanges changes_;
};

TEST_F(ProbeLoopNetworkTest, NetworkChangeBringsTheNextProbeForward) {
  // Probes at 0 and 5 min; the network changes at 7 min: probe once it
  // settled (5 s later), and count the interval from there.
  changes_.ChangeAt(start_ + absl::Minutes(7));
  RunFor(absl::Minutes(13));
  const absl::Time early = start_ + absl::Minutes(7) + absl::Seconds(5);
  const std::vector<absl::Time> expected = {start_, start_ + absl::Minutes(5),
                                            early, early + absl::Minutes(5)};
  EXPECT_EQ(probe_times_, expected);
  EXPECT_EQ(changes_.reported(), 1);
}

TEST_F(ProbeLoopNetworkTest, ChangeRightAfterAProbeWaitsForTheMinimumGap) {
  changes_.ChangeAt(start_ + absl::Seconds(1));
  RunFor(absl::Minutes(2));
  const std::vector<absl::Time> expected = {start_, start_ + absl::Seconds(30)};
  EXPECT_EQ(probe_times_, expected);
}

TEST_F(ProbeLoopTest, FailedProbeIsCountedAndReportedButNotSpooled) {
  probe_error_ = absl::FailedPreconditionError("no socket");
  RunFor(absl::Minutes(1));
  EXPECT_EQ(probe_times_.size(), 1u);
  EXPECT_TRUE(Spooled().empty());
  EXPECT_EQ(state_.Counters(spool_->counters()).probes(), 1u);
  EXPECT_EQ(state_.last_error().message(), "probe failed: no socket");
}

// While the spool's disk is full the report waits, offered again every
// second, and is spooled once there is room: no probe report is dropped.
TEST_F(ProbeLoopTest, FullSpoolDelaysTheReportWithoutDroppingIt) {
  fs_.FailAppends(absl::ResourceExhaustedError("disk full"));
  std::thread thread([this] { loop_->Run(&stop_); });
  // Step to 10.5 s: the report was offered at 0, 1, ..., 10 s.
  const absl::Time full_until = start_ + absl::Milliseconds(10500);
  while (clock_.Now() < full_until) {
    ASSERT_TRUE(clock_.AdvanceToNextWake(1, full_until));
  }
  EXPECT_EQ(state_.Counters(spool_->counters()).records_spooled(), 0u);
  fs_.FailAppends(absl::OkStatus());
  const absl::Time end = start_ + absl::Seconds(12);
  while (clock_.Now() < end) ASSERT_TRUE(clock_.AdvanceToNextWake(1, end));
  stop_ = true;
  clock_.Advance(absl::ZeroDuration());
  thread.join();
  EXPECT_EQ(probe_times_, std::vector<absl::Time>{start_});
  EXPECT_EQ(Spooled(), std::vector<absl::Time>{start_});
}

}  // namespace
}  // namespace natscope::ingest
