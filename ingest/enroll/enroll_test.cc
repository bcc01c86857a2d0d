#include "ingest/enroll/enroll.h"

#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <string>

#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "ingest/enroll/credential.h"
#include "natscope/v1/agent.grpc.pb.h"

namespace natscope::ingest {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

// Issues "cred-N" to callers presenting "site-token".
class FakeAgentService final : public v1::AgentService::Service {
 public:
  grpc::Status Enroll(grpc::ServerContext*, const v1::EnrollRequest* request,
                      v1::EnrollResponse* response) override {
    if (request->enrollment_token() != "site-token") {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                          "enrollment token rejected: ask the natscope admin");
    }
    response->set_agent_id(request->identity().agent_id());
    response->set_credential("cred-" + std::to_string(++calls));
    return grpc::Status::OK;
  }
  std::atomic<int> calls{0};
};

class EnrollTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    base_ = std::string(tmp ? tmp : "/tmp") + "/enroll_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    mkdir(base_.c_str(), 0700);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    options_.server = "127.0.0.1:" + std::to_string(port_);
    options_.channel = grpc::CreateChannel(options_.server,
                                           grpc::InsecureChannelCredentials());
    options_.identity.set_agent_id("host-1");
    options_.identity.set_site("lab");
    options_.identity.set_role(v1::ROLE_CLIENT);
    options_.token = "site-token";
    options_.state_dir = base_ + "/state";
    options_.deadline = absl::Seconds(5);
  }
  void TearDown() override { server_->Shutdown(); }

  std::string WriteToken(const std::string& text) {
    const std::string path = base_ + "/token";
    std::ofstream(path) << text;
    chmod(path.c_str(), 0600);  // A secret: the agent reads it only so.
    return path;
  }

  std::string base_;
  FakeAgentService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  EnrollOptions options_;
};

TEST_F(EnrollTest, StoresTheIssuedCredentialPrivately) {
  auto credential = RunEnroll(options_, kNow);
  ASSERT_TRUE(credential.ok()) << credential.status();
  EXPECT_EQ(credential->secret(), "cred-1");
  EXPECT_EQ(credential->agent_id(), "host-1");
  EXPECT_EQ(credential->server(), options_.server);
  EXPECT_EQ(credential->enrolled_at().seconds(), absl::ToUnixSeconds(kNow));
  struct stat st {};
  ASSERT_EQ(stat((options_.state_dir + "/credential").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*LoadCredential(options_.state_dir), "cred-1");
}

TEST_F(EnrollTest, RejectedTokenStoresNothing) {
  options_.token = "wrong";
  auto credential = RunEnroll(options_, kNow);
  ASSERT_EQ(credential.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(
      credential.status().message().find("enrollment at " + options_.server +
                                         " refused: enrollment token rejected"),
      std::string::npos)
      << credential.status();
  EXPECT_TRUE(absl::IsNotFound(LoadCredential(options_.state_dir).status()));
}

TEST_F(EnrollTest, UnreachableServerIsRetryableAndExplained) {
  server_->Shutdown();
  options_.deadline = absl::Seconds(1);
  auto credential = RunEnroll(options_, absl::Now());
  EXPECT_TRUE(absl::IsUnavailable(credential.status()) ||
              absl::IsDeadlineExceeded(credential.status()))
      << credential.status();
  EXPECT_NE(
      credential.status().message().find("cannot reach natscope-server at"),
      std::string::npos);
}

TEST_F(EnrollTest, EnsureCredentialEnrollsOnceThenReusesIt) {
  const std::string token_file = WriteToken("  site-token \nignored\n");
  options_.token = "not used";
  auto first = EnsureCredential(options_, token_file, kNow);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = EnsureCredential(options_, token_file, kNow);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->secret(), "cred-1");
  EXPECT_EQ(service_.calls.load(), 1);
}

TEST_F(EnrollTest, EnsureCredentialRefusesAnotherAgentsCredential) {
  ASSERT_TRUE(RunEnroll(options_, kNow).ok());
  options_.identity.set_agent_id("host-2");
  auto credential = EnsureCredential(options_, "", kNow);
  ASSERT_EQ(credential.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(credential.status().message().find("issued to agent \"host-1\""),
            std::string::npos);
}

TEST_F(EnrollTest, EnsureCredentialWithoutTokenFileSendsNoToken) {
  auto credential = EnsureCredential(options_, "", kNow);
  EXPECT_EQ(credential.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(ReadTokenFileTest, TokenOpenToOthersIsRefused) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(tmp ? tmp : "/tmp") + "/shared-token";
  std::ofstream(path) << "secret\n";
  chmod(path.c_str(), 0644);
  auto token = ReadTokenFile(path);
  ASSERT_EQ(token.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(token.status().message().find("chmod 600"), std::string::npos);
}

TEST(ReadTokenFileTest, EmptyFileIsExplained) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(tmp ? tmp : "/tmp") + "/empty-token";
  std::ofstream(path) << "\n";
  chmod(path.c_str(), 0600);
  auto token = ReadTokenFile(path);
  ASSERT_EQ(token.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(token.status().message().find("is empty"), std::string::npos);
  EXPECT_EQ(ReadTokenFile(path + ".absent").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace natscope::ingest
