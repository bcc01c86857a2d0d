#include "ingest/upload/uploader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "grpcpp/grpcpp.h"

namespace natscope::ingest {
namespace {

absl::Status Explain(const grpc::Status& status, const std::string& server) {
  absl::Status s = FromGrpcStatus(status);
  if (absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s)) {
    return absl::Status(s.code(),
                        absl::StrCat("cannot reach natscope-server at ", server,
                                     ": ", s.message()));
  }
  return s;
}

}  // namespace

Uploader::Uploader(const std::string& server, absl::Duration deadline)
    : server_(server),
      deadline_(deadline),
      stub_(v1::AgentService::NewStub(
          grpc::CreateChannel(server, grpc::InsecureChannelCredentials()))) {}

absl::Status Uploader::Enroll(const v1::AgentIdentity& identity,
                              const std::string& enrollment_token) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  v1::EnrollRequest request;
  *request.mutable_identity() = identity;
  request.set_enrollment_token(enrollment_token);
  v1::EnrollResponse response;
  grpc::Status status = stub_->Enroll(&context, request, &response);
  if (!status.ok()) return Explain(status, server_);
  credential_ = response.credential();
  return absl::OkStatus();
}

absl::StatusOr<v1::IngestResponse> Uploader::Ingest(
    const v1::IngestRequest& batch) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  context.AddMetadata("authorization", absl::StrCat("Bearer ", credential_));
  v1::IngestResponse response;
  grpc::Status status = stub_->Ingest(&context, batch, &response);
  if (!status.ok()) return Explain(status, server_);
  return response;
}

bool IsRetryable(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
      return true;
    default:
      return false;
  }
}

}  // namespace natscope::ingest
