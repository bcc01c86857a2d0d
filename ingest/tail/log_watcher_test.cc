#include "ingest/tail/log_watcher.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

std::string TempDir(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir ? dir : "/tmp") + "/" + name;
  mkdir(path.c_str(), 0755);
  return path;
}

void Append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::app | std::ios::binary) << text;
}

// Polls with the clock far enough ahead that every poll rescans.
class Harness {
 public:
  explicit Harness(WatchOptions options,
                   std::vector<std::pair<FileKey, uint64_t>> resume = {})
      : watcher_(Rescanning(std::move(options)), std::move(resume)) {}

  std::vector<std::string> Texts() {
    std::vector<std::string> out;
    for (const TailedLine& l : Poll()) out.push_back(l.line.text);
    return out;
  }
  std::vector<TailedLine> Poll() {
    std::vector<TailedLine> lines;
    now_ += absl::Seconds(1);
    watcher_.Poll(now_, 1 << 20, &lines, &changes_);
    return lines;
  }
  std::vector<PathStatus> TakeChanges() { return std::exchange(changes_, {}); }
  LogWatcher& watcher() { return watcher_; }

 private:
  static WatchOptions Rescanning(WatchOptions options) {
    options.rescan_interval = absl::ZeroDuration();
    return options;
  }
  LogWatcher watcher_;
  absl::Time now_ = absl::UnixEpoch();
  std::vector<PathStatus> changes_;
};

using Texts = std::vector<std::string>;

TEST(LogWatcherTest, RenameRotationDrainsTheOldFileThenReadsTheNew) {
  const std::string dir = TempDir("rename");
  const std::string path = dir + "/app.log";
  Append(path, "1\n");
  Harness h({{path}});
  EXPECT_EQ(h.Texts(), Texts{"1"});
  Append(path, "2\n");
  std::rename(path.c_str(), (path + ".1").c_str());
  Append(path, "3\n");
  EXPECT_EQ(h.Texts(), (Texts{"2", "3"}));
  // Written by a writer that has not reopened yet: still drained.
  Append(path + ".1", "late\n");
  EXPECT_EQ(h.Texts(), Texts{"late"});
  EXPECT_EQ(h.Texts(), Texts{});  // Quiet now: the old file is let go.
  EXPECT_EQ(h.watcher().open_files(), 1u);
  Append(path + ".1", "lost\n");
  EXPECT_EQ(h.Texts(), Texts{});
}

TEST(LogWatcherTest, RotatedFileStillMatchingTheGlobIsNotReadTwice) {
  const std::string dir = TempDir("globrot");
  Append(dir + "/app.log", "a\n");
  Harness h({{dir + "/app.log*"}});
  EXPECT_EQ(h.Texts(), Texts{"a"});
  std::rename((dir + "/app.log").c_str(), (dir + "/app.log.1").c_str());
  Append(dir + "/app.log.1", "b\n");
  Append(dir + "/app.log", "c\n");
  std::vector<TailedLine> lines = h.Poll();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].line.text == "b" ? lines[1].line.text : lines[0].line.text,
            "c");
  EXPECT_EQ(h.Texts(), Texts{});
}

TEST(LogWatcherTest, CopyTruncateRestartsAtZero) {
  const std::string dir = TempDir("copytrunc");
  const std::string path = dir + "/app.log";
  Append(path, "old line one\nold line two\n");
  Harness h({{path}});
  EXPECT_EQ(h.Texts().size(), 2u);
  std::ofstream(path, std::ios::trunc) << "new\n";
  EXPECT_EQ(h.Texts(), Texts{"new"});
}

TEST(LogWatcherTest,
     TruncatedAndRewrittenPastTheOffsetIsCaughtByTheFingerprint) {
  const std::string dir = TempDir("rewrite");
  const std::string path = dir + "/app.log";
  Append(path, "first\n");
  Harness h({{path}});
  EXPECT_EQ(h.Texts(), Texts{"first"});
  std::ofstream(path, std::ios::trunc) << "other content, longer\n";
  EXPECT_EQ(h.Texts(), Texts{"other content, longer"});
}

TEST(LogWatcherTest, ReusedInodeWithOtherContentIsANewFile) {
  // The spool remembers this inode at offset 6, but with other first
  // bytes: as after delete + create reusing the inode while the agent was
  // down. The file is read from 0.
  const std::string dir = TempDir("reuse");
  const std::string path = dir + "/app.log";
  Append(path, "brand new file\n");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  const FileKey old{static_cast<uint64_t>(st.st_dev),
                    static_cast<uint64_t>(st.st_ino), 6,
                    Fingerprint("gone!\n")};
  Harness h({{path}}, {{old, 6}});
  EXPECT_EQ(h.Texts(), Texts{"brand new file"});
}

TEST(LogWatcherTest, ResumesEachFileAtItsCheckpoint) {
  const std::string dir = TempDir("resume");
  const std::string path = dir + "/app.log";
  Append(path, "one\ntwo\n");
  FileKey key;
  uint64_t offset = 0;
  {
    Harness h({{path}});
    std::vector<TailedLine> lines = h.Poll();
    ASSERT_EQ(lines.size(), 2u);
    key = lines[0].key;  // Acknowledged: "one" only.
    offset = lines[0].line.end_offset;
    EXPECT_EQ(offset, 4u);
    EXPECT_EQ(key.fingerprint_bytes, 8u);  // Short file: all of it.
  }
  Append(path, "three\n");
  Harness h({{path}}, {{key, offset}});
  std::vector<TailedLine> lines = h.Poll();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].line.text, "two");
  EXPECT_EQ(lines[1].line.text, "three");
  EXPECT_EQ(lines[1].line.end_offset, 14u);
}

