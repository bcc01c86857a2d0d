#include "ingest/spool/spool.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ingest/spool/mem_spool_fs.h"

namespace natscope::ingest {
namespace {

v1::Record LogRecord(int i) {
  v1::Record record;
  record.mutable_log()->set_kind("stun_nat_type");
  record.mutable_log()->set_raw_line(absl::StrCat("line ", i));
  return record;
}

class SpoolTest : public ::testing::Test {
 protected:
  std::unique_ptr<Spool> Open(RecoveryReport* report = nullptr) {
    SpoolOptions options = options_;
    options.fs = &fs_;
    auto spool = Spool::Open("spool", options, report);
    EXPECT_TRUE(spool.ok()) << spool.status();
    return spool.ok() ? std::move(spool).value() : nullptr;
  }
  void AppendLines(Spool* spool, int from, int to) {
    for (int i = from; i < to; ++i) {
      ASSERT_TRUE(
          spool->Append(LogRecord(i), Position{"f", uint64_t(i) * 10 + 10})
              .ok());
    }
  }
  std::vector<std::string> Lines(const v1::IngestRequest& batch) {
    std::vector<std::string> lines;
    for (const auto& r : batch.records()) lines.push_back(r.log().raw_line());
    return lines;
  }
  std::vector<std::string> Segments() {
    std::vector<std::string> out;
    for (const auto& f : fs_.Files()) {
      if (absl::StrContains(f, "segment-")) out.push_back(f);
    }
    return out;
  }

  MemSpoolFs fs_;
  SpoolOptions options_;
};

TEST_F(SpoolTest, FreshSpoolHasEpochAndNothingToSend) {
  RecoveryReport report;
  auto spool = Open(&report);
  EXPECT_TRUE(report.fresh);
  EXPECT_NE(spool->epoch(), 0u);
  auto batch = spool->NextBatch(10, 1 << 20);
  ASSERT_TRUE(batch.ok());
  EXPECT_FALSE(batch->has_value());
}

TEST_F(SpoolTest, RecordsRoundTripInBatches) {
  auto spool = Open();
  AppendLines(spool.get(), 0, 5);
  auto first = spool->NextBatch(3, 1 << 20);
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->epoch(), spool->epoch());
  EXPECT_EQ((*first)->sequence(), 1u);
  EXPECT_EQ(Lines(**first),
            (std::vector<std::string>{"line 0", "line 1", "line 2"}));
  // Unacknowledged: the same batch again.
  auto again = spool->NextBatch(100, 1 << 20);
  EXPECT_EQ((*again)->SerializeAsString(), (*first)->SerializeAsString());
  ASSERT_TRUE(spool->Ack(1).ok());
  auto second = spool->NextBatch(100, 1 << 20);
  EXPECT_EQ((*second)->sequence(), 2u);
  EXPECT_EQ(Lines(**second), (std::vector<std::string>{"line 3", "line 4"}));
  ASSERT_TRUE(spool->Ack(2).ok());
  EXPECT_FALSE(spool->NextBatch(100, 1 << 20)->has_value());
  EXPECT_TRUE(spool->Ack(2).ok()) << "acking twice is fine";
  EXPECT_TRUE(absl::IsFailedPrecondition(spool->Ack(3)));
}

TEST_F(SpoolTest, NewEpochResendsTheSameBatchAndSurvivesReopen) {
  auto spool = Open();
  AppendLines(spool.get(), 0, 3);
  auto first = spool->NextBatch(2, 1 << 20);
  ASSERT_TRUE(first.ok() && first->has_value());
  const uint64_t old_epoch = spool->epoch();
  EXPECT_TRUE(absl::IsInvalidArgument(spool->StartNewEpoch(old_epoch)));
  EXPECT_TRUE(absl::IsInvalidArgument(spool->StartNewEpoch(0)));
  ASSERT_TRUE(spool->StartNewEpoch(old_epoch + 1).ok());
  // The unacknowledged batch: same sequence and records, new epoch.
  auto again = spool->NextBatch(100, 1 << 20);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->epoch(), old_epoch + 1);
  EXPECT_EQ((*again)->sequence(), (*first)->sequence());
  EXPECT_EQ(Lines(**again), Lines(**first));
  spool.reset();
  spool = Open();
  EXPECT_EQ(spool->epoch(), old_epoch + 1);
  auto reopened = spool->NextBatch(100, 1 << 20);
  ASSERT_TRUE(reopened.ok() && reopened->has_value());
  EXPECT_EQ((*reopened)->SerializeAsString(), (*again)->SerializeAsString());
}

