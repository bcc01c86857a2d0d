// The OTLP/HTTP logs endpoint (POST /v1/logs) of natscope-server's intake:
// what an OpenTelemetry Collector's otlphttp exporter, or an SDK's OTLP
// log exporter, sends there is decoded (otlp_decode.h), handed to an
// IntakeSink and answered as the OTLP specification says, so that the
// sender retries exactly what may succeed later.
//
//   HTTP answer                 when                             sender
//   200 ExportLogsServiceResponse  stored, or some records refused   done
//       (partial_success: rejected count and the first reason)
//   400  the body is not an ExportLogsServiceRequest           drops it
//   401  no bearer token, or the sink refused every record for
//        its token (unknown, revoked)                          drops it
//   405  not POST (Allow: POST)                                drops it
//   413  over max_inflated_bytes or max_records                drops it
//   415  another Content-Type or Content-Encoding              drops it
//   429  the sink said ResourceExhausted (Retry-After)         retries
//   503  the sink said Unavailable (Retry-After)               retries
//   500  any other sink error (a bug)                          drops it
// Every 4xx and 5xx body is a google.rpc.Status {code, message} in the
// request's encoding (JSON when the request's Content-Type is neither),
// with the gRPC code equivalent to the HTTP status.
//
// The token contract with the sink: the request's bearer token is set on
// every message, and the sink refuses a message for its token (unknown,
// revoked, not an intake token) with a reason that begins exactly
// "intake token". When every record the sink was given is refused so,
// the answer is 401 rather than a partial success, so that an operator
// sees the misconfigured exporter fail; 401 rather than 403 because the
// credential itself is bad, and because the specification makes every
// 4xx but 429 final, neither makes the exporter retry forever.
#ifndef NATSCOPE_SERVER_INTAKE_OTLP_OTLP_HANDLER_H_
#define NATSCOPE_SERVER_INTAKE_OTLP_OTLP_HANDLER_H_

#include <cstddef>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/http/http.h"
#include "server/intake/intake.h"

namespace natscope::server::intake {

// The prefix of every per-message reason with which an IntakeSink refuses
// a message for its token (see above).
inline constexpr char kIntakeTokenReasonPrefix[] = "intake token";

struct OtlpHandlerOptions {
  // Bound on a request body after gzip decompression; 20 MiB is the
  // specification's recommended default. (The listener bounds the bytes
  // on the wire: ListenerOptions::max_body_bytes.)
  size_t max_inflated_bytes = 20 << 20;
  // Bound on log records in one request.
  size_t max_records = 10000;
  // Bound on one record's text, in bytes.
  size_t max_line_bytes = 64 << 10;
  // Gives `received` for IntakeSink::Submit. Not owned; must outlive the
  // handler's calls.
  const Clock* clock = &RealClock::Get();
  // Retry-After when the sink's Unavailable or ResourceExhausted carries
  // no retry-after payload (common/retry_after.h).
  absl::Duration unavailable_retry_delay = absl::Seconds(5);
  absl::Duration rate_limited_retry_delay = absl::Seconds(1);
};

// Answers one request to /v1/logs (see the table above). Thread-safe when
// `sink` is; `sink` is not owned. Never throws.
natscope::http::HttpResponse HandleOtlpLogs(
    const natscope::http::HttpRequest& request, IntakeSink* sink,
    const OtlpHandlerOptions& options);

}  // namespace natscope::server::intake

#endif  // NATSCOPE_SERVER_INTAKE_OTLP_OTLP_HANDLER_H_