TEST(LogWatcherTest, KeyIsFixedOnceTheFileHasItsFingerprintBytes) {
  const std::string dir = TempDir("growth");
  const std::string path = dir + "/app.log";
  WatchOptions options{{path}};
  options.fingerprint_bytes = 8;
  Harness h(options);
  Append(path, "abc\n");
  std::vector<TailedLine> a = h.Poll();
  Append(path, "defgh\nij\n");
  std::vector<TailedLine> b = h.Poll();
  Append(path, "k\n");
  std::vector<TailedLine> c = h.Poll();
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 2u);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(a[0].key.fingerprint_bytes, 4u);
  EXPECT_EQ(b[0].key.fingerprint_bytes, 8u);
  EXPECT_EQ(b[0].key.fingerprint, Fingerprint("abc\ndefg"));
  EXPECT_EQ(c[0].key, b[0].key);
}

TEST(LogWatcherTest, GlobPicksUpNewFiles) {
  const std::string dir = TempDir("glob");
  Harness h({{dir + "/*.log"}});
  EXPECT_EQ(h.Texts(), Texts{});
  std::vector<PathStatus> changes = h.TakeChanges();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(absl::IsNotFound(changes[0].status));
  EXPECT_NE(changes[0].status.message().find(dir + "/*.log"),
            std::string::npos);
  Append(dir + "/a.log", "from a\n");
  Append(dir + "/b.txt", "ignored\n");
  EXPECT_EQ(h.Texts(), Texts{"from a"});
  changes = h.TakeChanges();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].status.ok());  // Recovered.
  Append(dir + "/c.log", "from c\n");
  EXPECT_EQ(h.Texts(), Texts{"from c"});
}

TEST(LogWatcherTest, StartAtEndSkipsOnlyWhatExistedAtTheFirstScan) {
  const std::string dir = TempDir("atend");
  Append(dir + "/old.log", "history\n");
  WatchOptions options{{dir + "/*.log"}};
  options.start_at_end = true;
  Harness h(options);
  EXPECT_EQ(h.Texts(), Texts{});
  Append(dir + "/old.log", "fresh\n");
  Append(dir + "/new.log", "whole\n");
  std::vector<std::string> texts = h.Texts();
  std::sort(texts.begin(), texts.end());
  EXPECT_EQ(texts, (Texts{"fresh", "whole"}));
}

TEST(LogWatcherTest, UnreadablePathIsReportedOnceWhileOthersFlow) {
  const std::string dir = TempDir("unreadable");
  const std::string good = dir + "/good.log";
  const std::string bad = dir + "/bad.log";
  mkdir(bad.c_str(), 0755);  // A directory where a log file should be.
  Append(good, "g1\n");
  Harness h({{bad, good, dir + "/missing.log"}});
  EXPECT_EQ(h.Texts(), Texts{"g1"});
  std::vector<PathStatus> changes = h.TakeChanges();
  ASSERT_EQ(changes.size(), 2u);
  for (const PathStatus& c : changes) {
    if (c.path == bad) {
      EXPECT_TRUE(absl::IsFailedPrecondition(c.status)) << c.status;
      EXPECT_NE(c.status.message().find("not a regular file"),
                std::string::npos);
    } else {
      EXPECT_EQ(c.path, dir + "/missing.log");
      EXPECT_TRUE(absl::IsNotFound(c.status)) << c.status;
      EXPECT_NE(c.status.message().find("check the path"), std::string::npos);
    }
  }
  Append(good, "g2\n");
  EXPECT_EQ(h.Texts(), Texts{"g2"});
  EXPECT_TRUE(h.TakeChanges().empty());  // Same state: not reported again.
}

TEST(LogWatcherTest, PermissionDeniedNamesTheFix) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads everything";
  const std::string dir = TempDir("perm");
  const std::string path = dir + "/secret.log";
  Append(path, "x\n");
  chmod(path.c_str(), 0);
  Harness h({{path}});
  EXPECT_EQ(h.Texts(), Texts{});
  std::vector<PathStatus> changes = h.TakeChanges();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(absl::IsPermissionDenied(changes[0].status));
  EXPECT_NE(changes[0].status.message().find("read access"), std::string::npos);
}

TEST(LogWatcherTest, PartialLinesWaitAndLongLinesAreCutAndCounted) {
  const std::string dir = TempDir("lines");
  const std::string path = dir + "/app.log";
  WatchOptions options{{path}};
  options.max_line_bytes = 12;
  Harness h(options);
  Append(path, std::string("0123456789abcdef\nbin \xff\x01") + '\0' + "ta");
  std::vector<TailedLine> lines = h.Poll();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].line.text, "0123456789ab");
  EXPECT_TRUE(lines[0].line.truncated);
  EXPECT_EQ(h.watcher().truncated_lines(), 1u);
  Append(path, "\n");
  lines = h.Poll();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].line.text, std::string("bin \xff\x01") + '\0' + "ta");
  EXPECT_FALSE(lines[0].line.truncated);
  EXPECT_EQ(lines[0].line.end_offset, 27u);  // 17 + 9 + "\n"
}

}  // namespace
}  // namespace natscope::ingest
