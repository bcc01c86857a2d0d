#include "server/intake/otlp/otlp_decode.h"

#include <google/protobuf/util/json_util.h>

#include <cstdint>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/zlib_codec.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace natscope::server::intake {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::KeyValue;
using opentelemetry::proto::logs::v1::LogRecord;
using opentelemetry::proto::logs::v1::ResourceLogs;
using Attributes = google::protobuf::RepeatedPtrField<KeyValue>;

// A parser's error can quote the body; keep the reply to one short line.
constexpr size_t kMaxParserErrorBytes = 200;

constexpr char kNoHost[] = "resource has no host.name or host.id attribute";

// The string value of attribute `key`, "" when absent or not a string.
absl::string_view StringAttribute(const Attributes& attributes,
                                  absl::string_view key) {
  for (const KeyValue& kv : attributes) {
    if (kv.key() == key && kv.value().value_case() == AnyValue::kStringValue) {
      return kv.value().string_value();
    }
  }
  return "";
}

// Nanoseconds since the epoch as a time; 0 is OTLP's "unknown". Split in
// seconds so that no uint64 value overflows absl's int64 arithmetic.
std::optional<absl::Time> TimeOf(uint64_t unix_nanos) {
  if (unix_nanos == 0) return std::nullopt;
  constexpr uint64_t kNanosPerSecond = 1000000000;
  return absl::FromUnixSeconds(
             static_cast<int64_t>(unix_nanos / kNanosPerSecond)) +
         absl::Nanoseconds(static_cast<int64_t>(unix_nanos % kNanosPerSecond));
}

absl::StatusOr<std::string> Inflate(absl::string_view body,
                                    absl::string_view content_encoding,
                                    size_t max_bytes) {
  const std::string coding =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(content_encoding));
  if (coding == "gzip" || coding == "x-gzip") {
    return GzipInflateBounded(body, max_bytes);
  }
  if (!coding.empty() && coding != "identity") {
    return absl::UnimplementedError(absl::StrCat(
        "Content-Encoding \"", absl::CHexEscape(content_encoding.substr(0, 40)),
        "\" is not supported: send gzip or no Content-Encoding"));
  }
  if (body.size() > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the body is over ", max_bytes, " bytes: send smaller requests"));
  }
  return std::string(body);
}

absl::Status Parse(const std::string& body, OtlpEncoding encoding,
                   ExportLogsServiceRequest* request) {
  if (body.empty()) return absl::OkStatus();
  if (encoding == OtlpEncoding::kProtobuf) {
    if (request->ParseFromString(body)) return absl::OkStatus();
    return absl::InvalidArgumentError(
        "the body is not a binary protobuf ExportLogsServiceRequest "
        "(Content-Type: application/x-protobuf)");
  }
  // Unknown fields are skipped as the specification requires of
  // receivers; they include traceId and spanId, whose hex OTLP/JSON
  // protobuf's own JSON mapping would not accept (logs.proto).
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status =
      google::protobuf::util::JsonStringToMessage(body, request, options);
  if (status.ok()) return absl::OkStatus();
  std::string why(status.message());
  if (why.size() > kMaxParserErrorBytes) why.resize(kMaxParserErrorBytes);
  return absl::InvalidArgumentError(absl::StrCat(
      "the body is not an OTLP/JSON ExportLogsServiceRequest: ", why));
}

// The line a record carries, or why it has none fit for natscope.
absl::StatusOr<std::string> TextOf(const LogRecord& record,
                                   size_t max_line_bytes) {
  if (record.body().value_case() == AnyValue::VALUE_NOT_SET) {
    return absl::InvalidArgumentError("log record has no body");
  }
  const AnyValue* line = &record.body();
  // Shippers that wrap a tailed line in a map (Fluent Bit's {"log": ...}
  // without logs_body_key) still carry the line under a well-known key.
  if (line->value_case() == AnyValue::kKvlistValue) {
    for (const char* key : {"log", "message", "msg"}) {
      for (const auto& kv : line->kvlist_value().values()) {
        if (kv.key() == key && kv.value().value_case() == AnyValue::kStringValue) {
          line = &kv.value();
          break;
        }
      }
      if (line != &record.body()) break;
    }
  }
  if (line->value_case() != AnyValue::kStringValue) {
    return absl::InvalidArgumentError(
        "log record body is not a string (nor a map with a string under "
        "\"log\", \"message\" or \"msg\"): natscope reads text log lines");
  }
  absl::string_view text = line->string_value();
  if (absl::ConsumeSuffix(&text, "\n")) absl::ConsumeSuffix(&text, "\r");
  if (text.empty()) {
    return absl::InvalidArgumentError("log record body is empty");
  }
  if (text.size() > max_line_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "log record body is ", text.size(), " bytes, over the limit of ",
        max_line_bytes, ": natscope reads single log lines"));
  }
  return std::string(text);
}

