// AgentServiceCore: enrolment by per-site or global token, credential
// rotation, compressed ingest and its bounds, and retry delays. The gRPC
// face (authorisation from the credential, the per-agent rate limit, retry
// trailers) is in agent_service_rpc_test.cc.
#include "server/service/agent_service.h"

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

TEST_F(EnrollTest, IntakeTokenIsRefusedAndSaysWhatToUseInstead) {
  v1::EnrollmentTokenInfo info;
  const std::string hash = HashCredential("intake-token");
  info.set_token_id(auth::TokenIdOf(hash));
  info.set_site("paris");
  info.set_purpose(v1::TOKEN_PURPOSE_INTAKE);
  info.set_default_role(v1::ROLE_CLIENT);
  ASSERT_TRUE(store_.CreateEnrollmentToken(info, hash).ok());
  v1::EnrollRequest request;
  request.set_enrollment_token("intake-token");
  *request.mutable_identity() = Identity("p1", "paris");
  const absl::Status refused = core_->Enroll(request).status();
  EXPECT_TRUE(absl::IsPermissionDenied(refused)) << refused;
  EXPECT_NE(refused.message().find("is an intake token: it authenticates log "
                                   "shippers, not agents"),
            std::string::npos)
      << refused;
  EXPECT_NE(refused.message().find("natscope tokens enroll create paris"),
            std::string::npos)
      << refused;
  EXPECT_FALSE(store_.AgentById("p1").ok());
  auto token = store_.EnrollmentTokenByHash(hash);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->uses(), 0u);
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

TEST_F(IngestCoreTest, CheckInNeedsNoSequenceAndHearsProbeRequests) {
  v1::IngestRequest check_in;
  check_in.set_epoch(9);
  auto response = core_->IngestAs(Identity("p1", "paris"), check_in);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->sequence(), 0u);
  EXPECT_FALSE(response->probe_requested());
  EXPECT_FALSE(response->has_probe_requested_at());

  ASSERT_TRUE(store_.RequestProbe("paris", "", absl::InfinitePast(), kNow).ok());
  response = core_->IngestAs(Identity("p1", "paris"), check_in);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_TRUE(response->probe_requested());
  EXPECT_EQ(response->probe_requested_at().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(store_.CountRecordsForTest("p1"), 0);

  // A batch with records still needs both numbers; an epoch is always due.
  v1::IngestRequest batch = check_in;
  batch.add_records()->mutable_log()->set_kind("x");
  EXPECT_TRUE(absl::IsInvalidArgument(
      core_->IngestAs(Identity("p1", "paris"), batch).status()));
  check_in.set_epoch(0);
  EXPECT_TRUE(absl::IsInvalidArgument(
      core_->IngestAs(Identity("p1", "paris"), check_in).status()));
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

}  // namespace
}  // namespace natscope::server
