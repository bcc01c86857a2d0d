#include "server/reports/webhook.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"

namespace natscope::server {
namespace {

// Closes the descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// Waits until `fd` is ready for `events` or `deadline` passes.
bool WaitFor(int fd, short events, absl::Time deadline) {
  while (true) {
    const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = poll(&p, 1, static_cast<int>(ms));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

absl::StatusOr<int> Connect(const WebhookUrl& url, absl::Time deadline) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &found);
  if (rc != 0) {
    return absl::UnavailableError(absl::StrCat("cannot resolve webhook host ",
                                               url.host, ": ", gai_strerror(rc)));
  }
  std::string last_error = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          a->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 ||
        (errno == EINPROGRESS && WaitFor(fd, POLLOUT, deadline))) {
      int error = 0;
      socklen_t len = sizeof(error);
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
      if (error == 0) {
        freeaddrinfo(found);
        return fd;
      }
      last_error = std::strerror(error);
    } else {
      last_error = errno == EINPROGRESS ? "timed out" : std::strerror(errno);
    }
    close(fd);
  }
  freeaddrinfo(found);
  return absl::UnavailableError(absl::StrCat("cannot connect to webhook ", url.host,
                                             ":", url.port, ": ", last_error));
}

// Splits "host[:port]" or "[v6][:port]" into `parsed`. `shown` is the
// redacted URL, for messages.
absl::Status ParseHostPort(absl::string_view authority, const std::string& shown,
                           WebhookUrl* parsed) {
  if (absl::ConsumePrefix(&authority, "[")) {  // [IPv6]:port
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("webhook ", shown, ": unclosed ["));
    }
    parsed->host = std::string(authority.substr(0, close));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && !absl::ConsumePrefix(&authority, ":")) {
      return absl::InvalidArgumentError(absl::StrCat("webhook ", shown, ": bad port"));
    }
    if (!authority.empty()) parsed->port = std::string(authority);
  } else {
    const size_t colon = authority.rfind(':');
    parsed->host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos) {
      parsed->port = std::string(authority.substr(colon + 1));
    }
  }
  int port = 0;
  if (parsed->host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("webhook ", shown, " has no host"));
  }
  if (!absl::SimpleAtoi(parsed->port, &port) || port < 1 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("webhook ", shown, ": port must be 1 to 65535"));
  }
  return absl::OkStatus();
}

// "a%3Ab" -> "a:b"; a '%' not followed by two hex digits stays as is.
std::string PercentDecode(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && absl::ascii_isxdigit(text[i + 1]) &&
        absl::ascii_isxdigit(text[i + 2])) {
      int value = 0;
      if (absl::SimpleHexAtoi(text.substr(i + 1, 2), &value)) {
        out.push_back(static_cast<char>(value));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

// The request line and headers of a POST of `body_size` bytes.
std::string RequestHead(const WebhookUrl& url, absl::string_view content_type,
                        size_t body_size) {
  const bool v6 = url.host.find(':') != std::string::npos;
  std::string head = absl::StrCat(
      "POST ", url.path, " HTTP/1.1\r\nHost: ", v6 ? "[" : "", url.host,
      v6 ? "]" : "", ":", url.port, "\r\nUser-Agent: natscope-server\r\n");
  if (!url.userinfo.empty()) {
    absl::StrAppend(&head, "Authorization: Basic ",
                    absl::Base64Escape(PercentDecode(url.userinfo)), "\r\n");
  }
  absl::StrAppend(&head, "Content-Type: ", content_type, "\r\nContent-Length: ",
                  body_size, "\r\nConnection: close\r\n\r\n");
  return head;
}

}  // namespace

absl::StatusOr<WebhookUrl> ParseWebhookUrl(absl::string_view url) {
  const std::string shown = RedactWebhookUrl(url);
  absl::string_view rest = url;
  if (absl::StartsWithIgnoreCase(rest, "https://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "webhook ", shown, " uses https, which natscope-server cannot POST to "
        "yet: give an http:// URL (e.g. a relay on the same host) or rely on "
        "the output directory"));
  }
  if (!absl::ConsumePrefix(&rest, "http://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("webhook ", shown, " is not an http:// URL"));
  }
  // The fragment is the client's; never sent.
  rest = rest.substr(0, rest.find('#'));
  for (char c : rest) {
    if (c == ' ' || c == '\r' || c == '\n' || static_cast<unsigned char>(c) < 0x20) {
      return absl::InvalidArgumentError(absl::StrCat(
          "webhook ", shown, " contains spaces or control characters: "
          "percent-encode them"));
    }
  }
  WebhookUrl parsed;
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
  absl::StrAppend(&out, authority);
  const size_t query = tail.find_first_of("?#");
  absl::StrAppend(&out, tail.substr(0, query));
  if (query != absl::string_view::npos && tail[query] == '?') {
    out += "?REDACTED";
  }
  if (tail.find('#') != absl::string_view::npos) out += "#REDACTED";
  return out;
}

absl::Status PostWebhook(absl::string_view url, absl::string_view content_type,
                         absl::string_view body, absl::Duration timeout) {
  ASSIGN_OR_RETURN(WebhookUrl parsed, ParseWebhookUrl(url));
  const std::string shown = RedactWebhookUrl(url);
  const absl::Time deadline = absl::Now() + timeout;
  ASSIGN_OR_RETURN(int raw_fd, Connect(parsed, deadline));
  Fd fd{raw_fd};
  std::string request = RequestHead(parsed, content_type, body.size());
  request.append(body.data(), body.size());
  size_t sent = 0;
  while (sent < request.size()) {
    if (!WaitFor(fd.fd, POLLOUT, deadline)) {
      return absl::UnavailableError(absl::StrCat("webhook ", shown, " timed out"));
    }
    const ssize_t n = send(fd.fd, request.data() + sent, request.size() - sent,
                           MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return absl::UnavailableError(
          absl::StrCat("webhook ", shown, ": ", std::strerror(errno)));
    }
    if (n > 0) sent += static_cast<size_t>(n);
  }
  std::string answer;
  while (answer.find("\r\n") == std::string::npos && answer.size() < 4096) {
    if (!WaitFor(fd.fd, POLLIN, deadline)) {
      return absl::UnavailableError(
          absl::StrCat("webhook ", shown, " did not answer in time"));
    }
    char buffer[1024];
    const ssize_t n = recv(fd.fd, buffer, sizeof(buffer), 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return absl::UnavailableError(
          absl::StrCat("webhook ", shown, ": ", std::strerror(errno)));
    }
    answer.append(buffer, static_cast<size_t>(n));
  }
  const std::string status_line = answer.substr(0, answer.find("\r\n"));
  // "HTTP/1.1 204 No Content": a 2xx code, three digits.
  const size_t space = status_line.find(' ');
  int code = 0;
  if (absl::StartsWith(status_line, "HTTP/") && space != std::string::npos &&
      status_line.size() >= space + 4 &&
      absl::SimpleAtoi(status_line.substr(space + 1, 3), &code) && code >= 200 &&
      code <= 299) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "webhook ", shown, " answered \"", status_line.empty() ? "nothing" : status_line,
      "\""));
}

}  // namespace natscope::server