// The records of one ResourceLogs, the first numbered `*record`.
void AddResource(const ResourceLogs& resource_logs, size_t max_line_bytes,
                 size_t* record, OtlpDecoded* out) {
  const Attributes& resource = resource_logs.resource().attributes();
  absl::string_view host = StringAttribute(resource, "host.name");
  if (host.empty()) host = StringAttribute(resource, "host.id");
  const absl::string_view resource_role =
      StringAttribute(resource, "natscope.role");
  for (const auto& scope_logs : resource_logs.scope_logs()) {
    for (const LogRecord& log : scope_logs.log_records()) {
      const size_t index = (*record)++;
      if (host.empty()) {
        out->rejected.emplace_back(index, kNoHost);
        continue;
      }
      absl::StatusOr<std::string> text = TextOf(log, max_line_bytes);
      if (!text.ok()) {
        out->rejected.emplace_back(index, std::string(text.status().message()));
        continue;
      }
      IntakeMessage message;
      message.hostname = std::string(host);
      message.role =
          std::string(resource_role.empty()
                          ? StringAttribute(log.attributes(), "natscope.role")
                          : resource_role);
      message.text = *std::move(text);
      message.time = TimeOf(log.time_unix_nano());
      if (!message.time) message.time = TimeOf(log.observed_time_unix_nano());
      const absl::string_view path =
          StringAttribute(log.attributes(), "log.file.path");
      message.source = path.empty() ? "otlp" : absl::StrCat("otlp:", path);
      out->messages.push_back(std::move(message));
      out->record_of.push_back(index);
    }
  }
}

}  // namespace

absl::StatusOr<OtlpEncoding> OtlpEncodingOf(absl::string_view content_type) {
  absl::string_view media = content_type.substr(0, content_type.find(';'));
  media = absl::StripAsciiWhitespace(media);
  if (absl::EqualsIgnoreCase(media, "application/x-protobuf")) {
    return OtlpEncoding::kProtobuf;
  }
  if (absl::EqualsIgnoreCase(media, "application/json")) {
    return OtlpEncoding::kJson;
  }
  return absl::UnimplementedError(absl::StrCat(
      "Content-Type \"", absl::CHexEscape(content_type.substr(0, 60)),
      "\" is not supported: send application/x-protobuf or application/json"));
}

const char* OtlpContentType(OtlpEncoding encoding) {
  return encoding == OtlpEncoding::kProtobuf ? "application/x-protobuf"
                                             : "application/json";
}

absl::StatusOr<OtlpDecoded> DecodeOtlpLogs(absl::string_view body,
                                           OtlpEncoding encoding,
                                           absl::string_view content_encoding,
                                           const OtlpDecodeOptions& options) {
  absl::StatusOr<std::string> inflated =
      Inflate(body, content_encoding, options.max_inflated_bytes);
  if (!inflated.ok()) return inflated.status();
  ExportLogsServiceRequest request;
  if (absl::Status parsed = Parse(*inflated, encoding, &request);
      !parsed.ok()) {
    return parsed;
  }
  std::string().swap(*inflated);  // Free it before the lines are copied.
  OtlpDecoded out;
  for (const ResourceLogs& resource_logs : request.resource_logs()) {
    for (const auto& scope_logs : resource_logs.scope_logs()) {
      out.records += scope_logs.log_records_size();
    }
  }
  if (out.records > options.max_records) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the request has ", out.records,
                     " log records, over the limit of ", options.max_records,
                     " per request: lower the exporter's batch size (e.g. the "
                     "collector's send_batch_max_size)"));
  }
  size_t record = 0;
  for (const ResourceLogs& resource_logs : request.resource_logs()) {
    AddResource(resource_logs, options.max_line_bytes, &record, &out);
  }
  return out;
}

}  // namespace natscope::server::intake
