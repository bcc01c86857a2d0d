// The reading thread with a journal source: each entry is spooled once,
// with its cursor, through a restart of the agent.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "ingest/agent/reader_loop.h"
#include "ingest/journal/fake_journal.h"
#include "ingest/spool/mem_spool_fs.h"

namespace natscope::ingest {
namespace {

constexpr char kNatLine[] =
    "2026-11-25T09:00:05Z [INFO] [libsdwan] stun_nat_type: "
    "endpoint-independent";
constexpr char kNoiseLine[] =
    "2026-11-25T09:00:04Z [DEBUG] [libsdwan] run_state_machine: refreshing";

class ReaderLoopJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto parser = LogParser::Create(BuiltinRules());
    ASSERT_TRUE(parser.ok()) << parser.status();
    parser_ = std::move(parser).value();
    Start();
  }
  // A start of the agent: the spool reopened, the reader resuming from it.
  void Start() {
    loop_.reset();
    spool_.reset();
    SpoolOptions spool_options;
    spool_options.fs = &fs_;
    auto spool = Spool::Open("spool", spool_options);
    ASSERT_TRUE(spool.ok()) << spool.status();
    spool_ = std::move(spool).value();
    JournalOptions options;
    options.match.unit = "connector.service";
    options.from_start = true;
    std::vector<std::unique_ptr<JournalFollower>> journals;
    journals.push_back(std::make_unique<JournalFollower>(
        options,
        [this](
            const JournalMatch&) -> absl::StatusOr<std::unique_ptr<Journal>> {
          return std::make_unique<FakeJournal>(data_);
        },
        spool_->ResumePositions()));
    loop_ = std::make_unique<ReaderLoop>(
        std::make_unique<LogWatcher>(
            WatchOptions(), std::vector<std::pair<FileKey, uint64_t>>()),
        parser_.get(), spool_.get(), clock_, &state_, std::move(journals));
  }
  std::vector<std::string> SpooledLines() {
    std::vector<std::string> lines;
    auto batch = spool_->NextBatch(10000, 64 << 20);
    EXPECT_TRUE(batch.ok());
    if (!batch.ok() || !batch->has_value()) return lines;
    for (const v1::Record& record : (*batch)->records()) {
      lines.push_back(record.log().raw_line());
      EXPECT_EQ(record.log().source_file(), "journal unit=connector.service");
    }
    return lines;
  }

  SimClock clock_;
  AgentState state_{clock_};
  MemSpoolFs fs_;
  std::shared_ptr<FakeJournalData> data_ = std::make_shared<FakeJournalData>();
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<LogParser> parser_;
  std::unique_ptr<ReaderLoop> loop_;
};

TEST_F(ReaderLoopJournalTest, EachEntryIsSpooledOnceThroughARestart) {
  data_->Append(kNatLine);
  data_->Append(kNoiseLine);
  data_->Append(kNatLine);
  loop_->ReadOnce();
  Start();
  data_->Append(kNoiseLine);
  data_->Append(kNatLine);
  loop_->ReadOnce();
  loop_->ReadOnce();
  EXPECT_EQ(SpooledLines(), std::vector<std::string>(3, kNatLine));
  // One checkpoint for the source: the cursor of the last entry read.
  const std::map<std::string, uint64_t> positions = spool_->ResumePositions();
  ASSERT_EQ(positions.size(), 1u);
  EXPECT_TRUE(absl::EndsWith(positions.begin()->first, "@i=5"));
  EXPECT_EQ(positions.begin()->second, 5u);
}

TEST_F(ReaderLoopJournalTest, FullSpoolKeepsEntriesUntilThereIsRoom) {
  data_->Append(kNatLine);
  fs_.FailAppends(absl::ResourceExhaustedError("disk full"));
  loop_->ReadOnce();
  EXPECT_TRUE(loop_->paused());
  fs_.FailAppends(absl::OkStatus());
  data_->Append(kNatLine);
  loop_->ReadOnce();
  loop_->ReadOnce();
  EXPECT_FALSE(loop_->paused());
  EXPECT_EQ(SpooledLines(), std::vector<std::string>(2, kNatLine));
}

TEST_F(ReaderLoopJournalTest, VacuumedCheckpointIsReportedInTheStatus) {
  data_->Append(kNatLine);
  loop_->ReadOnce();
  data_->Append(kNatLine);
  data_->Append(kNatLine);
  data_->Vacuum(2);  // The checkpoint's entry and the next one.
  Start();
  loop_->ReadOnce();
  EXPECT_NE(state_.last_error().message().find("rotated or vacuumed"),
            std::string::npos)
      << state_.last_error().message();
  const std::vector<v1::FilePosition> files = loop_->FilePositions();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path(), "journal unit=connector.service");
  EXPECT_FALSE(files[0].error().empty());
  EXPECT_EQ(SpooledLines().size(), 2u);  // The first and the third.
}

}  // namespace
}  // namespace natscope::ingest
