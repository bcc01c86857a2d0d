// Webhook URLs: parsing, the plaintext rule, and redaction for anything a
// viewer or a log may show. Pure functions; thread-safe.
#ifndef NATSCOPE_SERVER_REPORTS_WEBHOOK_URL_H_
#define NATSCOPE_SERVER_REPORTS_WEBHOOK_URL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natscope::server {

struct WebhookUrl {
  std::string scheme = "https";  // "http" or "https", lower case.
  // "user:password" as written (percent-encoded), sent as HTTP Basic
  // credentials; empty when the URL has none.
  std::string userinfo;
  std::string host;          // Name or IP; IPv6 without brackets.
  std::string port = "443";  // 80 for http when the URL gives none.
  std::string path = "/";    // With the query string, without the fragment.
};

// Parses http(s)://[userinfo@]host[:port][/path][?query]. InvalidArgument
// naming the problem (another scheme, no host, a host with characters
// other than letters, digits, '.', '-', '_' or an IPv6 literal, a bad port,
// spaces or control characters); the message quotes the URL as
// RedactWebhookUrl shows it. Syntax only: see CheckWebhookTransport for the
// plaintext rule.
absl::StatusOr<WebhookUrl> ParseWebhookUrl(absl::string_view url);

// The URL natscope hands to its HTTP client, rebuilt from the parsed parts
// (so that the client cannot read another host than ParseWebhookUrl did):
// "https://user:pw@[::1]:8443/in?k=v".
std::string WebhookUrlString(const WebhookUrl& url);

// True for "localhost", 127.0.0.0/8 and ::1.
bool IsLoopbackHost(absl::string_view host);

// OK for https, and for http to a loopback host; otherwise, unless
// `allow_plaintext`, InvalidArgument saying to use https or to opt in.
absl::Status CheckWebhookTransport(const WebhookUrl& url, bool allow_plaintext);

// `url` with what commonly carries a secret replaced by "REDACTED": the
// userinfo, the query string, the fragment, and the path after its first
// segment (Slack, Discord and Teams put their secret there); the first
// segment too unless it is a short word (up to 16 letters, digits, '.',
// '-', '_'). E.g.
// "https://REDACTED@hooks.slack.com/services/REDACTED?REDACTED". Scheme, host
// and port are kept. A string without "://" becomes "REDACTED". Pure.
std::string RedactWebhookUrl(absl::string_view url);

// A redirect's Location for messages: an absolute URL as RedactWebhookUrl
// shows it, a reference starting with '/' with its path, query and
// fragment redacted the same way, anything else "REDACTED".
std::string RedactWebhookLocation(absl::string_view location);

// `text` (an error message, a peer's answer) with every secret part of
// `url` that it quotes (userinfo, path segments RedactWebhookUrl hides,
// query, fragment; 4 bytes or longer) replaced by "REDACTED".
std::string ScrubWebhookSecrets(absl::string_view url, absl::string_view text);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_REPORTS_WEBHOOK_URL_H_
