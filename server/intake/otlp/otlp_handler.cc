#include "server/intake/otlp/otlp_handler.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/json_string.h"
#include "common/retry_after.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "server/intake/otlp/otlp_decode.h"

namespace natscope::server::intake {
namespace {

using natscope::http::HttpRequest;
using natscope::http::HttpResponse;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;
using Rejections = std::vector<std::pair<size_t, std::string>>;

constexpr char kNoToken[] =
    "no intake token: send it as the header \"Authorization: Bearer TOKEN\" "
    "(`natscope tokens enroll create SITE --intake` makes one)";

// A google.rpc.Status with its code (1, int32) and message (2, string),
// encoded by hand: the OTLP error body needs only these two fields, and
// a generated google.rpc package could clash with googleapis' own.
std::string StatusBody(const absl::Status& status, OtlpEncoding encoding) {
  const int32_t code = static_cast<int32_t>(status.code());
  if (encoding == OtlpEncoding::kJson) {
    std::string out = absl::StrCat("{\"code\":", code, ",\"message\":");
    AppendJsonString(status.message(), &out);
    out += "}";
    return out;
  }
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.WriteTag(1 << 3 | 0);  // Field 1, varint.
    coded.WriteVarint32SignExtended(code);
    coded.WriteTag(2 << 3 | 2);  // Field 2, length-delimited.
    coded.WriteVarint32(static_cast<uint32_t>(status.message().size()));
    coded.WriteRaw(status.message().data(),
                   static_cast<int>(status.message().size()));
  }
  return out;
}

HttpResponse Failure(int http_status, const absl::Status& status,
                     OtlpEncoding encoding) {
  HttpResponse response;
  response.status = http_status;
  response.content_type = OtlpContentType(encoding);
  response.body = StatusBody(status, encoding);
  return response;
}

// The token of "Authorization: Bearer TOKEN" (scheme in any case), "" when
// there is none.
std::string BearerToken(absl::string_view authorization) {
  authorization = absl::StripAsciiWhitespace(authorization);
  constexpr absl::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !absl::StartsWithIgnoreCase(authorization, kScheme)) {
    return "";
  }
  return std::string(
      absl::StripAsciiWhitespace(authorization.substr(kScheme.size())));
}

int HttpStatusOfDecodeError(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnimplemented:
      return 415;
    case absl::StatusCode::kResourceExhausted:
      return 413;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    default:
      return 500;
  }
}

// Retry-After in whole seconds, rounded up and at least 1 so that a
// sender never retries at once: the sink's retry-after payload
// (milliseconds), else the option's delay.
std::string RetryAfterSeconds(const absl::Status& status,
                              absl::Duration fallback) {
  absl::Duration delay = fallback;
  int64_t ms = 0;
  if (auto payload = status.GetPayload(kRetryAfterMetadataKey);
      payload.has_value() && absl::SimpleAtoi(std::string(*payload), &ms)) {
    delay = absl::Milliseconds(ms);
  }
  const int64_t seconds =
      absl::ToInt64Seconds(absl::Ceil(delay, absl::Seconds(1)));
  return absl::StrCat(std::max<int64_t>(seconds, 1));
}

HttpResponse SinkFailure(const absl::Status& status, OtlpEncoding encoding,
                         const OtlpHandlerOptions& options) {
  if (absl::IsUnavailable(status) || absl::IsResourceExhausted(status)) {
    const bool throttled = absl::IsResourceExhausted(status);
    HttpResponse response = Failure(throttled ? 429 : 503, status, encoding);
    response.headers.emplace_back(
        "Retry-After",
        RetryAfterSeconds(status, throttled ? options.rate_limited_retry_delay
                                            : options.unavailable_retry_delay));
    return response;
  }
  return Failure(
      500,
      absl::InternalError(absl::StrCat(
          "natscope-server failed to store the logs: ", status.message())),
      encoding);
}

