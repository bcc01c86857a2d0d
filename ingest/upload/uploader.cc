#include "ingest/upload/uploader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/zlib_codec.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"
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
  return grpc::CreateCustomChannel(server, std::move(credentials), args);
}

// The records of `records` as a serialized v1::RecordBatch, written
// directly (field 1, one length-delimited entry per record) rather than
// copied into one.
std::string SerializeRecordBatch(
    const google::protobuf::RepeatedPtrField<v1::Record>& records) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  for (const v1::Record& record : records) {
    coded.WriteTag(google::protobuf::internal::WireFormatLite::MakeTag(
        v1::RecordBatch::kRecordsFieldNumber,
        google::protobuf::internal::WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
    coded.WriteVarint32(static_cast<uint32_t>(record.ByteSizeLong()));
    record.SerializeWithCachedSizes(&coded);
  }
  coded.Trim();
  return out;
}

}  // namespace

absl::StatusOr<v1::IngestRequest> ToWire(const v1::IngestRequest& batch,
                                         bool compress, absl::Time now) {
  v1::IngestRequest request;
  request.set_epoch(batch.epoch());
  request.set_sequence(batch.sequence());
  *request.mutable_agent() = batch.agent();
  *request.mutable_counters() = batch.counters();
  request.mutable_sent()->set_seconds(absl::ToUnixSeconds(now));
  // A check-in has no records: nothing to compress, and the server tells
  // it from a batch by its empty records.
  if (!compress || batch.records().empty()) {
    *request.mutable_records() = batch.records();
    return request;
  }
  absl::StatusOr<std::string> deflated =
      ZlibDeflate(SerializeRecordBatch(batch.records()));
  if (!deflated.ok()) return deflated.status();
  request.set_records_encoding(v1::RECORD_ENCODING_ZLIB);
  request.set_compressed_records(*std::move(deflated));
  return request;
}

Uploader::Uploader(const std::string& server,
                   std::shared_ptr<grpc::ChannelCredentials> credentials,
                   UploaderOptions options)
    : server_(server),
      options_(options),
      stub_(v1::AgentService::NewStub(
          MakeChannel(server, std::move(credentials), options))) {}

absl::StatusOr<v1::IngestResponse> Uploader::Ingest(
    const v1::IngestRequest& batch) {
  const absl::Time now = absl::Now();
  absl::StatusOr<v1::IngestRequest> request = ToWire(batch, options_.compress, now);
  if (!request.ok()) return request.status();
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(now + options_.deadline));
  context.AddMetadata("authorization", absl::StrCat("Bearer ", credential_));
  v1::IngestResponse response;
  grpc::Status status = stub_->Ingest(&context, *request, &response);
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
