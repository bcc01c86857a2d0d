// POSTs a rendered report to a webhook URL: plain HTTP/1.1, one request per
// connection, a bounded wait. Only http:// URLs: natscope has no HTTP TLS
// client; point an https endpoint at a local relay (or use the report
// directory) until one lands.
#ifndef NATSCOPE_SERVER_REPORTS_WEBHOOK_H_
#define NATSCOPE_SERVER_REPORTS_WEBHOOK_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace natscope::server {

struct WebhookUrl {
  // "user:password" as written (percent-encoded), sent as HTTP Basic
  // credentials; empty when the URL has none.
  std::string userinfo;
  std::string host;  // Name or IP; IPv6 without brackets.
  std::string port = "80";
  std::string path = "/";  // With the query string, without the fragment.
};

// Parses http://[userinfo@]host[:port][/path][?query]. InvalidArgument
// naming the problem (https, another scheme, no host, a bad port); the
// message quotes the URL as RedactWebhookUrl shows it.
absl::StatusOr<WebhookUrl> ParseWebhookUrl(absl::string_view url);

// `url` with what commonly carries a secret replaced by "REDACTED": the
// userinfo, the query string and the fragment, e.g.
// "http://REDACTED@hooks.example:8080/in?REDACTED". Scheme, host, port and
// path are kept. A string without "://" becomes "REDACTED". Pure.
std::string RedactWebhookUrl(absl::string_view url);

// POSTs `body` with `content_type` to `url` and waits up to `timeout` for
// the status line. OK for a 2xx answer; Unavailable when the host cannot
// be reached or does not answer in time; FailedPrecondition with the status
// line for any other answer. Messages show the URL redacted (they end up
// in report runs, which viewers read, and in logs).
absl::Status PostWebhook(absl::string_view url, absl::string_view content_type,
                         absl::string_view body,
                         absl::Duration timeout = absl::Seconds(10));

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_REPORTS_WEBHOOK_H_