TEST_F(SpoolTest, ByteLimitCutsBatchButTakesAtLeastOne) {
  auto spool = Open();
  AppendLines(spool.get(), 0, 4);
  auto batch = spool->NextBatch(100, 1);
  EXPECT_EQ((*batch)->records_size(), 1);
}

TEST_F(SpoolTest, BatchIdentityIsStableAcrossReopen) {
  std::string sent;
  uint64_t epoch;
  {
    auto spool = Open();
    epoch = spool->epoch();
    AppendLines(spool.get(), 0, 10);
    auto batch = spool->NextBatch(4, 1 << 20);
    sent = (*batch)->SerializeAsString();
    AppendLines(spool.get(), 10, 12);
  }
  RecoveryReport report;
  auto spool = Open(&report);
  EXPECT_TRUE(report.ok()) << report.ToString();
  EXPECT_EQ(report.records, 12u);
  EXPECT_EQ(report.pending_records, 12u);
  EXPECT_EQ(spool->epoch(), epoch);
  auto batch = spool->NextBatch(100, 1 << 20);
  EXPECT_EQ((*batch)->SerializeAsString(), sent);
  ASSERT_TRUE(spool->Ack(1).ok());
  auto next = spool->NextBatch(100, 1 << 20);
  EXPECT_EQ((*next)->sequence(), 2u);
  EXPECT_EQ((*next)->records_size(), 8);
  EXPECT_EQ((*next)->records(0).log().raw_line(), "line 4");
}

TEST_F(SpoolTest, AckTrimsWholeSegmentsAndKeepsSequenceAndPositions) {
  options_.max_bytes = 64 << 10;
  options_.segment_bytes = 1 << 10;
  {
    auto spool = Open();
    AppendLines(spool.get(), 0, 600);
    EXPECT_GT(Segments().size(), 4u);
    const uint64_t before = spool->counters().bytes;
    for (;;) {
      auto batch = spool->NextBatch(50, 1 << 20);
      ASSERT_TRUE(batch.ok());
      if (!batch->has_value()) break;
      ASSERT_TRUE(spool->Ack((*batch)->sequence()).ok());
    }
    EXPECT_LE(Segments().size(), 2u);
    EXPECT_LT(spool->counters().bytes, before / 5);
    EXPECT_EQ(spool->counters().pending_records, 0u);
    EXPECT_EQ(spool->counters().records_acked, 600u);
  }
  auto spool = Open();
  EXPECT_EQ(spool->ResumePositions().at("f"), 6000u);
  AppendLines(spool.get(), 600, 601);
  auto batch = spool->NextBatch(50, 1 << 20);
  EXPECT_EQ((*batch)->sequence(), 13u) << "sequences never restart";
  EXPECT_EQ(Lines(**batch), std::vector<std::string>{"line 600"});
}

