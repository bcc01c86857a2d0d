// Decoding the body of an OTLP/HTTP logs export (POST /v1/logs) into
// IntakeMessages: binary protobuf or JSON, identity or gzip, as the
// OpenTelemetry Collector's otlphttp exporter and the OpenTelemetry SDKs
// send it. Pure: no I/O, no clock; thread-safe.
//
//   auto encoding = OtlpEncodingOf(request.Header("content-type"));
//   if (!encoding.ok()) return ...415...;
//   auto decoded = DecodeOtlpLogs(request.body, *encoding,
//                                 request.Header("content-encoding"), {});
//   // decoded->messages go to IntakeSink::Submit once their token is set.
//
// Each log record becomes one IntakeMessage:
//   hostname  the resource's "host.name" attribute, else its "host.id";
//   role      the resource's "natscope.role", else the record's;
//   text      the body's string_value, one trailing newline removed;
//   time      time_unix_nano, else observed_time_unix_nano, else none;
//   source    "otlp:" + the record's "log.file.path" attribute, else "otlp";
//   token     left empty (the handler sets the request's bearer token).
// A record without a host, or whose body is not a non-empty string, or is
// longer than a line may be, is rejected with a reason instead.
#ifndef NATSCOPE_SERVER_INTAKE_OTLP_OTLP_DECODE_H_
#define NATSCOPE_SERVER_INTAKE_OTLP_OTLP_DECODE_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/intake/intake.h"

namespace natscope::server::intake {

// The two payload encodings of OTLP/HTTP.
enum class OtlpEncoding { kProtobuf, kJson };

// The encoding a Content-Type header names: "application/x-protobuf" or
// "application/json", in any case, parameters ("; charset=utf-8")
// ignored. Unimplemented for anything else (HTTP 415), naming both.
absl::StatusOr<OtlpEncoding> OtlpEncodingOf(absl::string_view content_type);

// The Content-Type of a response in `encoding` (the specification wants
// the request's media type back, without parameters).
const char* OtlpContentType(OtlpEncoding encoding);

struct OtlpDecodeOptions {
  // Bound on the body after decompression (before, too, when it is not
  // compressed). 20 MiB is the specification's recommended default.
  size_t max_inflated_bytes = 20 << 20;
  // Bound on log records in one request.
  size_t max_records = 10000;
  // Bound on one record's text, in bytes.
  size_t max_line_bytes = 64 << 10;
};

struct OtlpDecoded {
  // The records to submit, in request order; tokens empty.
  std::vector<IntakeMessage> messages;
  // record_of[i] is the index of messages[i] among all the request's log
  // records (counted across resource_logs, scope_logs and log_records in
  // order), so a sink's rejection of message i maps back to its record.
  std::vector<size_t> record_of;
  // Records refused here, as (record index, one-line reason), in order.
  std::vector<std::pair<size_t, std::string>> rejected;
  // Log records in the request (messages.size() + rejected.size()).
  size_t records = 0;
};

// Decodes `body`, sent with `content_encoding` ("gzip", "identity" or "").
// Unimplemented for another content encoding (HTTP 415); ResourceExhausted
// when the body inflates beyond options.max_inflated_bytes or holds more
// than options.max_records records (HTTP 413); InvalidArgument when it is
// not gzip or not an ExportLogsServiceRequest in `encoding` (HTTP 400).
// An empty body is an empty request. Messages name what to do next.
absl::StatusOr<OtlpDecoded> DecodeOtlpLogs(absl::string_view body,
                                           OtlpEncoding encoding,
                                           absl::string_view content_encoding,
                                           const OtlpDecodeOptions& options);

}  // namespace natscope::server::intake

#endif  // NATSCOPE_SERVER_INTAKE_OTLP_OTLP_DECODE_H_
