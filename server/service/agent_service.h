// AgentService: enrolment and ingest for natscope-agent.
//
// Every Ingest is authorised from the caller's credential (metadata
// "authorization: Bearer ..."), never from the identity inside the payload;
// a payload naming another agent or site is refused. Thread-safe: gRPC's
// synchronous server calls it from its own pool, and the Store is
// thread-safe.
//
// Retry delay: when Ingest fails with UNAVAILABLE (the store is down) or
// RESOURCE_EXHAUSTED (the agent is over its rate), the gRPC error carries
// trailing metadata "natscope-retry-after-ms" with a decimal number of
// milliseconds; natscope-agent waits at least that long before resending
// (ingest/upload/retry_delay.h reads it).
#ifndef NATSCOPE_SERVER_SERVICE_AGENT_SERVICE_H_
#define NATSCOPE_SERVER_SERVICE_AGENT_SERVICE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "natscope/v1/agent.grpc.pb.h"
#include "server/store/store.h"

namespace natscope::server {

struct AgentServiceOptions {
  // When non-empty, Enroll requires this token.
  std::string enrollment_token;
  // At most this many records per Ingest call.
  int max_records_per_batch = 10000;
  // Retry delays sent with UNAVAILABLE and with RESOURCE_EXHAUSTED.
  absl::Duration unavailable_retry_delay = absl::Seconds(5);
  absl::Duration rate_limited_retry_delay = absl::Seconds(1);
};

// Trailing-metadata key of the retry delay (see the file comment).
inline constexpr char kRetryAfterMetadataKey[] = "natscope-retry-after-ms";

// The retry delay to send with a failed Ingest's `status`; nullopt for
// codes that do not call for one.
std::optional<absl::Duration> RetryDelayFor(const absl::Status& status,
                                            const AgentServiceOptions& options);

// The transport-free core, for tests: takes the credential explicitly.
class AgentServiceCore {
 public:
  // `store` must outlive this object.
  AgentServiceCore(Store* store, AgentServiceOptions options);

  absl::StatusOr<v1::EnrollResponse> Enroll(const v1::EnrollRequest& request);
  absl::StatusOr<v1::IngestResponse> Ingest(absl::string_view credential,
                                            const v1::IngestRequest& request);

  const AgentServiceOptions& options() const { return options_; }

 private:
  Store* store_;
  AgentServiceOptions options_;
};

// The gRPC face of AgentServiceCore.
class AgentServiceImpl final : public v1::AgentService::Service {
 public:
  explicit AgentServiceImpl(AgentServiceCore* core) : core_(core) {}

  grpc::Status Enroll(grpc::ServerContext* context,
                      const v1::EnrollRequest* request,
                      v1::EnrollResponse* response) override;
  grpc::Status Ingest(grpc::ServerContext* context,
                      const v1::IngestRequest* request,
                      v1::IngestResponse* response) override;

 private:
  AgentServiceCore* core_;
};

// InvalidArgument naming the field when `identity` is not acceptable.
absl::Status ValidateIdentity(const v1::AgentIdentity& identity);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_SERVICE_AGENT_SERVICE_H_
