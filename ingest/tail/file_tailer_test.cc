#include "ingest/tail/file_tailer.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

void Append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::app) << text;
}

std::vector<std::string> PollTexts(FileTailer& tailer) {
  std::vector<Line> lines;
  EXPECT_TRUE(tailer.Poll(1 << 20, &lines).ok());
  std::vector<std::string> out;
  for (const Line& l : lines) out.push_back(l.text);
  return out;
}

TEST(FileTailerTest, ReadsGrowthAndWaitsForNewline) {
  const std::string path = TempPath("grow.log");
  std::remove(path.c_str());
  Append(path, "a\nb");
  FileTailer tailer(path, true, 1024);
  EXPECT_EQ(PollTexts(tailer), std::vector<std::string>{"a"});
  Append(path, "\nc\n");
  EXPECT_EQ(PollTexts(tailer), (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(PollTexts(tailer).empty());
}

TEST(FileTailerTest, FollowsRenameRotationAfterDrainingTheOldFile) {
  const std::string path = TempPath("rot.log");
  std::remove(path.c_str());
  Append(path, "1\n");
  FileTailer tailer(path, true, 1024);
  EXPECT_EQ(PollTexts(tailer), std::vector<std::string>{"1"});
  Append(path, "2\n");
  std::rename(path.c_str(), (path + ".1").c_str());
  Append(path, "3\n");
  EXPECT_EQ(PollTexts(tailer), std::vector<std::string>{"2"});
  EXPECT_EQ(PollTexts(tailer), std::vector<std::string>{});
  EXPECT_EQ(PollTexts(tailer), std::vector<std::string>{"3"});
}

TEST(FileTailerTest, RestartsAfterCopyTruncate) {
  const std::string path = TempPath("trunc.log");
  std::remove(path.c_str());
  Append(path, "old line one\nold line two\n");
  FileTailer tailer(path, true, 1024);
  EXPECT_EQ(PollTexts(tailer).size(), 2u);
  std::ofstream(path, std::ios::trunc) << "new\n";
  EXPECT_EQ(PollTexts(tailer), std::vector<std::string>{"new"});
}

TEST(FileTailerTest, MissingFileIsNotFoundUntilItAppears) {
  const std::string path = TempPath("later.log");
  std::remove(path.c_str());
  FileTailer tailer(path, true, 1024);
  std::vector<Line> lines;
  EXPECT_TRUE(absl::IsNotFound(tailer.Poll(1024, &lines)));
  Append(path, "here\n");
  EXPECT_EQ(PollTexts(tailer), std::vector<std::string>{"here"});
}

}  // namespace
}  // namespace natscope::ingest
