#include "ingest/enroll/enroll_command.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "ingest/config/config.h"
#include "ingest/enroll/credential.h"
#include "natscope/v1/agent.grpc.pb.h"

namespace natscope::ingest {
namespace {

class TokenCheckingService final : public v1::AgentService::Service {
  grpc::Status Enroll(grpc::ServerContext*, const v1::EnrollRequest* request,
                      v1::EnrollResponse* response) override {
    if (request->enrollment_token() != "t0ken") {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "bad token");
    }
    response->set_agent_id(request->identity().agent_id());
    response->set_credential("issued-" + request->identity().site());
    return grpc::Status::OK;
  }
};

class EnrollCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    base_ = std::string(tmp ? tmp : "/tmp") + "/enroll_command_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override { server_->Shutdown(); }

  v1::AgentConfig Config(const std::string& extra) {
    auto config = ParseConfig(
        absl::StrCat("server: \"127.0.0.1:", port_, "\"\n",
                     "tls { plaintext: true }\n", "state_dir: \"", base_,
                     "/state\"\n",
                     "identity { site: \"lab\" role: ROLE_CLIENT }\n", extra),
        "test", "host-1", [](const std::string&) { return std::string(); });
    EXPECT_TRUE(config.ok()) << config.status();
    return *config;
  }

  std::string base_;
  TokenCheckingService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(EnrollCommandTest, TokenFlagEnrollsAndSaysWhere) {
  std::ostringstream out;
  absl::Status status = EnrollCommand(Config(""), "t0ken", "0.1.0", out);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(out.str(),
            absl::StrCat("enrolled as host-1 (site lab) with 127.0.0.1:", port_,
                         "; credential stored in ", base_,
                         "/state/credential (mode 0600)\n"));
  EXPECT_EQ(*LoadCredential(base_ + "/state"), "issued-lab");
}

TEST_F(EnrollCommandTest, TokenFileIsUsedWithoutFlag) {
  mkdir(base_.c_str(), 0700);
  std::ofstream(base_ + "/token") << "t0ken\n";
  chmod((base_ + "/token").c_str(), 0600);
  std::ostringstream out;
  EXPECT_TRUE(
      EnrollCommand(Config("enrollment_token_file: \"" + base_ + "/token\""),
                    "", "0.1.0", out)
          .ok());
}

TEST_F(EnrollCommandTest, WrongTokenFails) {
  std::ostringstream out;
  EXPECT_EQ(EnrollCommand(Config(""), "nope", "0.1.0", out).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace natscope::ingest
