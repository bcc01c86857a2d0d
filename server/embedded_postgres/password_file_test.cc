#include "server/embedded_postgres/password_file.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "server/embedded_postgres/test_scratch_dir.h"

namespace natscope::server {
namespace {

class PasswordFileTest : public ::testing::Test {
 protected:
  TestScratchDir scratch_;
  std::string path_ = scratch_.path() + "/postgres.password";
};

void ExpectRefusal(const absl::StatusOr<std::string>& read,
                   absl::string_view advice) {
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(read.status().message(), advice))
      << read.status();
  EXPECT_EQ(read.status().message().find('\n'), absl::string_view::npos);
}

TEST(PasswordFilePathTest, LivesBesideTheDataDirectory) {
  EXPECT_EQ(PasswordFilePath("/var/lib/natscope/postgres"),
            "/var/lib/natscope/postgres.password");
  EXPECT_EQ(PasswordFilePath("/var/lib/natscope/postgres//"),
            "/var/lib/natscope/postgres.password");
}

TEST(GeneratePasswordTest, SixtyFourHexDigitsEachTimeDifferent) {
  absl::StatusOr<std::string> a = GeneratePassword();
  absl::StatusOr<std::string> b = GeneratePassword();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_EQ(a->find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(*a, *b);
}

TEST_F(PasswordFileTest, WrittenFileIsPrivateAndReadsBack) {
  umask(0);  // The file's mode must not depend on the umask.
  const absl::Status written = WritePasswordFile(path_, "natscope", "s3cret");
  umask(022);
  ASSERT_TRUE(written.ok()) << written;
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, geteuid());
  absl::StatusOr<std::string> read = ReadPasswordFile(path_, "natscope");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "s3cret");
}

TEST_F(PasswordFileTest, WritingAgainReplacesThePassword) {
  ASSERT_TRUE(WritePasswordFile(path_, "natscope", "first").ok());
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  ASSERT_TRUE(WritePasswordFile(path_, "natscope", "second").ok());
  EXPECT_EQ(*ReadPasswordFile(path_, "natscope"), "second");
}

TEST_F(PasswordFileTest, FieldsAreEscapedAsLibpqWantsThem) {
  ASSERT_TRUE(WritePasswordFile(path_, "a:b\\c", "p:w\\d").ok());
  std::ifstream in(path_);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_TRUE(absl::StrContains(text, "\n*:*:*:a\\:b\\\\c:p\\:w\\\\d\n"))
      << text;
  EXPECT_EQ(*ReadPasswordFile(path_, "a:b\\c"), "p:w\\d");
}

TEST_F(PasswordFileTest, MissingFileIsNotFound) {
  EXPECT_TRUE(absl::IsNotFound(ReadPasswordFile(path_, "natscope").status()));
}

TEST_F(PasswordFileTest, FileOpenToGroupOrOthersIsRefusedWithTheChmodToRun) {
  ASSERT_TRUE(WritePasswordFile(path_, "natscope", "pw").ok());
  for (mode_t mode : {0640, 0604, 0602, 0610}) {
    ASSERT_EQ(chmod(path_.c_str(), mode), 0);
    ExpectRefusal(ReadPasswordFile(path_, "natscope"), "chmod 600 " + path_);
  }
}

TEST_F(PasswordFileTest, FileOfAnotherUserIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "only root can give a file away";
  ASSERT_TRUE(WritePasswordFile(path_, "natscope", "pw").ok());
  ASSERT_EQ(chown(path_.c_str(), 65534, 65534), 0);
  ExpectRefusal(ReadPasswordFile(path_, "natscope"), "run chown 0 " + path_);
}

TEST_F(PasswordFileTest, SymbolicLinkIsRefused) {
  const std::string target = scratch_.path() + "/elsewhere";
  ASSERT_TRUE(WritePasswordFile(target, "natscope", "pw").ok());
  ASSERT_EQ(symlink(target.c_str(), path_.c_str()), 0);
  ExpectRefusal(ReadPasswordFile(path_, "natscope"), "remove it");
}

TEST_F(PasswordFileTest, FileWithoutTheUsersLineIsRefused) {
  ASSERT_TRUE(WritePasswordFile(path_, "someone", "pw").ok());
  ExpectRefusal(ReadPasswordFile(path_, "natscope"),
                "holds no password for user natscope");
}

}  // namespace
}  // namespace natscope::server
