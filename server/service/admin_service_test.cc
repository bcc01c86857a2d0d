// AdminService over real gRPC on loopback: only admins change anything,
// and the tokens it makes work (and stop working) where they should.
#include "server/service/admin_service.h"

#include <memory>
#include <string>

#include "common/sim_clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/store/memory_store.h"
#include "server/service/agent_service.h"
#include "server/auth/credentials.h"

namespace natscope::server {
namespace {

class AdminServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Migrate().ok());
    admin_ = AddApiToken("bootstrap", v1::API_TOKEN_ROLE_ADMIN);
    viewer_ = AddApiToken("viewer", v1::API_TOKEN_ROLE_VIEWER);
    v1::AgentIdentity agent;
    agent.set_agent_id("paris-1");
    agent.set_site("paris");
    agent.set_role(v1::ROLE_CLIENT);
    ASSERT_TRUE(
        store_.EnrollAgent(agent, HashCredential("agent-cred"), "", "").ok());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::AdminService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                            grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(); }

  std::string AddApiToken(const std::string& name, v1::ApiTokenRole role) {
    auto token = auth::IssueToken();
    EXPECT_TRUE(token.ok());
    v1::ApiTokenInfo info;
    info.set_token_id(token->token_id);
    info.set_name(name);
    info.set_role(role);
    EXPECT_TRUE(store_.CreateApiToken(info, token->hash).ok());
    return token->secret;
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& bearer) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(10));
    if (!bearer.empty()) {
      context->AddMetadata("authorization", "Bearer " + bearer);
    }
    return context;
  }

  grpc::Status CreateEnrollment(const std::string& bearer,
                                const std::string& site,
                                v1::CreateEnrollmentTokenResponse* out) {
    v1::CreateEnrollmentTokenRequest request;
    request.set_site(site);
    return stub_->CreateEnrollmentToken(As(bearer).get(), request, out);
  }

  absl::StatusCode Enroll(const std::string& token, const std::string& site) {
    AgentServiceCore agents(&store_, &store_, &store_, AgentServiceOptions());
    v1::EnrollRequest request;
    request.set_enrollment_token(token);
    request.mutable_identity()->set_agent_id("new-" + site);
    request.mutable_identity()->set_site(site);
    request.mutable_identity()->set_role(v1::ROLE_CONNECTOR);
    return agents.Enroll(request).status().code();
  }

  static auth::AuthenticatorOptions PollEveryCall() {
    auth::AuthenticatorOptions options;
    options.generation_poll = absl::ZeroDuration();
    return options;
  }

  MemoryStore store_;
  auth::Authenticator authenticator_{&store_, &store_, PollEveryCall()};
  AdminServiceCore core_{&store_, &store_, &RealClock::Get()};
  AdminServiceImpl service_{&core_, &authenticator_};
  std::string admin_, viewer_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::AdminService::Stub> stub_;
};

