#include "server/reports/webhook_url.h"

#include <arpa/inet.h>

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"

namespace natscope::server {
namespace {

constexpr size_t kMaxShownSegment = 16;

absl::Status Bad(const std::string& shown, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("webhook ", shown, problem));
}

// A path segment short and plain enough to be a route name ("hooks",
// "services"), not a token.
bool ShortWord(absl::string_view segment) {
  if (segment.empty() || segment.size() > kMaxShownSegment) return false;
  for (char c : segment) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.')
      return false;
  }
  return true;
}

// "/services/T0/B0/XYZ" -> "/services/REDACTED"; "/hook" stays.
std::string RedactPath(absl::string_view path) {
  if (!absl::ConsumePrefix(&path, "/")) return path.empty() ? "" : "REDACTED";
  if (path.empty()) return "/";
  const size_t slash = path.find('/');
  const absl::string_view first = path.substr(0, slash);
  std::string out = absl::StrCat("/", ShortWord(first) ? first : "REDACTED");
  if (slash != absl::string_view::npos) {
    out += path.size() == slash + 1 ? "/" : "/REDACTED";
  }
  return out;
}

// What follows the authority: path, "?query", "#fragment".
std::string RedactTail(absl::string_view tail) {
  const size_t query = tail.find_first_of("?#");
  std::string out = RedactPath(tail.substr(0, query));
  if (query != absl::string_view::npos && tail[query] == '?')
    out += "?REDACTED";
  if (tail.find('#') != absl::string_view::npos) out += "#REDACTED";
  return out;
}

// Host names as DNS has them (an IDN as punycode), or an IPv6 literal.
bool PlainHost(absl::string_view host, bool v6) {
  for (char c : host) {
    const bool ok =
        v6 ? (absl::ascii_isxdigit(c) || c == ':' || c == '.')
           : (absl::ascii_isalnum(c) || c == '.' || c == '-' || c == '_');
    if (!ok) return false;
  }
  return true;
}

// Splits "host[:port]" or "[v6][:port]" into `parsed`. `shown` is the
// redacted URL, for messages.
absl::Status ParseHostPort(absl::string_view authority,
                           const std::string& shown, WebhookUrl* parsed) {
  const bool v6 = absl::ConsumePrefix(&authority, "[");
  if (v6) {  // [IPv6]:port
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return Bad(shown, ": unclosed [");
    parsed->host = std::string(authority.substr(0, close));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && !absl::ConsumePrefix(&authority, ":")) {
      return Bad(shown, ": bad port");
    }
    if (!authority.empty()) parsed->port = std::string(authority);
  } else {
    const size_t colon = authority.rfind(':');
    parsed->host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos) {
      parsed->port = std::string(authority.substr(colon + 1));
    }
  }
  if (parsed->host.empty()) return Bad(shown, " has no host");
  if (!PlainHost(parsed->host, v6)) {
    return Bad(shown,
               ": the host may hold only letters, digits, '.', '-' and "
               "'_' (an international name as punycode), or be an IP");
  }
  int port = 0;
  if (!absl::SimpleAtoi(parsed->port, &port) || port < 1 || port > 65535) {
    return Bad(shown, ": port must be 1 to 65535");
  }
  return absl::OkStatus();
}

// "a%3Ab" -> "a:b"; a '%' not followed by two hex digits stays as is.
std::string PercentDecode(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    int value = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        absl::SimpleHexAtoi(text.substr(i + 1, 2), &value)) {
      out.push_back(static_cast<char>(value));
      i += 2;
      continue;
    }
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace

absl::StatusOr<WebhookUrl> ParseWebhookUrl(absl::string_view url) {
  const std::string shown = RedactWebhookUrl(url);
  absl::string_view rest = url;
  WebhookUrl parsed;
  if (absl::StartsWithIgnoreCase(rest, "https://")) {
    rest.remove_prefix(8);
  } else if (absl::StartsWithIgnoreCase(rest, "http://")) {
    rest.remove_prefix(7);
    parsed.scheme = "http";
    parsed.port = "80";
  } else {
    return Bad(shown, " is not an https:// (or http://) URL");
  }
  // The fragment is the client's; never sent.
  rest = rest.substr(0, rest.find('#'));
  for (char c : rest) {
    if (c == ' ' || c == '\\' || static_cast<unsigned char>(c) < 0x20 ||
        c == 0x7f) {
      return Bad(shown,
                 " contains spaces, backslashes or control characters: "
                 "percent-encode them");
    }
  }
  const size_t end = rest.find_first_of("/?");
  absl::string_view authority = rest.substr(0, end);
  if (end != absl::string_view::npos) {
    parsed.path = absl::StrCat(rest[end] == '?' ? "/" : "", rest.substr(end));
  }
  if (const size_t at = authority.rfind('@'); at != absl::string_view::npos) {
    parsed.userinfo = std::string(authority.substr(0, at));
    authority.remove_prefix(at + 1);
  }
  RETURN_IF_ERROR(ParseHostPort(authority, shown, &parsed));
  return parsed;
}

