// Every method of every natscope service, called over real gRPC on
// loopback by each kind of caller: each goes through the policy (one
// mechanism, ServeAuthorized), none is left unimplemented, and none lets
// the wrong caller through.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/clock.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/auth/authenticator.h"
#include "server/auth/credentials.h"
#include "server/reports/producer.h"
#include "server/service/admin_service.h"
#include "server/service/agent_service.h"
#include "server/service/query_service.h"
#include "server/service/report_service.h"
#include "server/store/memory_store.h"

namespace natscope::server {
namespace {

class AuthorizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Migrate().ok());
    AddToken("admin-secret", v1::API_TOKEN_ROLE_ADMIN);
    AddToken("viewer-secret", v1::API_TOKEN_ROLE_VIEWER);
    v1::AgentIdentity agent;
    agent.set_agent_id("paris-1");
    agent.set_site("paris");
    agent.set_role(v1::ROLE_CLIENT);
    ASSERT_TRUE(
        store_.EnrollAgent(agent, HashCredential("agent-secret"), "", "").ok());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(&agent_service_);
    builder.RegisterService(&query_service_);
    builder.RegisterService(&admin_service_);
    builder.RegisterService(&report_service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                   grpc::InsecureChannelCredentials());
  }
  void TearDown() override { server_->Shutdown(); }

  void AddToken(const std::string& secret, v1::ApiTokenRole role) {
    v1::ApiTokenInfo info;
    const std::string hash = HashCredential(secret);
    info.set_token_id(auth::TokenIdOf(hash));
    info.set_name(secret);
    info.set_role(role);
    ASSERT_TRUE(store_.CreateApiToken(info, hash).ok());
  }

  // "/natscope.v1.X/Method" for every method of the four services.
  static std::vector<std::string> AllMethods() {
    std::vector<std::string> methods;
    for (const char* service :
         {"natscope.v1.AgentService", "natscope.v1.QueryService",
          "natscope.v1.AdminService", "natscope.v1.ReportService"}) {
      const google::protobuf::ServiceDescriptor* descriptor =
          google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
              service);
      EXPECT_NE(descriptor, nullptr) << service;
      if (descriptor == nullptr) continue;
      for (int i = 0; i < descriptor->method_count(); ++i) {
        methods.push_back("/" + descriptor->full_name() + "/" +
                          descriptor->method(i)->name());
      }
    }
    return methods;
  }

  // Calls `method` with a default request as `bearer` ("" : no token).
  // Through a completion queue drained on this thread: gRPC's callback
  // API would run the completion on a thread of gRPC's own, which TSan
  // (over an uninstrumented libgrpc) reports as racing with the caller.
  grpc::Status Call(const std::string& method, const std::string& bearer) {
    grpc::GenericStub generic(channel_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    if (!bearer.empty()) context.AddMetadata("authorization", "Bearer " + bearer);
    grpc::Slice empty("");  // Zero bytes: a default message.
    grpc::ByteBuffer request(&empty, 1), response;
    grpc::CompletionQueue queue;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
        generic.PrepareUnaryCall(&context, method, request, &queue);
    grpc::Status status(grpc::StatusCode::INTERNAL, "the call never finished");
    if (call == nullptr) return status;
    call->StartCall();
    int tag = 1;
    call->Finish(&response, &status, &tag);
    void* got = nullptr;
    bool ok = false;
    queue.Next(&got, &ok);
    queue.Shutdown();
    while (queue.Next(&got, &ok)) {
    }
    return status;
  }

  MemoryStore store_;
  auth::Authenticator authenticator_{&store_, &store_};
  AgentServiceCore agent_core_{&store_, &store_, &store_, AgentServiceOptions()};
  AgentServiceImpl agent_service_{&agent_core_, &authenticator_};
  QueryServiceCore query_core_{&store_, &store_, &store_, nullptr};
  QueryServiceImpl query_service_{&query_core_, &authenticator_};
  AdminServiceCore admin_core_{&store_, &store_, &RealClock::Get()};
  AdminServiceImpl admin_service_{&admin_core_, &authenticator_};
  ReportProducer producer_{&store_, &store_, &RealClock::Get(), "test"};
  ReportServiceCore report_core_{&store_, &RealClock::Get(), &producer_,
                                 nullptr};
  ReportServiceImpl report_service_{&report_core_, &authenticator_};
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

bool IsEnroll(const std::string& method) {
  return method == "/natscope.v1.AgentService/Enroll";
}

TEST_F(AuthorizationTest, EveryMethodIsImplemented) {
  for (const std::string& method : AllMethods()) {
    EXPECT_NE(Call(method, "admin-secret").error_code(),
              grpc::StatusCode::UNIMPLEMENTED)
        << method;
  }
}

TEST_F(AuthorizationTest, AnonymousCallersMayOnlyEnroll) {
  for (const std::string& method : AllMethods()) {
    const grpc::Status status = Call(method, "");
    if (IsEnroll(method)) {
      // Refused by the core (no token in the request), not by the policy.
      EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
      continue;
    }
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << method << ": " << status.error_message();
  }
}

TEST_F(AuthorizationTest, UnknownCredentialsAreUnauthenticatedExceptOnEnroll) {
  for (const std::string& method : AllMethods()) {
    const grpc::Status status = Call(method, "made-up");
    if (IsEnroll(method)) {
      EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
      continue;
    }
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << method;
  }
}

TEST_F(AuthorizationTest, AgentCredentialsReachOnlyAgentService) {
  for (const std::string& method : AllMethods()) {
    const grpc::Status status = Call(method, "agent-secret");
    if (absl::StartsWith(method, "/natscope.v1.AgentService/")) {
      EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << method << ": " << status.error_message();
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << method;
    }
  }
}

TEST_F(AuthorizationTest, ViewersOnlyRead) {
  for (const std::string& method : AllMethods()) {
    const grpc::Status status = Call(method, "viewer-secret");
    const bool query = absl::StartsWith(method, "/natscope.v1.QueryService/");
    const bool report_read =
        absl::StartsWith(method, "/natscope.v1.ReportService/List") ||
        absl::StartsWith(method, "/natscope.v1.ReportService/Get");
    if (query || report_read || IsEnroll(method)) {
      EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << method << ": " << status.error_message();
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << method;
    }
  }
}

TEST_F(AuthorizationTest, AdminsMayNotIngest) {
  EXPECT_EQ(Call("/natscope.v1.AgentService/Ingest", "admin-secret").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace natscope::server
