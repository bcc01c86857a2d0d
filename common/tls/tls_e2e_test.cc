// Real TLS handshakes over 127.0.0.1: a throwaway CA and a server
// certificate (CN and SAN localhost, SAN IP 127.0.0.1) are made with the
// openssl command, a gRPC server with AgentService listens on port 0, and
// clients with and without the CA call it.
#include <cstdlib>
#include <memory>
#include <string>

#include "common/tls/test_ca.h"
#include "common/tls/tls.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "natscope/v1/agent.grpc.pb.h"

namespace natscope::tls {
namespace {

class EchoAgentService final : public v1::AgentService::Service {
  grpc::Status Enroll(grpc::ServerContext*, const v1::EnrollRequest* request,
                      v1::EnrollResponse* response) override {
    response->set_agent_id(request->identity().agent_id());
    response->set_credential("secret");
    return grpc::Status::OK;
  }
};

class TlsEndToEndTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = new std::string(std::string(tmp ? tmp : "/tmp") + "/tls_e2e");
    const absl::Status made = MakeTestCertificates(*dir_);
    ASSERT_TRUE(made.ok()) << made;
  }

  static std::string File(const std::string& name) {
    return *dir_ + "/" + name;
  }

  void SetUp() override {
    ServerTlsOptions options{File("server.pem"), File("server.key"), false};
    auto credentials = MakeServerCredentials(options, "127.0.0.1:0");
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", *credentials, &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port_, 0);
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  // Calls Enroll through `channel` with a short deadline.
  grpc::Status Call(const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = v1::AgentService::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    v1::EnrollRequest request;
    request.mutable_identity()->set_agent_id("host-1");
    v1::EnrollResponse response;
    grpc::Status status = stub->Enroll(&context, request, &response);
    if (status.ok()) {
      EXPECT_EQ(response.credential(), "secret");
    }
    return status;
  }

  std::string Target(const std::string& host) {
    return host + ":" + std::to_string(port_);
  }

  static std::string* dir_;
  EchoAgentService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

std::string* TlsEndToEndTest::dir_ = nullptr;

TEST_F(TlsEndToEndTest, ClientTrustingTheCaConnects) {
  ClientTlsOptions options;
  options.ca_file = File("ca.pem");
  auto channel = NewClientChannel(Target("localhost"), options);
  ASSERT_TRUE(channel.ok()) << channel.status();
  EXPECT_TRUE(Call(*channel).ok());
}

TEST_F(TlsEndToEndTest, ClientByIpAddressChecksTheIpSan) {
  ClientTlsOptions options;
  options.ca_file = File("ca.pem");
  auto channel = NewClientChannel(Target("127.0.0.1"), options);
  ASSERT_TRUE(channel.ok()) << channel.status();
  EXPECT_TRUE(Call(*channel).ok());
}

TEST_F(TlsEndToEndTest, ServerNameOverrideIsHonoured) {
  ClientTlsOptions options;
  options.ca_file = File("ca.pem");
  options.server_name = "localhost";
  auto good = NewClientChannel(Target("127.0.0.1"), options);
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(Call(*good).ok());
  options.server_name = "natscope.example.com";  // not in the certificate
  auto bad = NewClientChannel(Target("127.0.0.1"), options);
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(Call(*bad).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsEndToEndTest, ClientTrustingAnotherCaFails) {
  ClientTlsOptions options;
  options.ca_file = File("other_ca.pem");
  auto channel = NewClientChannel(Target("localhost"), options);
  ASSERT_TRUE(channel.ok());
  EXPECT_EQ(Call(*channel).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsEndToEndTest, ClientWithoutTheCaFails) {
  // Default TLS credentials trust only the system's roots.
  auto channel =
      grpc::CreateChannel(Target("localhost"), grpc::SslCredentials({}));
  EXPECT_EQ(Call(channel).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsEndToEndTest, PlaintextClientFails) {
  ClientTlsOptions options;
  options.plaintext = true;
  auto channel = NewClientChannel(Target("localhost"), options);
  ASSERT_TRUE(channel.ok());
  EXPECT_EQ(Call(*channel).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsEndToEndTest, KeyOfAnotherCertificateIsRefusedAtStart) {
  ServerTlsOptions options{File("server.pem"), File("ca.key"), false};
  auto credentials = MakeServerCredentials(options, "0.0.0.0:0");
  ASSERT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(credentials.status().message().find("is not the key of --tls_cert"),
            std::string::npos);
}

}  // namespace
}  // namespace natscope::tls
