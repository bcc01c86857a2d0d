#include "ingest/journal/journal_follower.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ingest/journal/fake_journal.h"

namespace natscope::ingest {
namespace {

class JournalFollowerTest : public ::testing::Test {
 protected:
  JournalFollowerTest() { options_.match.unit = "connector.service"; }

  std::unique_ptr<JournalFollower> Follow(
      const std::map<std::string, uint64_t>& resume = {}) {
    return std::make_unique<JournalFollower>(
        options_,
        [this](
            const JournalMatch&) -> absl::StatusOr<std::unique_ptr<Journal>> {
          ++opens_;
          if (!open_error_.ok()) return open_error_;
          return std::make_unique<FakeJournal>(data_);
        },
        resume);
  }
  std::string Key(uint64_t n) const {
    return absl::StrCat(JournalFollower::KeyPrefix(options_.match), "i=", n);
  }
  std::vector<JournalLine> Poll(JournalFollower& follower,
                                absl::Status* status = nullptr) {
    std::vector<JournalLine> lines;
    absl::Status ignored;
    follower.Poll(1 << 20, &lines, status != nullptr ? status : &ignored);
    return lines;
  }
  void Write(int n) {
    for (int i = 0; i < n; ++i) data_->Append(absl::StrCat("entry ", i));
  }

  JournalOptions options_;
  std::shared_ptr<FakeJournalData> data_ = std::make_shared<FakeJournalData>();
  absl::Status open_error_;
  int opens_ = 0;
};

TEST_F(JournalFollowerTest, FromStartDeliversEveryEntryWithItsCursor) {
  options_.from_start = true;
  Write(3);
  auto follower = Follow();
  absl::Status status;
  std::vector<JournalLine> lines = Poll(*follower, &status);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(lines.size(), 3u);
  for (uint64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(lines[i].key, Key(i + 1));
    EXPECT_EQ(lines[i].sequence, i + 1);
    EXPECT_EQ(lines[i].text, absl::StrCat("entry ", i));
  }
  EXPECT_TRUE(Poll(*follower).empty());
  data_->Append("later");
  lines = Poll(*follower);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "later");
  EXPECT_EQ(follower->cursor(), "i=4");
}

TEST_F(JournalFollowerTest, ResumeSkipsTheEntryTheCheckpointNames) {
  Write(5);
  auto follower = Follow({{Key(2), 7}, {"1:2:3:4", 99}});
  std::vector<JournalLine> lines = Poll(*follower);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].key, Key(3));
  EXPECT_EQ(lines[0].sequence, 8u);  // Grows from the checkpoint's.
  EXPECT_EQ(lines[2].key, Key(5));
}

TEST_F(JournalFollowerTest, WithoutCheckpointStartsAtTheNewestAndSpoolsIt) {
  Write(4);
  auto follower = Follow();
  std::vector<JournalLine> lines = Poll(*follower);
  ASSERT_EQ(lines.size(), 1u);  // A position only: no text, no record.
  EXPECT_EQ(lines[0].key, Key(4));
  EXPECT_TRUE(lines[0].text.empty());
  data_->Append("new");
  lines = Poll(*follower);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "new");
}

TEST_F(JournalFollowerTest, EmptyJournalAtTheTailReadsEveryLaterEntry) {
  auto follower = Follow();
  EXPECT_TRUE(Poll(*follower).empty());
  Write(2);
  EXPECT_EQ(Poll(*follower).size(), 2u);
}

TEST_F(JournalFollowerTest, VacuumedCheckpointGoesOnAfterItAndSaysSo) {
  Write(6);
  data_->Vacuum(4);  // Entries 1-4 gone; the checkpoint named 2.
  auto follower = Follow({{Key(2), 2}});
  absl::Status status;
  std::vector<JournalLine> lines = Poll(*follower, &status);
  EXPECT_TRUE(absl::IsDataLoss(status)) << status;
  EXPECT_NE(status.message().find("rotated or vacuumed"), std::string::npos);
  EXPECT_NE(status.message().find("unit=connector.service"), std::string::npos);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].key, Key(5));  // The oldest entry left.
  Poll(*follower, &status);
  EXPECT_TRUE(status.ok());
}

TEST_F(JournalFollowerTest, VacuumedCheckpointWithNothingAfterWaitsForNew) {
  Write(3);
  data_->Vacuum(3);
  auto follower = Follow({{Key(3), 3}});
  absl::Status status;
  EXPECT_TRUE(Poll(*follower, &status).empty());
  EXPECT_TRUE(absl::IsDataLoss(status));
  data_->Append("after");
  std::vector<JournalLine> lines = Poll(*follower);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].key, Key(4));
}

