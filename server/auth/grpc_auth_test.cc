// ServeAuthorized over real gRPC on loopback: who gets through, and who
// the method is told it is serving.
#include "server/auth/grpc_auth.h"

#include <future>
#include <memory>
#include <string>

#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "natscope/v1/query.grpc.pb.h"
#include "server/store/memory_store.h"
#include "server/auth/credentials.h"

namespace natscope::server::auth {
namespace {

// ListSites served through ServeAuthorized, answering with the caller it
// was given; every other method is left to the generated base class.
class OneMethodQueryService final : public v1::QueryService::Service {
 public:
  explicit OneMethodQueryService(Authenticator* authenticator)
      : authenticator_(authenticator) {}
  grpc::Status ListSites(grpc::ServerContext* context,
                         const v1::ListSitesRequest* request,
                         v1::ListSitesResponse* response) override {
    return ServeAuthorized(
        *authenticator_, *context, v1::QueryService::service_full_name(),
        "ListSites", *request, response,
        [](const AuthorizedCall& call, const v1::ListSitesRequest&)
            -> absl::StatusOr<v1::ListSitesResponse> {
          v1::ListSitesResponse answer;
          answer.set_next_page_token(Describe(call.caller));
          return answer;
        });
  }

 private:
  Authenticator* authenticator_;
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
  OneMethodQueryService service_{&authenticator_};
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

TEST_F(GrpcAuthTest, TheMethodIsToldWhoCalls) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer viewer-secret");
  v1::ListSitesResponse response;
  ASSERT_TRUE(stub_->ListSites(&context, v1::ListSitesRequest(), &response).ok());
  EXPECT_EQ(response.next_page_token(),
            "viewer token " + TokenIdOf(HashCredential("viewer-secret")));
}

}  // namespace
}  // namespace natscope::server::auth