// Whether the sink refused every one of `submitted` messages for its token.
bool AllRefusedForToken(const SubmitResult& result, size_t submitted) {
  if (submitted == 0 || result.rejected.size() < submitted) return false;
  return std::all_of(result.rejected.begin(), result.rejected.end(),
                     [](const auto& rejection) {
                       return absl::StartsWith(rejection.second,
                                               kIntakeTokenReasonPrefix);
                     });
}

HttpResponse Success(size_t records, const Rejections& rejected,
                     OtlpEncoding encoding) {
  ExportLogsServiceResponse answer;
  // The specification wants partial_success unset on full success.
  if (!rejected.empty()) {
    auto* partial = answer.mutable_partial_success();
    partial->set_rejected_log_records(static_cast<int64_t>(rejected.size()));
    partial->set_error_message(
        absl::StrCat(rejected.size(), " of ", records,
                     " log records rejected; the first (record ",
                     rejected.front().first, "): ", rejected.front().second));
  }
  HttpResponse response;
  response.content_type = OtlpContentType(encoding);
  if (encoding == OtlpEncoding::kProtobuf) {
    response.body = answer.SerializeAsString();
  } else {
    // Printing a valid message cannot fail.
    (void)google::protobuf::util::MessageToJsonString(answer, &response.body);
  }
  return response;
}

// Submits what decoded, then answers with every rejection by record index.
HttpResponse Submit(OtlpDecoded decoded, const std::string& token,
                    OtlpEncoding encoding, IntakeSink* sink,
                    const OtlpHandlerOptions& options) {
  Rejections rejected = std::move(decoded.rejected);
  const size_t submitted = decoded.messages.size();
  if (submitted > 0) {
    for (IntakeMessage& message : decoded.messages) message.token = token;
    absl::StatusOr<SubmitResult> result =
        sink->Submit(std::move(decoded.messages), options.clock->Now());
    if (!result.ok()) return SinkFailure(result.status(), encoding, options);
    if (AllRefusedForToken(*result, submitted)) {
      return Failure(401,
                     absl::UnauthenticatedError(result->rejected[0].second),
                     encoding);
    }
    for (auto& [index, reason] : result->rejected) {
      // A sink's index past the submission is its bug; count it anyway.
      const size_t record =
          index < decoded.record_of.size() ? decoded.record_of[index] : index;
      rejected.emplace_back(record, std::move(reason));
    }
    std::stable_sort(
        rejected.begin(), rejected.end(),
        [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  return Success(decoded.records, rejected, encoding);
}

}  // namespace

HttpResponse HandleOtlpLogs(const HttpRequest& request, IntakeSink* sink,
                            const OtlpHandlerOptions& options) {
  const absl::StatusOr<OtlpEncoding> encoding =
      OtlpEncodingOf(request.Header("content-type"));
  // Errors found before the media type is known are answered in JSON,
  // which a person trying the endpoint with curl can read.
  const OtlpEncoding reply = encoding.ok() ? *encoding : OtlpEncoding::kJson;
  if (request.method != "POST") {
    HttpResponse response = Failure(
        405,
        absl::UnimplementedError(absl::StrCat(
            "/v1/logs takes POST with an OTLP ExportLogsServiceRequest, not ",
            request.method)),
        reply);
    response.headers.emplace_back("Allow", "POST");
    return response;
  }
  const std::string token = BearerToken(request.Header("authorization"));
  if (token.empty()) {
    HttpResponse response =
        Failure(401, absl::UnauthenticatedError(kNoToken), reply);
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
  }
  if (!encoding.ok()) return Failure(415, encoding.status(), reply);
  OtlpDecodeOptions decode;
  decode.max_inflated_bytes = options.max_inflated_bytes;
  decode.max_records = options.max_records;
  decode.max_line_bytes = options.max_line_bytes;
  absl::StatusOr<OtlpDecoded> decoded = DecodeOtlpLogs(
      request.body, *encoding, request.Header("content-encoding"), decode);
  if (!decoded.ok()) {
    return Failure(HttpStatusOfDecodeError(decoded.status()), decoded.status(),
                   *encoding);
  }
  return Submit(*std::move(decoded), token, *encoding, sink, options);
}

}  // namespace natscope::server::intake
