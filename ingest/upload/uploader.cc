#include "ingest/upload/uploader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "grpcpp/grpcpp.h"
#include "ingest/upload/retry_delay.h"

namespace natscope::ingest {
namespace {

absl::Status Explain(const grpc::Status& status, const std::string& server) {
  absl::Status s = FromGrpcStatus(status);
  if (absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s)) {
    return absl::Status(
        s.code(), absl::StrCat("cannot reach natscope-server at ", server, ": ",
                               s.message()));
  }
  return s;
}

// The server's retry delay, when it sent one with a failure.
std::optional<absl::Duration> ServerRetryDelay(
    const grpc::ClientContext& context) {
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find(kRetryAfterMetadataKey);
  if (it == trailers.end()) return std::nullopt;
  return ParseRetryAfterMs(
      absl::string_view(it->second.data(), it->second.size()));
}

std::shared_ptr<grpc::Channel> MakeChannel(
    const std::string& server,
    std::shared_ptr<grpc::ChannelCredentials> credentials,
    const UploaderOptions& options) {
  grpc::ChannelArguments args;
  if (options.gzip) args.SetCompressionAlgorithm(GRPC_COMPRESS_GZIP);
  return grpc::CreateCustomChannel(server, std::move(credentials), args);
}

}  // namespace

Uploader::Uploader(const std::string& server,
                   std::shared_ptr<grpc::ChannelCredentials> credentials,
                   UploaderOptions options)
    : server_(server),
      options_(options),
      stub_(v1::AgentService::NewStub(
          MakeChannel(server, std::move(credentials), options))) {}

absl::StatusOr<v1::IngestResponse> Uploader::Ingest(
    const v1::IngestRequest& batch) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
  if (options_.gzip) context.set_compression_algorithm(GRPC_COMPRESS_GZIP);
  context.AddMetadata("authorization", absl::StrCat("Bearer ", credential_));
  v1::IngestResponse response;
  grpc::Status status = stub_->Ingest(&context, batch, &response);
  if (!status.ok()) {
    absl::Status error = Explain(status, server_);
    if (auto delay = ServerRetryDelay(context)) SetRetryDelay(&error, *delay);
    return error;
  }
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
