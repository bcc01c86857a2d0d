// AgentService: enrolment and ingest for natscope-agent.
//
// Every Ingest is authorised from the caller's credential (metadata
// "authorization: Bearer ..."), never from the identity inside the payload;
// a payload naming another agent or site is refused. Enroll needs an
// enrollment token of the site named in the identity (created by an admin
// through AdminService), or the global --enrollment_token; the credential
// it issues is bound to that site. Ingest is rate-limited per agent.
// Thread-safe: gRPC's synchronous server calls it from its own pool, and the
// stores are thread-safe.
//
// Retry delay: when Ingest fails with UNAVAILABLE (the store is down) or
// RESOURCE_EXHAUSTED (the agent is over its rate), the gRPC error carries
// trailing metadata "natscope-retry-after-ms" with a decimal number of
// milliseconds; natscope-agent waits at least that long before resending
// (ingest/upload/retry_delay.h reads it).
#ifndef NATSCOPE_SERVER_SERVICE_AGENT_SERVICE_H_
#define NATSCOPE_SERVER_SERVICE_AGENT_SERVICE_H_

#include "common/retry_after.h"
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "natscope/v1/agent.grpc.pb.h"
#include "server/auth/authenticator.h"
#include "server/auth/rate_limiter.h"
#include "server/service/batch_limits.h"
#include "server/store/agent_registry.h"
#include "server/store/fact_store.h"
#include "server/store/token_store.h"

namespace natscope::server {

struct AgentServiceOptions {
  // When non-empty, a global enrollment token valid for every site, besides
  // the per-site tokens of the TokenStore (--enrollment_token; kept for existing
  // deployments, prefer per-site tokens).
  std::string enrollment_token;
  // Per-agent Ingest rate (rate 0: no limit).
  auth::KeyedRateLimiterOptions ingest_rate;
  // Time for token expiry and the rate limit; must outlive the service.
  const Clock* clock = &RealClock::Get();
  // At most this many records per Ingest call.
  int max_records_per_batch = 10000;
  // At most this many bytes of records once inflated (compressed_records).
  size_t max_batch_bytes = 8 << 20;
  // Bounds of every field (batch_limits.h).
  FieldLimits limits;
  // Record times outside this window around their arrival are re-dated
  // (batch_limits.h); `past` follows --retention.
  TimeWindow time_window;
  // Retry delays sent with UNAVAILABLE and with RESOURCE_EXHAUSTED.
  absl::Duration unavailable_retry_delay = absl::Seconds(5);
  absl::Duration rate_limited_retry_delay = absl::Seconds(1);
};

// Trailing-metadata key of the retry delay (see the file comment).
// kRetryAfterMetadataKey: common/retry_after.h.

// The retry delay to send with a failed Ingest's `status`: its payload
// kRetryAfterMetadataKey (decimal milliseconds) when it has one, else the
// option for its code; nullopt for codes that do not call for one.
std::optional<absl::Duration> RetryDelayFor(const absl::Status& status,
                                            const AgentServiceOptions& options);

// The transport-free core, for tests: takes the credential explicitly.
class AgentServiceCore {
 public:
  // The stores are not owned and must outlive this object.
  AgentServiceCore(AgentRegistry* agents, TokenStore* tokens, FactStore* facts,
                   AgentServiceOptions options);

  // PermissionDenied when the enrollment token is missing, unknown,
  // revoked, expired, used up or of another site, or when the agent id is
  // taken by an agent of another site; AlreadyExists when the agent id is
  // enrolled and the request carries no valid current_credential
  // (AgentRegistry::EnrollAgent); InvalidArgument for a bad identity or an oversize field.
  absl::StatusOr<v1::EnrollResponse> Enroll(const v1::EnrollRequest& request);
  // Ingest for `agent`, already authenticated. PermissionDenied when the
  // payload names another agent or site; ResourceExhausted (with a retry
  // delay payload) when the agent is over its rate, and (without) when the
  // compressed records inflate past max_batch_bytes; InvalidArgument
  // naming the field when one is over its bound (FieldLimits) or the
  // compressed records are corrupt; AlreadyExists for a conflicting batch
  // (FactStore::Ingest). Records dated outside the time window are re-dated.
  absl::StatusOr<v1::IngestResponse> IngestAs(const v1::AgentIdentity& agent,
                                              const v1::IngestRequest& request);

  const AgentServiceOptions& options() const { return options_; }

 private:
  // OK for a valid token of the identity's site; *token_hash receives the
  // hash of a per-site token (empty for the global one).
  absl::Status CheckEnrollmentToken(absl::string_view token,
                                    const v1::AgentIdentity& identity,
                                    std::string* token_hash);
  // The records of `request` ready to store: `request` itself, or `*owned`
  // when they had to be inflated or re-dated.
  absl::StatusOr<const v1::IngestRequest*> PrepareBatch(
      const v1::IngestRequest& request, absl::Time received,
      v1::IngestRequest* owned);

  AgentRegistry* agents_;
  TokenStore* tokens_;
  FactStore* facts_;
  AgentServiceOptions options_;
  auth::KeyedRateLimiter ingest_limiter_;
};

// The gRPC face of AgentServiceCore.
class AgentServiceImpl final : public v1::AgentService::Service {
 public:
  // Both must outlive this object.
  AgentServiceImpl(AgentServiceCore* core, auth::Authenticator* authenticator)
      : core_(core), authenticator_(authenticator) {}

  grpc::Status Enroll(grpc::ServerContext* context,
                      const v1::EnrollRequest* request,
                      v1::EnrollResponse* response) override;
  grpc::Status Ingest(grpc::ServerContext* context,
                      const v1::IngestRequest* request,
                      v1::IngestResponse* response) override;

 private:
  AgentServiceCore* core_;
  auth::Authenticator* authenticator_;
};

// InvalidArgument naming the field when `identity` is not acceptable.
absl::Status ValidateIdentity(const v1::AgentIdentity& identity);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_SERVICE_AGENT_SERVICE_H_
