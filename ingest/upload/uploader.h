// The agent's client of AgentService: enrolment and batch upload.
//
// Every call carries a deadline; Ingest calls carry the credential as
// "authorization: Bearer ..." metadata. Thread-compatible.
#ifndef NATSCOPE_INGEST_UPLOAD_UPLOADER_H_
#define NATSCOPE_INGEST_UPLOAD_UPLOADER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "natscope/v1/agent.grpc.pb.h"

namespace natscope::ingest {

class Uploader {
 public:
  // `server` is HOST:PORT; the connection is plaintext (TLS arrives with
  // the agent pipeline).
  Uploader(const std::string& server, absl::Duration deadline);

  // Enrolls `identity` and remembers the credential it gets.
  absl::Status Enroll(const v1::AgentIdentity& identity,
                      const std::string& enrollment_token);

  // Sends one batch. Status codes are the server's, with UNAVAILABLE and
  // DEADLINE_EXCEEDED when it cannot be reached in time.
  absl::StatusOr<v1::IngestResponse> Ingest(const v1::IngestRequest& batch);

  void set_credential(std::string credential) { credential_ = std::move(credential); }
  const std::string& credential() const { return credential_; }
  const std::string& server() const { return server_; }

 private:
  std::string server_;
  absl::Duration deadline_;
  std::unique_ptr<v1::AgentService::Stub> stub_;
  std::string credential_;
};

// True for failures worth retrying with backoff.
bool IsRetryable(const absl::Status& status);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_UPLOAD_UPLOADER_H_
