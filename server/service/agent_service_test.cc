// The retry delay AgentService sends with retryable Ingest failures.
#include "server/service/agent_service.h"

#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

// Knows one agent under any credential; Ingest answers `ingest_status`.
class FakeStore final : public Store {
 public:
  absl::Status Migrate() override { return absl::OkStatus(); }
  absl::Status UpsertAgent(const v1::AgentIdentity&,
                           absl::string_view) override {
    return absl::OkStatus();
  }
  absl::StatusOr<v1::AgentIdentity> AgentByCredentialHash(
      absl::string_view) override {
    v1::AgentIdentity agent;
    agent.set_agent_id("host-1");
    agent.set_site("paris");
    return agent;
  }
  absl::StatusOr<IngestResult> Ingest(const v1::AgentIdentity&,
                                      const v1::IngestRequest& batch,
                                      absl::Time) override {
    absl::MutexLock lock(&mu_);
    if (!ingest_status_.ok()) return ingest_status_;
    return IngestResult{static_cast<uint32_t>(batch.records_size()), false};
  }
  absl::StatusOr<std::vector<v1::SiteSummary>> ListSites() override {
    return std::vector<v1::SiteSummary>();
  }
  absl::StatusOr<std::vector<v1::AgentState>> ListAgents(absl::string_view,
                                                         absl::string_view,
                                                         int) override {
    return std::vector<v1::AgentState>();
  }
  absl::StatusOr<int64_t> CountRecords(absl::string_view) override { return 0; }

  void set_ingest_status(absl::Status s) {
    absl::MutexLock lock(&mu_);
    ingest_status_ = std::move(s);
  }

 private:
  absl::Mutex mu_;
  absl::Status ingest_status_;
};

TEST(RetryDelayForTest, OnlyUnavailableAndResourceExhaustedGetADelay) {
  AgentServiceOptions options;
  options.unavailable_retry_delay = absl::Seconds(7);
  options.rate_limited_retry_delay = absl::Milliseconds(1500);
  EXPECT_EQ(RetryDelayFor(absl::UnavailableError("store down"), options),
            absl::Seconds(7));
  EXPECT_EQ(RetryDelayFor(absl::ResourceExhaustedError("rate"), options),
            absl::Milliseconds(1500));
  EXPECT_FALSE(
      RetryDelayFor(absl::InvalidArgumentError("bad"), options).has_value());
  EXPECT_FALSE(
      RetryDelayFor(absl::AbortedError("conflict"), options).has_value());
  EXPECT_FALSE(RetryDelayFor(absl::OkStatus(), options).has_value());
}

class AgentServiceRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AgentServiceOptions options;
    options.unavailable_retry_delay = absl::Milliseconds(4200);
    core_ = std::make_unique<AgentServiceCore>(&store_, options);
    service_ = std::make_unique<AgentServiceImpl>(core_.get());
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
  std::pair<grpc::Status, std::string> Send() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    context.AddMetadata("authorization", "Bearer credential");
    v1::IngestRequest request;
    request.set_epoch(1);
    request.set_sequence(1);
    v1::IngestResponse response;
    grpc::Status status = stub_->Ingest(&context, request, &response);
    const auto& trailers = context.GetServerTrailingMetadata();
    auto it = trailers.find(kRetryAfterMetadataKey);
    std::string delay = it == trailers.end()
                            ? ""
                            : std::string(it->second.data(), it->second.size());
    return {status, delay};
  }

  FakeStore store_;
  std::unique_ptr<AgentServiceCore> core_;
  std::unique_ptr<AgentServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::AgentService::Stub> stub_;
};

TEST_F(AgentServiceRpcTest, StoreDownAnswersUnavailableWithRetryAfter) {
  store_.set_ingest_status(absl::UnavailableError("database unreachable"));
  auto [status, delay] = Send();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(delay, "4200");
}

TEST_F(AgentServiceRpcTest, RateExceededAnswersWithRetryAfter) {
  store_.set_ingest_status(absl::ResourceExhaustedError("too many batches"));
  auto [status, delay] = Send();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(delay, "1000");
}

TEST_F(AgentServiceRpcTest, SuccessAndOtherErrorsCarryNoDelay) {
  auto [ok, none] = Send();
  EXPECT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(none, "");
  store_.set_ingest_status(absl::InternalError("SQLSTATE XX000"));
  auto [internal, delay] = Send();
  EXPECT_EQ(internal.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(delay, "");
}

}  // namespace
}  // namespace natscope::server
