// AgentService: enrolment by per-site token, Ingest authorised from the
// credential only, the per-agent rate limit, and retry delays.
#include "server/service/agent_service.h"

#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "common/sim_clock.h"
#include "common/zlib_codec.h"
#include "server/auth/credentials.h"
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

// Stores an enrollment token `secret` of `site`; returns its id.
std::string AddEnrollmentToken(TokenStore& store, const std::string& secret,
                               const std::string& site,
                               absl::Time expires = absl::InfiniteFuture(),
                               uint32_t max_uses = 0) {
  v1::EnrollmentTokenInfo info;
  const std::string hash = HashCredential(secret);
  info.set_token_id(auth::TokenIdOf(hash));
  info.set_site(site);
  info.set_max_uses(max_uses);
  if (expires != absl::InfiniteFuture()) {
    info.mutable_expires()->set_seconds(absl::ToUnixSeconds(expires));
  }
  EXPECT_TRUE(store.CreateEnrollmentToken(info, hash).ok());
  return info.token_id();
}

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
  absl::Status with_payload = absl::ResourceExhaustedError("rate");
  with_payload.SetPayload(kRetryAfterMetadataKey, absl::Cord("2500"));
  EXPECT_EQ(RetryDelayFor(with_payload, options), absl::Milliseconds(2500));
}

class EnrollTest : public ::testing::Test {
 protected:
  EnrollTest() {
    EXPECT_TRUE(store_.Migrate().ok());
    options_.clock = &clock_;
    core_ = std::make_unique<AgentServiceCore>(&store_, &store_, &store_, options_);
  }
  absl::StatusCode Enroll(const std::string& token, const std::string& id,
                          const std::string& site,
                          const std::string& current_credential = "",
                          std::string* credential = nullptr) {
    v1::EnrollRequest request;
    request.set_enrollment_token(token);
    request.set_current_credential(current_credential);
    *request.mutable_identity() = Identity(id, site);
    auto response = core_->Enroll(request);
    if (credential != nullptr && response.ok()) {
      *credential = response->credential();
    }
    if (response.ok()) {
      // The credential issued is bound to the enrolled site.
      auto agent =
          store_.AgentByCredentialHash(HashCredential(response->credential()));
      EXPECT_TRUE(agent.ok());
      EXPECT_EQ(agent->site(), site);
    }
    return response.status().code();
  }

  SimClock clock_{kNow};
  MemoryStore store_;
  AgentServiceOptions options_;
  std::unique_ptr<AgentServiceCore> core_;
};

TEST_F(EnrollTest, EnrolledAgentIdIsNotTakenOverWithTheSiteToken) {
  AddEnrollmentToken(store_, "paris-token", "paris");
  std::string first;
  ASSERT_EQ(Enroll("paris-token", "p1", "paris", "", &first),
            absl::StatusCode::kOk);
  v1::EnrollRequest request;
  request.set_enrollment_token("paris-token");
  *request.mutable_identity() = Identity("p1", "paris");
  auto refused = core_->Enroll(request);
  EXPECT_TRUE(absl::IsAlreadyExists(refused.status()));
  EXPECT_NE(refused.status().message().find("natscope agents reset p1"),
            std::string::npos)
      << refused.status();
  // The real agent's credential still works.
  EXPECT_TRUE(store_.AgentByCredentialHash(HashCredential(first)).ok());
}

TEST_F(EnrollTest, CurrentCredentialRotatesAndTheOldOneStops) {
  AddEnrollmentToken(store_, "paris-token", "paris");
  std::string first, second;
  ASSERT_EQ(Enroll("paris-token", "p1", "paris", "", &first),
            absl::StatusCode::kOk);
  ASSERT_EQ(Enroll("paris-token", "p1", "paris", first, &second),
            absl::StatusCode::kOk);
  EXPECT_FALSE(store_.AgentByCredentialHash(HashCredential(first)).ok());
  EXPECT_TRUE(store_.AgentByCredentialHash(HashCredential(second)).ok());
}

TEST_F(EnrollTest, AdminReleaseLetsTheIdEnrollAgain) {
  AddEnrollmentToken(store_, "paris-token", "paris");
  ASSERT_EQ(Enroll("paris-token", "p1", "paris"), absl::StatusCode::kOk);
  ASSERT_TRUE(store_.ReleaseAgent("p1").ok());
  EXPECT_EQ(Enroll("paris-token", "p1", "paris"), absl::StatusCode::kOk);
}

