#include "ingest/agent/reader_loop.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "ingest/agent/sim_drive.h"
#include "ingest/spool/mem_spool_fs.h"

namespace natscope::ingest {
namespace {

constexpr char kNatLine[] =
    "2026-11-25T09:00:05Z [INFO] [libsdwan] stun_nat_type: "
    "endpoint-independent";
constexpr char kNoiseLine[] =
    "2026-11-25T09:00:04Z [DEBUG] [libsdwan] run_state_machine: refreshing";

class ReaderLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(
        getenv("TEST_TMPDIR"), "/",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_EQ(std::system(
                  absl::StrCat("rm -rf ", dir_, " && mkdir -p ", dir_).c_str()),
              0);
    path_ = dir_ + "/client.log";
    SpoolOptions spool_options;
    spool_options.fs = &fs_;
    auto spool = Spool::Open("spool", spool_options);
    ASSERT_TRUE(spool.ok()) << spool.status();
    spool_ = std::move(spool).value();
    auto parser = LogParser::Create(BuiltinRules());
    ASSERT_TRUE(parser.ok()) << parser.status();
    parser_ = std::move(parser).value();
    WatchOptions watch;
    watch.paths.push_back(path_);
    loop_ = std::make_unique<ReaderLoop>(
        std::make_unique<LogWatcher>(
            watch, std::vector<std::pair<FileKey, uint64_t>>()),
        parser_.get(), spool_.get(), clock_, &state_);
  }
  void Write(const std::string& line) {
    std::ofstream(path_, std::ios::app) << line << "\n";
  }
  // Steps the clock to `t` (between two polls), leaving the loop asleep.
  void StepTo(absl::Time t) {
    while (clock_.Now() < t) ASSERT_TRUE(clock_.AdvanceToNextWake(1, t));
  }
  void Stop(std::thread& thread) {
    stop_ = true;
    clock_.Advance(absl::ZeroDuration());
    thread.join();
  }
  std::vector<std::string> SpooledLines() {
    std::vector<std::string> lines;
    auto batch = spool_->NextBatch(10000, 64 << 20);
    EXPECT_TRUE(batch.ok());
    if (!batch.ok() || !batch->has_value()) return lines;
    for (const v1::Record& record : (*batch)->records()) {
      lines.push_back(record.log().raw_line());
    }
    return lines;
  }

  SimClock clock_;
  const absl::Time start_ = clock_.Now();
  AgentState state_{clock_};
  std::string dir_, path_;
  MemSpoolFs fs_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<LogParser> parser_;
  std::unique_ptr<ReaderLoop> loop_;
  std::atomic<bool> stop_{false};
};

TEST_F(ReaderLoopTest, PollsEveryIntervalAndSpoolsRecordsWithTheirPositions) {
  Write(kNatLine);
  Write(kNoiseLine);
  int passes = 0;
  std::thread thread(
      [&] { loop_->Run(absl::Seconds(1), &stop_, [&passes] { ++passes; }); });
  StepTo(start_ + absl::Milliseconds(2500));
  Write(kNatLine);  // Read by the pass at 3 s.
  StepTo(start_ + absl::Milliseconds(10500));
  Stop(thread);
  EXPECT_EQ(passes, 11);  // At 0, 1, ..., 10 s.
  EXPECT_EQ(SpooledLines(), (std::vector<std::string>{kNatLine, kNatLine}));
  const v1::AgentCounters counters = state_.Counters(spool_->counters());
  EXPECT_EQ(counters.lines_read(), 3u);
  EXPECT_EQ(counters.records_spooled(), 2u);
  // The position after the last line is what a restart resumes from (under
  // the file's latest key: its fingerprint grew with its first bytes).
  const uint64_t size = 2 * (sizeof(kNatLine)) + sizeof(kNoiseLine);
  uint64_t resume_at = 0;
  for (const auto& [key, offset] : spool_->ResumePositions()) {
    resume_at = std::max(resume_at, offset);
  }
  EXPECT_EQ(resume_at, size);
  const std::vector<v1::FilePosition> files = loop_->FilePositions();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path(), path_);
  EXPECT_EQ(files[0].read_offset(), size);
  EXPECT_EQ(files[0].size(), size);
}

TEST_F(ReaderLoopTest, FullSpoolPausesReadingOnceAndLosesNothing) {
  Write(kNatLine);
  fs_.FailAppends(absl::ResourceExhaustedError("disk full"));
  loop_->ReadOnce();
  loop_->ReadOnce();
  EXPECT_TRUE(loop_->paused());
  EXPECT_TRUE(absl::StartsWith(state_.last_error().message(),
                               "reading paused, nothing lost: "))
      << state_.last_error().message();
  Write(kNatLine);  // Not read while the first line waits.
  fs_.FailAppends(absl::OkStatus());
  loop_->ReadOnce();
  EXPECT_FALSE(loop_->paused());
  EXPECT_EQ(SpooledLines().size(), 1u);
  loop_->ReadOnce();
  const v1::AgentCounters counters = state_.Counters(spool_->counters());
  EXPECT_EQ(counters.backpressure_pauses(), 1u);
  EXPECT_EQ(counters.records_spooled(), 2u);
  EXPECT_EQ(counters.lines_read(), 2u);
}

TEST_F(ReaderLoopTest, UnreadablePathIsReportedUntilItRecovers) {
  loop_->ReadOnce();
  std::vector<v1::FilePosition> files = loop_->FilePositions();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path(), path_);
  EXPECT_FALSE(files[0].error().empty());
  EXPECT_EQ(state_.last_error().message(), files[0].error());
  Write(kNatLine);
  clock_.Advance(absl::Seconds(2));  // Past the watcher's rescan interval.
  loop_->ReadOnce();
  files = loop_->FilePositions();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].error().empty());
  EXPECT_EQ(state_.Counters(spool_->counters()).records_spooled(), 1u);
}

TEST_F(ReaderLoopTest, HaltedStateEndsTheLoop) {
  state_.Fatal(absl::InternalError("enrollment refused"));
  int passes = 0;
  loop_->Run(absl::Seconds(1), &stop_, [&passes] { ++passes; });
  EXPECT_EQ(passes, 0);
}

}  // namespace
}  // namespace natscope::ingest