TEST_F(JournalFollowerTest, UnusableCursorRereadsFromTheOldest) {
  Write(2);
  auto follower =
      Follow({{JournalFollower::KeyPrefix(options_.match) + "garbage", 1}});
  absl::Status status;
  EXPECT_EQ(Poll(*follower, &status).size(), 2u);
  EXPECT_TRUE(absl::IsDataLoss(status));
}

TEST_F(JournalFollowerTest, NewestCheckpointWinsAndTheOthersAreStale) {
  Write(5);
  JournalOptions other = options_;
  other.match.unit = "other.service";
  const std::string other_key = JournalFollower::KeyPrefix(other.match) + "i=1";
  auto follower = Follow({{Key(2), 2}, {Key(3), 3}, {other_key, 9}});
  std::vector<JournalLine> lines = Poll(*follower);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].key, Key(4));
  EXPECT_EQ(follower->TakeStale(), std::vector<std::string>{Key(2)});
  follower->Spooled(lines[0].key);
  follower->Spooled(lines[1].key);
  EXPECT_EQ(follower->TakeStale(), (std::vector<std::string>{Key(3), Key(4)}));
  EXPECT_TRUE(follower->TakeStale().empty());
}

TEST_F(JournalFollowerTest, TemplateUnitsKeepTheirOwnCheckpoints) {
  options_.match.unit = "getty@tty1.service";
  Write(3);
  auto follower = Follow({{Key(1), 1}});
  EXPECT_EQ(Poll(*follower).size(), 2u);
}

TEST_F(JournalFollowerTest, LongMessagesAreCutAndCounted) {
  options_.from_start = true;
  options_.max_line_bytes = 8;
  data_->Append(std::string(100, 'x'));
  data_->Append("short");
  auto follower = Follow();
  std::vector<JournalLine> lines = Poll(*follower);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, std::string(8, 'x'));
  EXPECT_TRUE(lines[0].truncated);
  EXPECT_FALSE(lines[1].truncated);
  EXPECT_EQ(follower->truncated_lines(), 1u);
}

TEST_F(JournalFollowerTest, PollsAreBoundedInEntriesAndBytes) {
  options_.from_start = true;
  options_.max_entries = 2;
  Write(5);
  auto follower = Follow();
  EXPECT_EQ(Poll(*follower).size(), 2u);
  EXPECT_EQ(Poll(*follower).size(), 2u);
  EXPECT_EQ(Poll(*follower).size(), 1u);

  options_.max_entries = 1000;
  data_ = std::make_shared<FakeJournalData>();
  for (int i = 0; i < 10; ++i) data_->Append(std::string(1000, 'y'));
  follower = Follow();
  std::vector<JournalLine> lines;
  absl::Status status;
  follower->Poll(2500, &lines, &status);
  EXPECT_EQ(lines.size(), 3u);
}

TEST_F(JournalFollowerTest, EntryWithoutMessageIsAPositionOnly) {
  options_.from_start = true;
  data_->Append(std::nullopt);
  auto follower = Follow();
  std::vector<JournalLine> lines = Poll(*follower);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].text.empty());
  EXPECT_EQ(lines[0].key, Key(1));
}

TEST_F(JournalFollowerTest, OpenFailureIsReportedAndRetried) {
  options_.from_start = true;
  open_error_ = absl::NotFoundError("no such directory");
  auto follower = Follow();
  absl::Status status;
  EXPECT_TRUE(Poll(*follower, &status).empty());
  EXPECT_TRUE(absl::IsNotFound(status));
  EXPECT_NE(status.message().find("unit=connector.service"), std::string::npos);
  open_error_ = absl::OkStatus();
  Write(1);
  EXPECT_EQ(Poll(*follower, &status).size(), 1u);
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(opens_, 2);
}

TEST_F(JournalFollowerTest, ReadErrorIsReportedAndReadingGoesOn) {
  options_.from_start = true;
  Write(2);
  auto follower = Follow();
  data_->fail_next = true;
  absl::Status status;
  EXPECT_TRUE(Poll(*follower, &status).empty());
  EXPECT_TRUE(absl::IsInternal(status));
  EXPECT_EQ(Poll(*follower, &status).size(), 2u);
  EXPECT_TRUE(status.ok());
}

TEST_F(JournalFollowerTest, ReadErrorWhileResumingRetriesWithoutRepeats) {
  Write(3);
  auto follower = Follow({{Key(1), 1}});
  data_->fail_next = true;
  absl::Status status;
  EXPECT_TRUE(Poll(*follower, &status).empty());
  EXPECT_TRUE(absl::IsInternal(status)) << status;
  std::vector<JournalLine> lines = Poll(*follower, &status);
  EXPECT_TRUE(status.ok()) << status;
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].key, Key(2));
  EXPECT_EQ(opens_, 2);
}

}  // namespace
}  // namespace natscope::ingest
