#include "ingest/state/state_dir.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

std::string TempDir() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/state_dir_" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST(StateDirTest, CreatesParentsAndAPrivateLastComponent) {
  const std::string base = TempDir();
  const std::string dir = base + "/var/lib/natscope-agent";
  ASSERT_TRUE(MakeStateDir(dir).ok());
  EXPECT_EQ(ModeOf(dir), 0700u);
  EXPECT_EQ(ModeOf(base + "/var/lib") & 0700, 0700u);
  // Again: nothing to do.
  EXPECT_TRUE(MakeStateDir(dir).ok());
}

TEST(StateDirTest, FileInTheWayIsExplained) {
  const std::string base = TempDir();
  ASSERT_TRUE(MakeStateDir(base).ok());
  std::ofstream(base + "/file") << "x";
  const absl::Status status = MakeStateDir(base + "/file/state");
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_TRUE(absl::StrContains(status.message(),
                                "cannot create state directory " + base))
      << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "state_dir")) << status;
}

}  // namespace
}  // namespace natscope::ingest
