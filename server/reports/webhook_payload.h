// What a report webhook POSTs: the body for the schedule's webhook format
// and the optional HMAC signature headers. Pure: no I/O, time passed in;
// thread-safe. The transport is webhook.h.
//
//   WebhookMessage m = BuildWebhookMessage(v1::WEBHOOK_FORMAT_SLACK, data,
//                                          rendered, "text/markdown", secret,
//                                          clock.Now());
//
// Signature scheme (docs/server.md, "Webhooks"): with a secret,
//   X-Natscope-Timestamp: <Unix seconds>
//   X-Natscope-Signature: sha256=<lower-case hex of
//       HMAC-SHA256(secret, "<Unix seconds>." + body)>
// where body is the exact bytes POSTed.
#ifndef NATSCOPE_SERVER_REPORTS_WEBHOOK_PAYLOAD_H_
#define NATSCOPE_SERVER_REPORTS_WEBHOOK_PAYLOAD_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "natscope/v1/reports.pb.h"

namespace natscope::server {

inline constexpr char kWebhookTimestampHeader[] = "X-Natscope-Timestamp";
inline constexpr char kWebhookSignatureHeader[] = "X-Natscope-Signature";

struct WebhookMessage {
  std::string content_type;
  std::string body;
  // Extra request headers (the signature), in order.
  std::vector<std::pair<std::string, std::string>> headers;
};

// "sha256=" and the lower-case hex HMAC-SHA256 of "<unix_seconds>." + body
// keyed with `secret`.
std::string WebhookSignature(absl::string_view secret, int64_t unix_seconds,
                             absl::string_view body);

// The chat summary of `data`, in Slack's mrkdwn with &, < and > escaped
// (so that no site name can mention a channel or make a link): the title,
// the summary line, then up to five worst sites with their peer-to-peer
// share, agents and findings, and how many more sites there are.
std::string SlackText(const v1::ReportData& data);

// {"text": SlackText(data)} as JSON.
std::string SlackPayload(const v1::ReportData& data);

// The message for `format`: the rendered `report` with `report_content_type`
// (WEBHOOK_FORMAT_UNSPECIFIED) or SlackPayload (WEBHOOK_FORMAT_SLACK,
// application/json). Signed at `now` when `secret` is not empty.
WebhookMessage BuildWebhookMessage(v1::WebhookFormat format,
                                   const v1::ReportData& data,
                                   absl::string_view report,
                                   absl::string_view report_content_type,
                                   absl::string_view secret, absl::Time now);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_REPORTS_WEBHOOK_PAYLOAD_H_
