#include "ingest/state/atomic_file.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = std::string(tmp ? tmp : "/tmp") + "/atomic_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ASSERT_TRUE(MakeDirectories(dir_, 0700).ok());
  }

  mode_t ModeOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }

  int EntriesIn(const std::string& dir) {
    int n = 0;
    DIR* d = opendir(dir.c_str());
    while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
    return n;
  }

  std::string dir_;
};

TEST_F(AtomicFileTest, WritesContentsWithExactModeDespiteUmask) {
  const mode_t old = umask(0);  // a permissive umask must not widen 0600
  const std::string path = dir_ + "/secret";
  ASSERT_TRUE(WriteFileAtomically(path, "s3cret\n", 0600).ok());
  umask(0077);  // a strict one must not narrow 0644
  ASSERT_TRUE(WriteFileAtomically(dir_ + "/public", "{}", 0644).ok());
  umask(old);
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ModeOf(dir_ + "/public"), 0644u);
  EXPECT_EQ(*ReadWholeFile(path), "s3cret\n");
}

TEST_F(AtomicFileTest, ReplacesAndLeavesNoTemporaryFile) {
  const std::string path = dir_ + "/state";
  ASSERT_TRUE(WriteFileAtomically(path, "one", 0600).ok());
  ASSERT_TRUE(WriteFileAtomically(path, "two", 0600).ok());
  EXPECT_EQ(*ReadWholeFile(path), "two");
  EXPECT_EQ(EntriesIn(dir_), 1);
}

TEST_F(AtomicFileTest, MissingDirectoryIsNotFoundNamingThePath) {
  absl::Status status = WriteFileAtomically(dir_ + "/absent/file", "x", 0600);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(status.message().find(dir_ + "/absent/file"), std::string::npos);
}

TEST_F(AtomicFileTest, ReadingAMissingFileIsNotFound) {
  EXPECT_EQ(ReadWholeFile(dir_ + "/nothing").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(AtomicFileTest, MakeDirectoriesCreatesParentsWithMode) {
  const std::string deep = dir_ + "/a/b/c";
  ASSERT_TRUE(MakeDirectories(deep, 0700).ok());
  EXPECT_EQ(ModeOf(deep), 0700u);
  EXPECT_TRUE(MakeDirectories(deep, 0700).ok());  // already there
}

TEST_F(AtomicFileTest, MakeDirectoriesRefusesAFileInTheWay) {
  ASSERT_TRUE(WriteFileAtomically(dir_ + "/file", "x", 0600).ok());
  EXPECT_EQ(MakeDirectories(dir_ + "/file", 0700).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace natscope::ingest
