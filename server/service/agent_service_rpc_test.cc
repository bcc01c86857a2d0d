// AgentService over gRPC: Ingest authorised from the credential only
// (never the payload's identity), the per-agent rate limit, and the retry
// delay sent in the trailers. The core's enrolment and ingest rules are in
// agent_service_test.cc.
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/sim_clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/auth/credentials.h"
#include "server/service/agent_service.h"
#include "server/store/memory_store.h"

namespace natscope::server {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

v1::AgentIdentity Identity(const std::string& id, const std::string& site) {
  v1::AgentIdentity identity;
  identity.set_agent_id(id);
  identity.set_site(site);
  identity.set_role(v1::ROLE_CLIENT);
  return identity;
}

// A FactStore that answers Ingest with a chosen error, and otherwise
// records the identity each batch was stored under before storing it.
class IngestFaults final : public FactStore {
 public:
  explicit IngestFaults(FactStore* inner) : inner_(inner) {}
  void set_ingest_status(absl::Status status) {
    absl::MutexLock lock(&mu_);
    status_ = std::move(status);
  }
  std::vector<v1::AgentIdentity> ingested_as() {
    absl::MutexLock lock(&mu_);
    return ingested_as_;
  }
  absl::StatusOr<IngestResult> Ingest(const v1::AgentIdentity& agent,
                                      const v1::IngestRequest& batch,
                                      absl::Time received) override {
    {
      absl::MutexLock lock(&mu_);
      if (!status_.ok()) return status_;
      ingested_as_.push_back(agent);
    }
    return inner_->Ingest(agent, batch, received);
  }
  absl::StatusOr<IngestResult> IngestIntake(
      const v1::AgentIdentity& host, const v1::IngestRequest& batch,
      const std::vector<std::string>& digests, absl::Time received) override {
    return inner_->IngestIntake(host, batch, digests, received);
  }
  absl::StatusOr<std::vector<v1::AgentState>> ListAgents(
      absl::string_view site, absl::string_view after, int limit) override {
    return inner_->ListAgents(site, after, limit);
  }
  absl::StatusOr<std::vector<v1::ProbeReport>> ProbeHistory(
      absl::string_view agent_id, int limit) override {
    return inner_->ProbeHistory(agent_id, limit);
  }
  absl::StatusOr<std::map<std::string, analyzer::AgentActivity>>
  RecentActivity(absl::string_view site, absl::Time since) override {
    return inner_->RecentActivity(site, since);
  }

 private:
  FactStore* inner_;
  absl::Mutex mu_;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::AgentIdentity> ingested_as_ ABSL_GUARDED_BY(mu_);
};

class AgentServiceRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_
                    .EnrollAgent(Identity("paris-1", "paris"),
                                 HashCredential("paris-credential"), "", "")
                    .ok());
    ASSERT_TRUE(store_
                    .EnrollAgent(Identity("lyon-1", "lyon"),
                                 HashCredential("lyon-credential"), "", "")
                    .ok());
    for (auto [secret, role] : {std::pair<std::string, v1::ApiTokenRole>{
                                    "admin-token", v1::API_TOKEN_ROLE_ADMIN},
                                {"viewer-token", v1::API_TOKEN_ROLE_VIEWER}}) {
      v1::ApiTokenInfo info;
      info.set_token_id(auth::TokenIdOf(HashCredential(secret)));
      info.set_name(secret);
      info.set_role(role);
      ASSERT_TRUE(store_.CreateApiToken(info, HashCredential(secret)).ok());
    }
    AgentServiceOptions options;
    options.unavailable_retry_delay = absl::Milliseconds(4200);
    options.ingest_rate = {/*rate_per_second=*/1, /*burst=*/3};
    options.clock = &clock_;
    core_ = std::make_unique<AgentServiceCore>(&store_, &store_, &faults_, options);
    service_ = std::make_unique<AgentServiceImpl>(core_.get(), &auth_);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::AgentService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                            grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(); }

  // Sends one batch; returns the status and the retry trailer ("" if none).
  std::pair<grpc::Status, std::string> Send(
      const std::string& credential = "paris-credential",
      const v1::AgentIdentity& claimed = v1::AgentIdentity()) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    context.AddMetadata("authorization", "Bearer " + credential);
    v1::IngestRequest request;
    *request.mutable_agent() = claimed;
    request.set_epoch(1);
    request.set_sequence(++sequence_);
    v1::IngestResponse response;
    grpc::Status status = stub_->Ingest(&context, request, &response);
    const auto& trailers = context.GetServerTrailingMetadata();
    auto it = trailers.find(kRetryAfterMetadataKey);
    std::string delay = it == trailers.end()
                            ? ""
                            : std::string(it->second.data(), it->second.size());
    return {status, delay};
  }

  SimClock clock_{kNow};
  MemoryStore store_;
  IngestFaults faults_{&store_};
  auth::Authenticator auth_{&store_, &store_};
  uint64_t sequence_ = 0;
  std::unique_ptr<AgentServiceCore> core_;
  std::unique_ptr<AgentServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::AgentService::Stub> stub_;
};