TEST_F(SpoolTest, CapGivesResourceExhaustedUntilAcked) {
  options_.max_bytes = 16 << 10;
  options_.segment_bytes = 1 << 10;
  auto spool = Open();
  int appended = 0;
  absl::Status status;
  while ((status = spool->Append(LogRecord(appended), Position{"f", 1})).ok()) {
    ++appended;
  }
  EXPECT_TRUE(absl::IsResourceExhausted(status)) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "spool spool is full"))
      << status;
  EXPECT_LE(spool->counters().bytes, options_.max_bytes);
  EXPECT_EQ(spool->counters().full, 1u);
  // Draining works even when full: BATCH and ACK entries still fit.
  int drained = 0;
  for (;;) {
    auto batch = spool->NextBatch(20, 1 << 20);
    ASSERT_TRUE(batch.ok()) << batch.status();
    if (!batch->has_value()) break;
    drained += (*batch)->records_size();
    ASSERT_TRUE(spool->Ack((*batch)->sequence()).ok());
  }
  EXPECT_EQ(drained, appended);
  EXPECT_TRUE(spool->Append(LogRecord(0), std::nullopt).ok());
}

TEST_F(SpoolTest, ResumePositionsFollowRecordsAndMarks) {
  {
    auto spool = Open();
    ASSERT_TRUE(spool->Append(LogRecord(1), Position{"a", 100}).ok());
    ASSERT_TRUE(spool->MarkPosition(Position{"a", 5000}).ok());
    ASSERT_TRUE(spool->Append(LogRecord(2), Position{"b", 7}).ok());
    ASSERT_TRUE(spool->Append(LogRecord(3), std::nullopt).ok());  // a probe
    ASSERT_TRUE(spool->MarkPosition(Position{"gone", 1}).ok());
    ASSERT_TRUE(spool->ForgetPosition("gone").ok());
  }
  auto spool = Open();
  EXPECT_EQ(spool->ResumePositions(),
            (std::map<std::string, uint64_t>{{"a", 5000}, {"b", 7}}));
}

TEST_F(SpoolTest, DeadLetterWritesJsonLineAndAcks) {
  auto spool = Open();
  AppendLines(spool.get(), 0, 2);
  auto batch = spool->NextBatch(10, 1 << 20);
  ASSERT_TRUE(spool->DeadLetter(**batch, "bad \"batch\"").ok());
  const std::string dead = fs_.Contents("spool/dead-letter.jsonl");
  EXPECT_TRUE(absl::StrContains(dead, "\"reason\":\"bad \\\"batch\\\"\""))
      << dead;
  EXPECT_TRUE(absl::StrContains(dead, "\"raw_line\":\"line 1\"")) << dead;
  EXPECT_EQ(std::count(dead.begin(), dead.end(), '\n'), 1);
  EXPECT_EQ(spool->counters().dead_letters, 1u);
  EXPECT_FALSE(spool->NextBatch(10, 1 << 20)->has_value());
}

TEST_F(SpoolTest, BatchEntryIsSyncedBeforeItIsHandedOut) {
  auto spool = Open();
  AppendLines(spool.get(), 0, 3);
  auto batch = spool->NextBatch(10, 1 << 20);
  fs_.DropUnsynced();  // power loss right after the batch was sent
  spool.reset();
  auto reopened = Open();
  auto again = reopened->NextBatch(10, 1 << 20);
  EXPECT_EQ((*again)->SerializeAsString(), (*batch)->SerializeAsString());
}

}  // namespace
}  // namespace natscope::ingest

namespace natscope::ingest {
namespace {

TEST_F(SpoolTest, RecordAfterReopeningAFullyAckedSpoolIsBatched) {
  auto spool = Open();
  AppendLines(spool.get(), 0, 1);
  auto first = spool->NextBatch(100, 1 << 20);
  ASSERT_TRUE(first.ok() && first->has_value());
  ASSERT_TRUE(spool->Ack((*first)->sequence()).ok());
  spool.reset();
  spool = Open();
  AppendLines(spool.get(), 1, 2);
  auto second = spool->NextBatch(100, 1 << 20);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_TRUE(second->has_value()) << "the new record is never sent";
  EXPECT_EQ(Lines(**second), std::vector<std::string>{"line 1"});
}

}  // namespace
}  // namespace natscope::ingest