std::string WebhookUrlString(const WebhookUrl& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  std::string out = absl::StrCat(url.scheme, "://");
  if (!url.userinfo.empty()) {
    // Split at the last '@' by ParseWebhookUrl; another parser might not.
    absl::StrAppend(&out, absl::StrReplaceAll(url.userinfo, {{"@", "%40"}}),
                    "@");
  }
  absl::StrAppend(&out, v6 ? "[" : "", url.host, v6 ? "]" : "", ":", url.port,
                  url.path);
  return out;
}

bool IsLoopbackHost(absl::string_view host) {
  if (absl::EqualsIgnoreCase(host, "localhost")) return true;
  const std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  return inet_pton(AF_INET6, text.c_str(), &v6) == 1 &&
         IN6_IS_ADDR_LOOPBACK(&v6);
}

absl::Status CheckWebhookTransport(const WebhookUrl& url,
                                   bool allow_plaintext) {
  if (url.scheme == "https" || allow_plaintext || IsLoopbackHost(url.host)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("webhook http://", url.host, ":", url.port,
                   "/... would send the report in "
                   "the clear to a host that is not loopback: use https://, or "
                   "allow it with "
                   "--webhook_plaintext"));
}

std::string RedactWebhookUrl(absl::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == absl::string_view::npos) return "REDACTED";
  absl::string_view rest = url.substr(scheme + 3);
  const size_t end = rest.find_first_of("/?#");
  absl::string_view authority = rest.substr(0, end);
  const absl::string_view tail =
      end == absl::string_view::npos ? "" : rest.substr(end);
  std::string out(url.substr(0, scheme + 3));
  if (const size_t at = authority.rfind('@'); at != absl::string_view::npos) {
    out += "REDACTED@";
    authority.remove_prefix(at + 1);
  }
  absl::StrAppend(&out, authority, RedactTail(tail));
  return out;
}

std::string RedactWebhookLocation(absl::string_view location) {
  if (absl::StrContains(location, "://")) return RedactWebhookUrl(location);
  if (absl::StartsWith(location, "/") && !absl::StartsWith(location, "//")) {
    return RedactTail(location);
  }
  return "REDACTED";
}

std::string ScrubWebhookSecrets(absl::string_view url, absl::string_view text) {
  std::vector<std::string> secrets;
  const size_t scheme = url.find("://");
  absl::string_view rest =
      scheme == absl::string_view::npos ? url : url.substr(scheme + 3);
  const size_t end = rest.find_first_of("/?#");
  const absl::string_view authority = rest.substr(0, end);
  if (const size_t at = authority.rfind('@'); at != absl::string_view::npos) {
    const absl::string_view userinfo = authority.substr(0, at);
    secrets.emplace_back(userinfo);
    secrets.push_back(PercentDecode(userinfo));
    for (absl::string_view part : absl::StrSplit(userinfo, ':')) {
      secrets.emplace_back(part);
      secrets.push_back(PercentDecode(part));
    }
  }
  absl::string_view tail =
      end == absl::string_view::npos ? "" : rest.substr(end);
  const size_t query = tail.find_first_of("?#");
  const absl::string_view path = tail.substr(0, query);
  bool first = true;
  for (absl::string_view segment :
       absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (!first || !ShortWord(segment)) {
      secrets.emplace_back(segment);
      secrets.push_back(PercentDecode(segment));
    }
    first = false;
  }
  if (query != absl::string_view::npos) {
    const absl::string_view after = tail.substr(query + 1);
    secrets.emplace_back(after);
    for (absl::string_view pair :
         absl::StrSplit(after, absl::ByAnyChar("&#"))) {
      secrets.emplace_back(pair);
      const size_t equals = pair.find('=');
      if (equals != absl::string_view::npos)
        secrets.emplace_back(pair.substr(equals + 1));
    }
  }
  // Longest first, so that a whole query goes before the values in it.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) {
              return a.size() > b.size();
            });
  std::string out(text);
  for (const std::string& secret : secrets) {
    if (secret.size() >= 4)
      out = absl::StrReplaceAll(out, {{secret, "REDACTED"}});
  }
  return out;
}

}  // namespace natscope::server
