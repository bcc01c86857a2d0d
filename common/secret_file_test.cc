#include "common/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace natscope {
namespace {

class SecretFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/secret_file_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::system(("rm -rf " + dir_).c_str());
  }
  std::string Write(const std::string& name, const std::string& text,
                    mode_t mode) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    chmod(path.c_str(), mode);
    return path;
  }
  std::string dir_;
};

TEST_F(SecretFileTest, PrivateFileIsReadAndItsFirstLineTrimmed) {
  auto line = ReadSecretLine(Write("t", "  abc123 \nrest\n", 0600), "token");
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(*line, "abc123");
}

TEST_F(SecretFileTest, GroupOrWorldReadableIsRefusedWithTheChmod) {
  const std::string path = Write("t", "abc\n", 0640);
  auto refused = ReadSecretLine(path, "the enrollment token");
  EXPECT_TRUE(absl::IsPermissionDenied(refused.status()));
  EXPECT_NE(refused.status().message().find("chmod 600 " + path),
            std::string::npos)
      << refused.status();
}

TEST_F(SecretFileTest, SymlinkIsRefused) {
  const std::string target = Write("t", "abc\n", 0600);
  const std::string link = dir_ + "/link";
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  EXPECT_TRUE(absl::IsPermissionDenied(ReadSecretLine(link, "x").status()));
}

TEST_F(SecretFileTest, AnotherOwnersFileIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  const std::string path = Write("t", "abc\n", 0600);
  ASSERT_EQ(chown(path.c_str(), 65534, 65534), 0);
  auto refused = ReadSecretLine(path, "x");
  EXPECT_TRUE(absl::IsPermissionDenied(refused.status()));
  EXPECT_NE(refused.status().message().find("belongs to uid 65534"),
            std::string::npos);
}

TEST_F(SecretFileTest, MissingEmptyAndHugeFiles) {
  EXPECT_TRUE(absl::IsNotFound(ReadSecretLine(dir_ + "/none", "x").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      ReadSecretLine(Write("e", "\n", 0600), "x").status()));
  EXPECT_TRUE(absl::IsResourceExhausted(
      ReadSecretLine(Write("h", std::string(70000, 'a'), 0600), "x").status()));
}

}  // namespace
}  // namespace natscope
