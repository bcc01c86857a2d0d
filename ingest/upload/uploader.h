// The agent's client of AgentService: enrolment and batch upload.
//
// Every call carries a deadline; Ingest calls carry the credential as
// "authorization: Bearer ..." metadata and are gzip-compressed. When the
// server answers a failed Ingest with trailing metadata
// "natscope-retry-after-ms: N" (see retry_delay.h), the returned status
// carries that delay: read it with GetRetryDelay(status).
// Thread-compatible.
#ifndef NATSCOPE_INGEST_UPLOAD_UPLOADER_H_
#define NATSCOPE_INGEST_UPLOAD_UPLOADER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/credentials.h"
#include "natscope/v1/agent.grpc.pb.h"

namespace natscope::ingest {

// Where batches go: the Uploader, or a fake in tests.
class IngestTransport {
 public:
  virtual ~IngestTransport() = default;
  // Sends one batch. Status codes are the server's, with UNAVAILABLE and
  // DEADLINE_EXCEEDED when it cannot be reached in time; a server-sent
  // retry delay rides along (GetRetryDelay).
  virtual absl::StatusOr<v1::IngestResponse> Ingest(
      const v1::IngestRequest& batch) = 0;
};

struct UploaderOptions {
  // Deadline of every call.
  absl::Duration deadline = absl::Seconds(10);
  // Send the records zlib-compressed in compressed_records (log lines
  // compress about tenfold). Not gRPC's message compression: the server
  // refuses that, as gRPC inflates it whole before any size limit.
  bool compress = true;
};

class Uploader : public IngestTransport {
 public:
  // `server` is HOST:PORT. `credentials` come from the caller: TLS with
  // the configured CA (grpc::SslCredentials) or, only when the operator
  // asked for plaintext, grpc::InsecureChannelCredentials().
  Uploader(const std::string& server,
           std::shared_ptr<grpc::ChannelCredentials> credentials,
           UploaderOptions options);
  // Enrollment is ingest/enroll's (RunEnroll); the credential it returns
  // is handed in with set_credential.

  absl::StatusOr<v1::IngestResponse> Ingest(
      const v1::IngestRequest& batch) override;

  void set_credential(std::string credential) {
    credential_ = std::move(credential);
  }
  const std::string& credential() const { return credential_; }
  const std::string& server() const { return server_; }

 private:
  std::string server_;
  UploaderOptions options_;
  std::unique_ptr<v1::AgentService::Stub> stub_;
  std::string credential_;
};

// What Uploader sends for `batch` at `now`: its key, identity and counters,
// the send time, and its records zlib-compressed in compressed_records
// (or as they are, without `compress` or records: a check-in). Internal
// when zlib fails.
absl::StatusOr<v1::IngestRequest> ToWire(const v1::IngestRequest& batch,
                                         bool compress, absl::Time now);

// True for failures worth retrying with backoff: UNAVAILABLE,
// DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNKNOWN.
bool IsRetryable(const absl::Status& status);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_UPLOAD_UPLOADER_H_
