#include "server/reports/report_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

// A fresh directory path (not created) under the test's scratch space.
std::string FreshPath(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path =
      absl::StrCat(tmp ? tmp : "/tmp", "/report_file_", name);
  std::system(absl::StrCat("rm -rf '", path, "'").c_str());
  return path;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(ReportFileTest, MissingDirectoryIsCreated0750AndFileIs0640) {
  const std::string dir = FreshPath("new") + "/nested/reports";
  auto path = WriteReportFile(dir, "r-1.md", "# report\n");
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, dir + "/r-1.md");
  EXPECT_EQ(Slurp(*path), "# report\n");
  EXPECT_EQ(ModeOf(dir), 0750u);
  EXPECT_EQ(ModeOf(*path) & ~0640u, 0u);  // 0640 less the umask.
  // No temporary file is left behind.
  EXPECT_EQ(
      std::system(
          absl::StrCat("test $(ls -A '", dir, "' | wc -l) -eq 1").c_str()),
      0);
}

TEST(ReportFileTest, WorldWritableDirectoryIsRefusedWithWhatToDo) {
  const std::string dir = FreshPath("open");
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  for (mode_t mode : {0777, 01777, 0757}) {
    ASSERT_EQ(chmod(dir.c_str(), mode), 0);
    auto path = WriteReportFile(dir, "r-1.md", "x");
    EXPECT_EQ(path.status().code(), absl::StatusCode::kFailedPrecondition)
        << mode;
    EXPECT_TRUE(
        absl::StrContains(path.status().message(), "writable by every user"))
        << path.status();
    EXPECT_TRUE(absl::StrContains(path.status().message(), "chmod o-w " + dir))
        << path.status();
  }
  EXPECT_EQ(
      std::system(absl::StrCat("test -z \"$(ls -A '", dir, "')\"").c_str()), 0)
      << "something was written into the refused directory";
}

TEST(ReportFileTest, SymlinkedDirectoryIsRefusedNotFollowed) {
  const std::string real = FreshPath("real");
  const std::string link = FreshPath("link");
  ASSERT_EQ(mkdir(real.c_str(), 0750), 0);
  ASSERT_EQ(symlink(real.c_str(), link.c_str()), 0);
  auto path = WriteReportFile(link, "r-1.md", "x");
  EXPECT_EQ(path.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(path.status().message(), "symbolic link"))
      << path.status();
}

TEST(ReportFileTest, DirectoryOfAnotherUserIsRefused) {
  const std::string dir = FreshPath("theirs");
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  if (chown(dir.c_str(), 65534, 65534) != 0) {
    GTEST_SKIP() << "chown needs root outside a user namespace";
  }
  auto path = WriteReportFile(dir, "r-1.md", "x");
  EXPECT_EQ(path.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(path.status().message(), "uid 65534"))
      << path.status();
  EXPECT_TRUE(absl::StrContains(path.status().message(), "chown"))
      << path.status();
}

TEST(ReportFileTest, ExistingFileIsKeptAndTheReportTakesTheNextName) {
  const std::string dir = FreshPath("clash");
  ASSERT_EQ(mkdir(dir.c_str(), 0750), 0);
  std::ofstream(dir + "/r-1.md") << "the operator's\n";
  std::ofstream(dir + "/r-1-2.md") << "also the operator's\n";
  auto path = WriteReportFile(dir, "r-1.md", "new\n");
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, dir + "/r-1-3.md");
  EXPECT_EQ(Slurp(*path), "new\n");
  EXPECT_EQ(Slurp(dir + "/r-1.md"), "the operator's\n");
  EXPECT_EQ(Slurp(dir + "/r-1-2.md"), "also the operator's\n");
}

TEST(ReportFileTest, PlantedSymlinkIsNeitherFollowedNorReplaced) {
  const std::string dir = FreshPath("planted");
  const std::string target = FreshPath("target");
  ASSERT_EQ(mkdir(dir.c_str(), 0750), 0);
  std::ofstream(target) << "precious\n";
  ASSERT_EQ(symlink(target.c_str(), (dir + "/r-1.md").c_str()), 0);
  auto path = WriteReportFile(dir, "r-1.md", "report\n");
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, dir + "/r-1-2.md");
  EXPECT_EQ(Slurp(target), "precious\n");
  struct stat st {};
  ASSERT_EQ(lstat((dir + "/r-1.md").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode)) << "the planted link was replaced";
}

TEST(ReportFileTest, NameWithASlashIsRefused) {
  const std::string dir = FreshPath("slash");
  EXPECT_EQ(WriteReportFile(dir, "../r.md", "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteReportFile(dir, "", "x").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace natscope::server
