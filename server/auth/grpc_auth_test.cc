// AuthorizingQueryService over real gRPC on loopback: who gets through.
#include "server/auth/grpc_auth.h"

#include <future>
#include <memory>
#include <string>

#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/store/memory_store.h"
#include "server/auth/credentials.h"

namespace natscope::server::auth {
namespace {

// Answers every query with OK and an empty response.
class OpenQueryService final : public v1::QueryService::Service {
 public:
  grpc::Status ListSites(grpc::ServerContext*, const v1::ListSitesRequest*,
                         v1::ListSitesResponse*) override {
    return grpc::Status::OK;
  }
  grpc::Status GetSiteHealth(grpc::ServerContext*,
                             const v1::GetSiteHealthRequest*,
                             v1::SiteHealth*) override {
    return grpc::Status::OK;
  }
  grpc::Status ListAgents(grpc::ServerContext*, const v1::ListAgentsRequest*,
                          v1::ListAgentsResponse*) override {
    return grpc::Status::OK;
  }
  grpc::Status ListFindings(grpc::ServerContext*,
                            const v1::ListFindingsRequest*,
                            v1::ListFindingsResponse*) override {
    return grpc::Status::OK;
  }
};

class GrpcAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AddApiToken("admin-secret", v1::API_TOKEN_ROLE_ADMIN);
    AddApiToken("viewer-secret", v1::API_TOKEN_ROLE_VIEWER);
    AddApiToken("revoked-secret", v1::API_TOKEN_ROLE_ADMIN);
    ASSERT_TRUE(store_
                    .RevokeApiToken(TokenIdOf(HashCredential("revoked-secret")),
                                    absl::Now())
                    .ok());
    v1::AgentIdentity agent;
    agent.set_agent_id("paris-1");
    agent.set_site("paris");
    ASSERT_TRUE(
        store_.EnrollAgent(agent, HashCredential("agent-secret"), "", "").ok());

    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::QueryService::NewStub(channel_);
  }
  void TearDown() override { server_->Shutdown(); }

  void AddApiToken(const std::string& secret, v1::ApiTokenRole role) {
    v1::ApiTokenInfo info;
    const std::string hash = HashCredential(secret);
    info.set_token_id(TokenIdOf(hash));
    info.set_name(secret);
    info.set_role(role);
    ASSERT_TRUE(store_.CreateApiToken(info, hash).ok());
  }

  grpc::Status ListSites(const std::string& bearer) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    if (!bearer.empty()) {
      context.AddMetadata("authorization", "Bearer " + bearer);
    }
    v1::ListSitesResponse response;
    return stub_->ListSites(&context, v1::ListSitesRequest(), &response);
  }

  MemoryStore store_;
  Authenticator authenticator_{&store_, &store_};
  OpenQueryService inner_;
  AuthorizingQueryService service_{&inner_, &authenticator_};
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::QueryService::Stub> stub_;
};

TEST_F(GrpcAuthTest, AdminAndViewerTokensMayQuery) {
  EXPECT_TRUE(ListSites("admin-secret").ok());
  EXPECT_TRUE(ListSites("viewer-secret").ok());
}

TEST_F(GrpcAuthTest, AgentCredentialCannotCallQueryService) {
  const grpc::Status status = ListSites("agent-secret");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(status.error_message().find("only on AgentService"),
            std::string::npos)
      << status.error_message();
}

TEST_F(GrpcAuthTest, AnonymousUnknownAndRevokedAreUnauthenticated) {
  EXPECT_EQ(ListSites("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ListSites("made-up").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  const grpc::Status revoked = ListSites("revoked-secret");
  EXPECT_EQ(revoked.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(revoked.error_message().find("revoked"), std::string::npos);
}

TEST_F(GrpcAuthTest, MalformedHeaderIsUnauthenticated) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Basic dXNlcjpwYXNz");
  v1::ListSitesResponse response;
  EXPECT_EQ(stub_->ListSites(&context, v1::ListSitesRequest(), &response)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// Every method of the proto's QueryService goes through the check: none is
// left to the generated base class (which would answer UNIMPLEMENTED), and
// none lets an anonymous caller through.
TEST_F(GrpcAuthTest, EveryQueryMethodIsChecked) {
  const google::protobuf::ServiceDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::QueryService::service_full_name());
  ASSERT_NE(descriptor, nullptr);
  grpc::GenericStub generic(channel_);
  for (int i = 0; i < descriptor->method_count(); ++i) {
    const std::string method =
        "/" + descriptor->full_name() + "/" + descriptor->method(i)->name();
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    grpc::Slice empty("");  // Zero bytes: a default message.
    grpc::ByteBuffer request(&empty, 1), response;
    std::promise<grpc::Status> done;
    generic.UnaryCall(&context, method, grpc::StubOptions(), &request,
                      &response,
                      [&done](grpc::Status s) { done.set_value(s); });
    const grpc::Status status = done.get_future().get();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << method << ": " << status.error_message();
  }
}

}  // namespace
}  // namespace natscope::server::auth