TEST_F(AgentServiceRpcTest, StoreDownAnswersUnavailableWithRetryAfter) {
  faults_.set_ingest_status(absl::UnavailableError("database unreachable"));
  auto [status, delay] = Send();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(delay, "4200");
}

TEST_F(AgentServiceRpcTest, RateExceededAnswersWithRetryAfter) {
  faults_.set_ingest_status(absl::ResourceExhaustedError("too many batches"));
  auto [status, delay] = Send();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(delay, "1000");
}

TEST_F(AgentServiceRpcTest, SuccessAndOtherErrorsCarryNoDelay) {
  auto [ok, none] = Send();
  EXPECT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(none, "");
  faults_.set_ingest_status(absl::InternalError("SQLSTATE XX000"));
  auto [internal, delay] = Send();
  EXPECT_EQ(internal.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(delay, "");
}

TEST_F(AgentServiceRpcTest, StoredUnderTheCredentialsIdentity) {
  ASSERT_TRUE(Send("lyon-credential", Identity("lyon-1", "lyon")).first.ok());
  ASSERT_EQ(faults_.ingested_as().size(), 1u);
  EXPECT_EQ(faults_.ingested_as()[0].agent_id(), "lyon-1");
  EXPECT_EQ(faults_.ingested_as()[0].site(), "lyon");
}

TEST_F(AgentServiceRpcTest, ForgedSiteInPayloadIsRefused) {
  auto [status, delay] = Send("paris-credential", Identity("paris-1", "lyon"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(status.error_message().find("credential belongs to"),
            std::string::npos);
  EXPECT_TRUE(faults_.ingested_as().empty());
}

TEST_F(AgentServiceRpcTest, ClaimingAnotherAgentIsRefused) {
  auto [status, delay] = Send("paris-credential", Identity("lyon-1", "lyon"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  std::tie(status, delay) =
      Send("paris-credential", Identity("paris-2", "paris"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(faults_.ingested_as().empty());
}

TEST_F(AgentServiceRpcTest, ApiTokensAndStrangersCannotIngest) {
  EXPECT_EQ(Send("viewer-token").first.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Send("admin-token").first.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Send("made-up").first.error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(faults_.ingested_as().empty());
}

TEST_F(AgentServiceRpcTest, OverTheRateIsResourceExhaustedWithTheWait) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Send().first.ok()) << i;
  auto [status, delay] = Send();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(delay, "1000");
  // Another agent has a bucket of its own.
  EXPECT_TRUE(Send("lyon-credential").first.ok());
  clock_.Set(kNow + absl::Seconds(1));
  EXPECT_TRUE(Send().first.ok());
}

}  // namespace
}  // namespace natscope::server