TEST_F(EnrollTest, UsedUpTokenIsRefused) {
  AddEnrollmentToken(store_, "paris-token", "paris", absl::InfiniteFuture(),
                     /*max_uses=*/1);
  EXPECT_EQ(Enroll("paris-token", "p1", "paris"), absl::StatusCode::kOk);
  EXPECT_EQ(Enroll("paris-token", "p2", "paris"),
            absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(store_.AgentById("p2").ok());
}

TEST_F(EnrollTest, OversizeIdentityIsRefusedWithABoundedMessage) {
  EXPECT_EQ(Enroll("x", std::string(10000, 'a'), "paris"),
            absl::StatusCode::kInvalidArgument);
  v1::EnrollRequest request;
  *request.mutable_identity() = Identity(std::string(10000, 'a'), "paris");
  EXPECT_LT(core_->Enroll(request).status().message().size(), 200u);
}

class IngestCoreTest : public ::testing::Test {
 protected:
  IngestCoreTest() {
    EXPECT_TRUE(store_.Migrate().ok());
    EXPECT_TRUE(store_.EnrollAgent(Identity("p1", "paris"), "h", "", "").ok());
    options_.clock = &clock_;
    options_.max_batch_bytes = 1 << 20;
    core_ = std::make_unique<AgentServiceCore>(&store_, &store_, &store_, options_);
  }
  v1::IngestRequest Compressed(const v1::RecordBatch& records) {
    v1::IngestRequest request;
    request.set_epoch(1);
    request.set_sequence(++sequence_);
    request.set_records_encoding(v1::RECORD_ENCODING_ZLIB);
    request.set_compressed_records(
        ZlibDeflate(records.SerializeAsString()).value());
    return request;
  }

  SimClock clock_{kNow};
  MemoryStore store_;
  AgentServiceOptions options_;
  std::unique_ptr<AgentServiceCore> core_;
  uint64_t sequence_ = 0;
};

TEST_F(IngestCoreTest, CompressedRecordsAreStored) {
  v1::RecordBatch records;
  v1::LogEvent* event = records.add_records()->mutable_log();
  event->set_kind("stun_nat_type");
  (*event->mutable_fields())["nat_type"] = "symmetric";
  auto response = core_->IngestAs(Identity("p1", "paris"), Compressed(records));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->records_committed(), 1u);
  EXPECT_EQ(store_.CountRecordsForTest("p1"), 1);
}

TEST_F(IngestCoreTest, RecordsInflatingPastTheLimitAreResourceExhausted) {
  v1::RecordBatch records;
  records.add_records()->mutable_log()->set_raw_line(std::string(60000, 'a'));
  for (int i = 0; i < 20; ++i) *records.add_records() = records.records(0);
  auto response = core_->IngestAs(Identity("p1", "paris"), Compressed(records));
  EXPECT_TRUE(absl::IsResourceExhausted(response.status()))
      << response.status();
  EXPECT_EQ(store_.CountRecordsForTest("p1"), 0);
}

TEST_F(IngestCoreTest, CorruptCompressedRecordsAreInvalid) {
  v1::IngestRequest request = Compressed(v1::RecordBatch());
  request.set_compressed_records("garbage");
  EXPECT_TRUE(absl::IsInvalidArgument(
      core_->IngestAs(Identity("p1", "paris"), request).status()));
}

TEST_F(EnrollTest, SiteTokenEnrollsAgentsOfItsSite) {
  AddEnrollmentToken(store_, "paris-token", "paris");
  EXPECT_EQ(Enroll("paris-token", "p1", "paris"), absl::StatusCode::kOk);
}

TEST_F(EnrollTest, SiteTokenCannotEnrollAnAgentOfAnotherSite) {
  AddEnrollmentToken(store_, "paris-token", "paris");
  EXPECT_EQ(Enroll("paris-token", "l1", "lyon"),
            absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(store_.AgentById("l1").ok());
}

TEST_F(EnrollTest, RevokedTokenIsRefused) {
  const std::string id = AddEnrollmentToken(store_, "paris-token", "paris");
  ASSERT_TRUE(store_.RevokeEnrollmentToken(id, kNow).ok());
  EXPECT_EQ(Enroll("paris-token", "p1", "paris"),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(EnrollTest, ExpiredTokenIsRefused) {
  AddEnrollmentToken(store_, "paris-token", "paris", kNow + absl::Hours(1));
  EXPECT_EQ(Enroll("paris-token", "p1", "paris"), absl::StatusCode::kOk);
  clock_.Set(kNow + absl::Hours(1));
  EXPECT_EQ(Enroll("paris-token", "p2", "paris"),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(EnrollTest, MissingOrUnknownTokenIsRefused) {
  EXPECT_EQ(Enroll("", "p1", "paris"), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Enroll("guess", "p1", "paris"),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(EnrollTest, SiteTokenCannotTakeOverAnAgentIdOfAnotherSite) {
  AddEnrollmentToken(store_, "paris-token", "paris");
  AddEnrollmentToken(store_, "lyon-token", "lyon");
  ASSERT_EQ(Enroll("paris-token", "host-1", "paris"), absl::StatusCode::kOk);
  EXPECT_EQ(Enroll("lyon-token", "host-1", "lyon"),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_.AgentById("host-1")->site(), "paris");
}

TEST_F(EnrollTest, GlobalFlagTokenEnrollsAnySite) {
  options_.enrollment_token = "global-secret";
  core_ = std::make_unique<AgentServiceCore>(&store_, &store_, &store_, options_);
  EXPECT_EQ(Enroll("global-secret", "p1", "paris"), absl::StatusCode::kOk);
  EXPECT_EQ(Enroll("global-secret", "l1", "lyon"), absl::StatusCode::kOk);
  EXPECT_EQ(Enroll("other", "l2", "lyon"), absl::StatusCode::kPermissionDenied);
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
