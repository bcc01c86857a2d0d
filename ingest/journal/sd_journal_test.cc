// OpenSystemJournal against real journal files, written by
// systemd-journal-remote from the export format (journald need not run).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ingest/journal/journal.h"

namespace natscope::ingest {
namespace {

constexpr char kRemote[] = "/lib/systemd/systemd-journal-remote";

class SdJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(
        getenv("TEST_TMPDIR"), "/",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_EQ(std::system(
                  absl::StrCat("rm -rf ", dir_, " && mkdir -p ", dir_).c_str()),
              0);
  }
  // Appends an entry of `unit` to the test's journal file.
  void Write(const std::string& unit, const std::string& message) {
    const std::string command = absl::StrCat(
        kRemote, " --output=", dir_, "/remote.journal - >/dev/null 2>&1");
    FILE* pipe = popen(command.c_str(), "w");
    ASSERT_NE(pipe, nullptr);
    ++time_;
    fprintf(pipe,
            "__REALTIME_TIMESTAMP=%llu\n__MONOTONIC_TIMESTAMP=%llu\n"
            "_BOOT_ID=0123456789abcdef0123456789abcdef\n"
            "_SYSTEMD_UNIT=%s\nMESSAGE=%s\n\n",
            time_, time_, unit.c_str(), message.c_str());
    ASSERT_EQ(pclose(pipe), 0) << "is systemd-journal-remote installed?";
  }
  std::unique_ptr<Journal> Open(const std::string& unit) {
    auto journal = OpenSystemJournal({unit, "", dir_});
    EXPECT_TRUE(journal.ok()) << journal.status();
    return journal.ok() ? std::move(journal).value() : nullptr;
  }

  std::string dir_;
  unsigned long long time_ = 1764000000000000ULL;
};

TEST_F(SdJournalTest, ReadsOnlyTheUnitAndResumesAfterACursor) {
  Write("connector.service", "one");
  Write("other.service", "noise");
  Write("connector.service", "two");
  auto journal = Open("connector.service");
  ASSERT_NE(journal, nullptr);
  ASSERT_TRUE(journal->SeekHead().ok());
  ASSERT_TRUE(*journal->Next());
  EXPECT_EQ(*journal->Message(100), "one");
  const std::string cursor = *journal->Cursor();
  ASSERT_TRUE(*journal->Next());
  EXPECT_EQ(*journal->Message(100), "two");
  EXPECT_FALSE(*journal->Next());

  auto again = Open("connector.service");
  ASSERT_TRUE(again->SeekCursor(cursor).ok());
  ASSERT_TRUE(*again->Next());
  EXPECT_TRUE(again->IsAt(cursor));
  ASSERT_TRUE(*again->Next());
  EXPECT_EQ(*again->Message(100), "two");
  EXPECT_FALSE(again->IsAt(cursor));
}

TEST_F(SdJournalTest, SeesEntriesAppendedWhileOpen) {
  Write("connector.service", "first");
  auto journal = Open("connector.service");
  ASSERT_TRUE(journal->SeekTail().ok());
  ASSERT_TRUE(*journal->Previous());
  EXPECT_EQ(*journal->Message(100), "first");
  EXPECT_FALSE(*journal->Next());
  Write("connector.service", "second");
  journal->Refresh();
  ASSERT_TRUE(*journal->Next());
  EXPECT_EQ(*journal->Message(100), "second");
}

TEST_F(SdJournalTest, VacuumedCursorSeeksToTheNextEntry) {
  Write("connector.service", "old");
  auto journal = Open("connector.service");
  ASSERT_TRUE(journal->SeekHead().ok());
  ASSERT_TRUE(*journal->Next());
  const std::string cursor = *journal->Cursor();
  journal.reset();
  ASSERT_EQ(std::system(absl::StrCat("rm ", dir_, "/*.journal").c_str()), 0);
  Write("connector.service", "new");
  journal = Open("connector.service");
  ASSERT_TRUE(journal->SeekCursor(cursor).ok());
  ASSERT_TRUE(*journal->Next());
  EXPECT_FALSE(journal->IsAt(cursor));
  EXPECT_EQ(*journal->Message(100), "new");
}

TEST_F(SdJournalTest, LongMessageComesBackAtLeastAsLongAsAsked) {
  Write("connector.service", std::string(5000, 'x'));
  auto journal = Open("connector.service");
  ASSERT_TRUE(journal->SeekHead().ok());
  ASSERT_TRUE(*journal->Next());
  EXPECT_GT(journal->Message(100)->size(), 100u);
}

TEST_F(SdJournalTest, MissingDirectoryNamesIt) {
  auto journal = OpenSystemJournal({"a.service", "", dir_ + "/missing"});
  ASSERT_FALSE(journal.ok());
  EXPECT_NE(journal.status().message().find(dir_ + "/missing"),
            std::string::npos)
      << journal.status();
}

}  // namespace
}  // namespace natscope::ingest
