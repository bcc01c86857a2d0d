// AgentService: enrolment and ingest for natscope-agent.
//
// Every Ingest is authorised from the caller's credential (metadata
// "authorization: Bearer ..."), never from the identity inside the payload;
// a payload naming another agent or site is refused. Thread-safe: gRPC's
// synchronous server calls it from its own pool, and the Store is
// thread-safe.
#ifndef NATSCOPE_SERVER_SERVICE_AGENT_SERVICE_H_
#define NATSCOPE_SERVER_SERVICE_AGENT_SERVICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "natscope/v1/agent.grpc.pb.h"
#include "server/store/store.h"

namespace natscope::server {

struct AgentServiceOptions {
  // When non-empty, Enroll requires this token.
  std::string enrollment_token;
  // At most this many records per Ingest call.
  int max_records_per_batch = 10000;
};

// The transport-free core, for tests: takes the credential explicitly.
class AgentServiceCore {
 public:
  // `store` must outlive this object.
  AgentServiceCore(Store* store, AgentServiceOptions options);

  absl::StatusOr<v1::EnrollResponse> Enroll(const v1::EnrollRequest& request);
  absl::StatusOr<v1::IngestResponse> Ingest(absl::string_view credential,
                                            const v1::IngestRequest& request);

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