TEST_F(AdminServiceTest, ViewerTokenCannotChangeAnything) {
  v1::CreateEnrollmentTokenResponse enrollment;
  EXPECT_EQ(CreateEnrollment(viewer_, "paris", &enrollment).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::CreateApiTokenRequest create;
  create.set_role(v1::API_TOKEN_ROLE_ADMIN);
  create.set_name("escalate");
  v1::CreateApiTokenResponse created;
  EXPECT_EQ(
      stub_->CreateApiToken(As(viewer_).get(), create, &created).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::RevokeApiTokenRequest revoke;
  revoke.set_token_id(auth::TokenIdOf(HashCredential(admin_)));
  v1::RevokeApiTokenResponse revoked;
  EXPECT_EQ(
      stub_->RevokeApiToken(As(viewer_).get(), revoke, &revoked).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::ListApiTokensResponse listed;
  EXPECT_EQ(stub_->ListApiTokens(As(viewer_).get(), {}, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Nothing was made or revoked.
  EXPECT_TRUE(store_.ListEnrollmentTokens("")->empty());
  // Kept in a local: a range-for over `*store_.ListApiTokens()` would read
  // the vector after its StatusOr was destroyed (ASan: stack-use-after-scope).
  const auto tokens = store_.ListApiTokens();
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(tokens->size(), 2u);
  for (const auto& token : *tokens) {
    EXPECT_FALSE(token.has_revoked());
  }
}

TEST_F(AdminServiceTest, AgentCredentialAndAnonymousAreRefused) {
  v1::CreateEnrollmentTokenResponse response;
  EXPECT_EQ(CreateEnrollment("agent-cred", "paris", &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CreateEnrollment("", "paris", &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AdminServiceTest, EnrollmentTokenLifecycle) {
  v1::CreateEnrollmentTokenResponse created;
  ASSERT_TRUE(CreateEnrollment(admin_, "paris", &created).ok());
  EXPECT_FALSE(created.token().empty());
  EXPECT_EQ(created.info().site(), "paris");
  EXPECT_EQ(Enroll(created.token(), "lyon"),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Enroll(created.token(), "paris"), absl::StatusCode::kOk);

  v1::ListEnrollmentTokensResponse listed;
  ASSERT_TRUE(stub_->ListEnrollmentTokens(As(admin_).get(), {}, &listed).ok());
  ASSERT_EQ(listed.tokens_size(), 1);
  EXPECT_EQ(listed.tokens(0).token_id(), created.info().token_id());
  EXPECT_EQ(listed.tokens(0).DebugString().find(created.token()),
            std::string::npos);

  v1::RevokeEnrollmentTokenRequest revoke;
  revoke.set_token_id(created.info().token_id());
  v1::RevokeEnrollmentTokenResponse revoked;
  ASSERT_TRUE(
      stub_->RevokeEnrollmentToken(As(admin_).get(), revoke, &revoked).ok());
  EXPECT_TRUE(revoked.info().has_revoked());
  EXPECT_EQ(Enroll(created.token(), "paris"),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(stub_->ListEnrollmentTokens(As(admin_).get(), {}, &listed).ok());
  EXPECT_EQ(listed.tokens_size(), 0);
}

TEST_F(AdminServiceTest, BadRequestsAreInvalidArgument) {
  v1::CreateEnrollmentTokenResponse response;
  EXPECT_EQ(CreateEnrollment(admin_, "", &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::CreateEnrollmentTokenRequest past;
  past.set_site("paris");
  past.mutable_expires()->set_seconds(1);
  EXPECT_EQ(stub_->CreateEnrollmentToken(As(admin_).get(), past, &response)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::CreateApiTokenRequest no_role;
  no_role.set_name("x");
  v1::CreateApiTokenResponse created;
  EXPECT_EQ(
      stub_->CreateApiToken(As(admin_).get(), no_role, &created).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  v1::RevokeApiTokenRequest unknown;
  unknown.set_token_id("nope");
  v1::RevokeApiTokenResponse revoked;
  EXPECT_EQ(
      stub_->RevokeApiToken(As(admin_).get(), unknown, &revoked).error_code(),
      grpc::StatusCode::NOT_FOUND);
}

TEST_F(AdminServiceTest, CreatedViewerTokenAuthenticatesUntilRevoked) {
  v1::CreateApiTokenRequest create;
  create.set_role(v1::API_TOKEN_ROLE_VIEWER);
  create.set_name("dashboard");
  v1::CreateApiTokenResponse created;
  ASSERT_TRUE(stub_->CreateApiToken(As(admin_).get(), create, &created).ok());
  auto caller = authenticator_.Identify("Bearer " + created.token());
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->kind, auth::CallerKind::kViewer);
  v1::RevokeApiTokenRequest revoke;
  revoke.set_token_id(created.info().token_id());
  v1::RevokeApiTokenResponse revoked;
  ASSERT_TRUE(stub_->RevokeApiToken(As(admin_).get(), revoke, &revoked).ok());
  EXPECT_EQ(
      authenticator_.Identify("Bearer " + created.token()).status().code(),
      absl::StatusCode::kUnauthenticated);
}

TEST_F(AdminServiceTest, ResetReleasesAndRemoveDeletesAnAgent) {
  v1::ResetAgentRequest reset;
  reset.set_agent_id("paris-1");
  v1::ResetAgentResponse released;
  EXPECT_EQ(stub_->ResetAgent(As(viewer_).get(), reset, &released).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->ResetAgent(As(admin_).get(), reset, &released).ok());
  EXPECT_EQ(released.agent().site(), "paris");
  EXPECT_FALSE(authenticator_.Identify("Bearer agent-cred").ok());
  v1::RemoveAgentRequest remove;
  remove.set_agent_id("paris-1");
  v1::RemoveAgentResponse removed;
  ASSERT_TRUE(stub_->RemoveAgent(As(admin_).get(), remove, &removed).ok());
  EXPECT_TRUE(absl::IsNotFound(store_.AgentById("paris-1").status()));
  const grpc::Status again =
      stub_->RemoveAgent(As(admin_).get(), remove, &removed);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(again.error_message().find("paris-1"), std::string::npos);
}

TEST_F(AdminServiceTest, EnrollmentTokensExpireInAWeekByDefault) {
  v1::CreateEnrollmentTokenResponse created;
  ASSERT_TRUE(CreateEnrollment(admin_, "paris", &created).ok());
  EXPECT_EQ(created.info().expires().seconds() - created.info().created().seconds(),
            7 * 24 * 3600);
}

v1::CreateEnrollmentTokenRequest IntakeRequest(const std::string& site) {
  v1::CreateEnrollmentTokenRequest request;
  request.set_site(site);
  request.set_purpose(v1::TOKEN_PURPOSE_INTAKE);
  return request;
}

TEST_F(AdminServiceTest, IntakeTokenNeverExpiresAndItsHostsAreClients) {
  v1::CreateEnrollmentTokenResponse created;
  ASSERT_TRUE(stub_
                  ->CreateEnrollmentToken(As(admin_).get(),
                                          IntakeRequest("paris"), &created)
                  .ok());
  EXPECT_FALSE(created.token().empty());
  EXPECT_EQ(created.info().purpose(), v1::TOKEN_PURPOSE_INTAKE);
  EXPECT_EQ(created.info().default_role(), v1::ROLE_CLIENT);
  EXPECT_FALSE(created.info().has_expires());
  EXPECT_EQ(created.info().max_uses(), 0u);
  // Stored as created, and listed beside enrollment tokens.
  auto stored = store_.EnrollmentTokenByHash(HashCredential(created.token()));
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->purpose(), v1::TOKEN_PURPOSE_INTAKE);
  EXPECT_EQ(stored->default_role(), v1::ROLE_CLIENT);
  v1::CreateEnrollmentTokenResponse enrollment;
  ASSERT_TRUE(CreateEnrollment(admin_, "paris", &enrollment).ok());
  EXPECT_EQ(enrollment.info().purpose(), v1::TOKEN_PURPOSE_ENROLL);
  EXPECT_EQ(enrollment.info().default_role(), v1::ROLE_UNSPECIFIED);
  v1::ListEnrollmentTokensResponse listed;
  ASSERT_TRUE(stub_->ListEnrollmentTokens(As(admin_).get(), {}, &listed).ok());
  ASSERT_EQ(listed.tokens_size(), 2);
  // It enrolls no agent.
  EXPECT_EQ(Enroll(created.token(), "paris"),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(AdminServiceTest, IntakeTokenTakesAConnectorRoleAndAnExpiry) {
  v1::CreateEnrollmentTokenRequest request = IntakeRequest("paris");
  request.set_default_role(v1::ROLE_CONNECTOR);
  request.mutable_expires()->set_seconds(
      absl::ToUnixSeconds(absl::Now() + absl::Hours(48)));
  auto created = core_.CreateEnrollmentToken(request);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->info().default_role(), v1::ROLE_CONNECTOR);
  EXPECT_EQ(created->info().expires().seconds(), request.expires().seconds());
}

TEST_F(AdminServiceTest, IntakeRulesRefuseWithInvalidArgument) {
  v1::CreateEnrollmentTokenRequest counted = IntakeRequest("paris");
  counted.set_max_uses(5);
  auto refused = core_.CreateEnrollmentToken(counted);
  EXPECT_TRUE(absl::IsInvalidArgument(refused.status())) << refused.status();
  EXPECT_NE(refused.status().message().find("max_uses must be 0"),
            std::string::npos);
  v1::CreateEnrollmentTokenRequest role_on_enroll;
  role_on_enroll.set_site("paris");
  role_on_enroll.set_default_role(v1::ROLE_CONNECTOR);
  refused = core_.CreateEnrollmentToken(role_on_enroll);
  EXPECT_TRUE(absl::IsInvalidArgument(refused.status())) << refused.status();
  EXPECT_NE(refused.status().message().find("intake tokens only"),
            std::string::npos);
  v1::CreateEnrollmentTokenRequest bad_role = IntakeRequest("paris");
  bad_role.set_default_role(static_cast<v1::Role>(7));
  EXPECT_TRUE(
      absl::IsInvalidArgument(core_.CreateEnrollmentToken(bad_role).status()));
  v1::CreateEnrollmentTokenRequest bad_purpose = IntakeRequest("paris");
  bad_purpose.set_purpose(static_cast<v1::TokenPurpose>(9));
  EXPECT_TRUE(absl::IsInvalidArgument(
      core_.CreateEnrollmentToken(bad_purpose).status()));
  v1::CreateEnrollmentTokenRequest past = IntakeRequest("paris");
  past.mutable_expires()->set_seconds(1);
  EXPECT_TRUE(
      absl::IsInvalidArgument(core_.CreateEnrollmentToken(past).status()));
  EXPECT_TRUE(store_.ListEnrollmentTokens("")->empty());
}

TEST_F(AdminServiceTest, RequestProbeAsksAnAgentOrASiteAndTellsWhen) {
  v1::RequestProbeRequest request;
  v1::RequestProbeResponse response;
  EXPECT_EQ(stub_->RequestProbe(As(admin_).get(), request, &response)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  request.set_agent_id("nobody");
  EXPECT_EQ(stub_->RequestProbe(As(admin_).get(), request, &response)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  request.set_agent_id("paris-1");
  ASSERT_TRUE(stub_->RequestProbe(As(admin_).get(), request, &response).ok());
  EXPECT_EQ(response.agent_ids(0), "paris-1");
  EXPECT_GT(response.requested_at().seconds(), 0);
  request.clear_agent_id();
  request.set_site("berlin");
  EXPECT_EQ(stub_->RequestProbe(As(admin_).get(), request, &response)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(AdminServiceTest, SiteProbeRequestSkipsForgottenAgents) {
  SimClock clock(absl::FromUnixSeconds(1800000000));
  v1::AgentIdentity agent;
  agent.set_agent_id("paris-2");
  agent.set_site("paris");
  agent.set_role(v1::ROLE_CONNECTOR);
  ASSERT_TRUE(store_.EnrollAgent(agent, "hash-2", "", "").ok());
  v1::IngestRequest check_in;
  check_in.set_epoch(1);
  ASSERT_TRUE(
      store_.Ingest(agent, check_in, clock.Now() - absl::Hours(24 * 31)).ok());
  AdminServiceCore core(&store_, &store_, &clock, absl::Hours(24 * 30));
  v1::RequestProbeRequest request;
  request.set_site("paris");
  auto asked = core.RequestProbe(request);
  ASSERT_TRUE(asked.ok()) << asked.status();
  // paris-1 never reported: not forgotten.
  ASSERT_EQ(asked->agent_ids_size(), 1);
  EXPECT_EQ(asked->agent_ids(0), "paris-1");
  EXPECT_EQ(asked->requested_at().seconds(), 1800000000);
}

}  // namespace
}  // namespace natscope::server
