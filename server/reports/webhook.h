// Report webhooks: one HTTPS (or loopback HTTP) POST per report, through
// libcurl. TLS is verified against the system's CA store or a schedule's
// CA file; redirects are not followed; resolving, connecting and the whole
// exchange are bounded; the answer is read to at most 64 KiB; no proxy is
// used, whatever the environment says. No retries: a run that fails is
// stored FAILED and never re-sent (producer.h).
//
// The body and signature are built by webhook_payload.h, URLs parsed and
// redacted by webhook_url.h (included here for the callers that check
// schedules). Every message quotes the URL redacted, and scrubs what the
// peer or libcurl said of the URL's secrets: messages end up in report
// runs, which viewers read, and in logs.
//
// Thread-safe: each call uses its own curl handle.
#ifndef NATSCOPE_SERVER_REPORTS_WEBHOOK_H_
#define NATSCOPE_SERVER_REPORTS_WEBHOOK_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "natscope/v1/reports.pb.h"
#include "server/reports/webhook_payload.h"
#include "server/reports/webhook_url.h"

namespace natscope::server {

struct WebhookTransportOptions {
  // PEM CA certificates to verify an https:// endpoint with, instead of the
  // system's store. Empty: the system's store.
  std::string ca_file;
  // Allows http:// to a host that is not loopback (CheckWebhookTransport).
  bool allow_plaintext = false;
  // Resolving the name, connecting and the TLS handshake.
  absl::Duration connect_timeout = absl::Seconds(5);
  // The whole exchange, connection included.
  absl::Duration timeout = absl::Seconds(10);
};

// POSTs `message` to `url`. Returns:
//   OK                  a 2xx answer (a 2xx whose body passes 64 KiB too:
//                       the rest is not read);
//   InvalidArgument     a URL ParseWebhookUrl refuses, or http:// to a host
//                       that is not loopback without allow_plaintext;
//   Unavailable         the name does not resolve, nothing accepts the
//                       connection, the connection breaks;
//   DeadlineExceeded    connect_timeout or timeout passed;
//   Unauthenticated     the endpoint's certificate is not trusted or does
//                       not name the host;
//   FailedPrecondition  any other answer, with its status line (a redirect
//                       with its Location, redacted: it is not followed),
//                       or a CA file that cannot be read.
absl::Status PostWebhook(absl::string_view url, const WebhookMessage& message,
                         const WebhookTransportOptions& options = {});

// Checks a schedule's webhook settings before it is stored: the URL
// parses and obeys the plaintext rule (webhook_plaintext opts out), the
// secret and CA files are absolute paths of at most 4096 bytes without
// control characters, the format is known, and no webhook option is given
// without a webhook URL. InvalidArgument naming the flag. Reads no file.
absl::Status CheckWebhookSchedule(const v1::ReportSchedule& schedule);

// Delivers one rendered report to `schedule`'s webhook: reads the signing
// secret (webhook_secret_file, common/secret_file.h rules) when set, builds
// the message for webhook_format signed at `now`, and POSTs it with the
// schedule's CA file and plaintext choice. `content_type` is the rendered
// report's. Errors: CheckWebhookSchedule's, the secret file's (NotFound,
// PermissionDenied, ...), PostWebhook's.
absl::Status DeliverReportWebhook(const v1::ReportSchedule& schedule,
                                  const v1::ReportData& data,
                                  absl::string_view report,
                                  absl::string_view content_type,
                                  absl::Time now);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_REPORTS_WEBHOOK_H_
