#include "ingest/enroll/credential.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

class CredentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = std::string(tmp ? tmp : "/tmp") + "/cred_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() +
           "/state";
  }

  static v1::AgentCredential Sample() {
    v1::AgentCredential credential;
    credential.set_agent_id("host-1");
    credential.set_site("paris-office");
    credential.set_server("natscope.example.com:7700");
    credential.set_secret("0123abcd");
    credential.mutable_enrolled_at()->set_seconds(1'800'000'000);
    return credential;
  }

  mode_t ModeOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  std::string dir_;
};

TEST_F(CredentialTest, SavedCredentialIsPrivateAndLoadsBack) {
  ASSERT_TRUE(SaveCredential(dir_, Sample()).ok());
  EXPECT_EQ(ModeOf(dir_), 0700u);
  EXPECT_EQ(ModeOf(dir_ + "/credential"), 0600u);
  auto loaded = LoadCredentialFile(dir_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->SerializeAsString(), Sample().SerializeAsString());
  EXPECT_EQ(*LoadCredential(dir_), "0123abcd");
}

TEST_F(CredentialTest, SavingAgainReplacesTheSecret) {
  ASSERT_TRUE(SaveCredential(dir_, Sample()).ok());
  v1::AgentCredential next = Sample();
  next.set_secret("fresh");
  ASSERT_TRUE(SaveCredential(dir_, next).ok());
  EXPECT_EQ(*LoadCredential(dir_), "fresh");
}

TEST_F(CredentialTest, GroupReadableFileIsRefusedWithTheFix) {
  ASSERT_TRUE(SaveCredential(dir_, Sample()).ok());
  const std::string path = dir_ + "/credential";
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  auto loaded = LoadCredential(dir_);
  ASSERT_EQ(loaded.status().code(), absl::StatusCode::kPermissionDenied);
  const std::string message(loaded.status().message());
  EXPECT_NE(message.find("open to group or others (mode 0640)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("chmod 600 " + path), std::string::npos);
}

TEST_F(CredentialTest, OtherReadableFileIsRefused) {
  ASSERT_TRUE(SaveCredential(dir_, Sample()).ok());
  ASSERT_EQ(chmod((dir_ + "/credential").c_str(), 0604), 0);
  EXPECT_EQ(LoadCredential(dir_).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(CredentialTest, MissingCredentialSaysHowToEnroll) {
  auto loaded = LoadCredential(dir_);
  ASSERT_EQ(loaded.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(loaded.status().message().find("natscope-agent enroll"),
            std::string::npos);
}

TEST_F(CredentialTest, DamagedFileIsDataLoss) {
  ASSERT_TRUE(SaveCredential(dir_, Sample()).ok());
  const std::string path = dir_ + "/credential";
  std::ofstream(path) << "secret: ";  // truncated
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  auto loaded = LoadCredential(dir_);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(loaded.status().message().find("enroll again"), std::string::npos);
}

TEST_F(CredentialTest, SymlinkIsNotFollowed) {
  ASSERT_TRUE(SaveCredential(dir_, Sample()).ok());
  const std::string path = dir_ + "/credential";
  ASSERT_EQ(rename(path.c_str(), (dir_ + "/real").c_str()), 0);
  ASSERT_EQ(symlink((dir_ + "/real").c_str(), path.c_str()), 0);
  EXPECT_FALSE(LoadCredential(dir_).ok());
}

}  // namespace
}  // namespace natscope::ingest
