#include "server/reports/webhook.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/secret_file.h"
#include "common/status_macros.h"

namespace natscope::server {
namespace {

constexpr size_t kMaxAnswerBytes = 64 << 10;  // Read at most this much.
constexpr size_t kShownAnswerBytes = 200;     // Quoted in messages.
constexpr size_t kMaxHeaderBytes = 2048;      // Status line, Location kept.
constexpr size_t kMaxPathBytes = 4096;

// libcurl wants one curl_global_init before any handle, and (before 7.84)
// not two at once.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What came back, bounded.
struct Answer {
  std::string status_line;  // The last "HTTP/..." line.
  std::string location;
  std::string start;  // The first kShownAnswerBytes of the body.
  size_t body_bytes = 0;
  bool cut = false;  // Stopped reading at kMaxAnswerBytes.
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  Answer* answer = static_cast<Answer*>(user);
  const size_t bytes = size * count;
  if (answer->start.size() < kShownAnswerBytes) {
    answer->start.append(
        data, std::min(bytes, kShownAnswerBytes - answer->start.size()));
  }
  answer->body_bytes += bytes;
  if (answer->body_bytes > kMaxAnswerBytes) {
    answer->cut = true;
    return 0;  // libcurl stops with CURLE_WRITE_ERROR.
  }
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  Answer* answer = static_cast<Answer*>(user);
  absl::string_view line(data, size * count);
  line = absl::StripTrailingAsciiWhitespace(line.substr(0, kMaxHeaderBytes));
  if (absl::StartsWith(line, "HTTP/")) {  // A new answer (after a 100).
    answer->status_line = std::string(line);
    answer->location.clear();
  } else if (absl::StartsWithIgnoreCase(line, "location:")) {
    answer->location = std::string(absl::StripAsciiWhitespace(line.substr(9)));
  }
  return size * count;
}

// Printable ASCII of `text`, the rest as '?', for quoting a peer's answer.
std::string Printable(absl::string_view text) {
  std::string out;
  for (char c : text) {
    out.push_back(absl::ascii_isprint(static_cast<unsigned char>(c)) ? c : '?');
  }
  return out;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct HeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// Sets every option of one POST on `curl`. `headers`, `error` and `answer`
// must outlive the transfer. Returns the first option libcurl refused.
CURLcode Configure(CURL* curl, const std::string& url,
                   const WebhookMessage& message,
                   const WebhookTransportOptions& options, curl_slist* headers,
                   char* error, Answer* answer) {
  CURLcode result = CURLE_OK;
  auto set = [&](CURLoption option, auto value) {
    if (result == CURLE_OK) result = curl_easy_setopt(curl, option, value);
  };
  set(CURLOPT_URL, url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_PROXY, "");  // Not even from the environment.
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_CONNECTTIMEOUT_MS,
      static_cast<long>(absl::ToInt64Milliseconds(options.connect_timeout)));
  set(CURLOPT_TIMEOUT_MS,
      static_cast<long>(absl::ToInt64Milliseconds(options.timeout)));
  set(CURLOPT_SSL_VERIFYPEER, 1L);
  set(CURLOPT_SSL_VERIFYHOST, 2L);
  set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!options.ca_file.empty()) {
    // Instead of the system's store: Debian's libcurl also trusts
    // /etc/ssl/certs through its default CA path unless it is unset.
    set(CURLOPT_CAINFO, options.ca_file.c_str());
    set(CURLOPT_CAPATH, static_cast<char*>(nullptr));
  }
  set(CURLOPT_USERAGENT, "natscope-server");
  set(CURLOPT_HTTPHEADER, headers);
  set(CURLOPT_POST, 1L);
  set(CURLOPT_POSTFIELDS, message.body.data());
  set(CURLOPT_POSTFIELDSIZE_LARGE,
      static_cast<curl_off_t>(message.body.size()));
  set(CURLOPT_ERRORBUFFER, error);
  set(CURLOPT_WRITEFUNCTION, OnBody);
  set(CURLOPT_WRITEDATA, answer);
  set(CURLOPT_HEADERFUNCTION, OnHeader);
  set(CURLOPT_HEADERDATA, answer);
  return result;
}

// The status of a transfer that got an HTTP answer `code`.
absl::Status FromAnswer(long code, const Answer& answer, absl::string_view url,
                        const std::string& shown) {
  if (code >= 200 && code <= 299) return absl::OkStatus();
  const std::string status = Printable(ScrubWebhookSecrets(
      url, answer.status_line.empty() ? absl::StrCat("HTTP ", code)
                                      : answer.status_line));
  if (code >= 300 && code <= 399) {
    return absl::FailedPreconditionError(absl::StrCat(
        "webhook ", shown, " answered \"", status, "\", a redirect to ",
        answer.location.empty()
            ? "nowhere"
            : Printable(RedactWebhookLocation(answer.location)),
        ", which natscope does not follow: give the final URL (--webhook)"));
  }
  std::string message =
      absl::StrCat("webhook ", shown, " answered \"", status, "\"");
  if (!answer.start.empty()) {
    absl::StrAppend(&message, ": ",
                    Printable(ScrubWebhookSecrets(url, answer.start)),
                    answer.body_bytes > answer.start.size() ? "..." : "");
  }
  return absl::FailedPreconditionError(message);
}

// The status of a transfer libcurl ended with `result`.
absl::Status FromCurl(CURLcode result, const char* error, absl::string_view url,
                      const std::string& shown,
                      const WebhookTransportOptions& options) {
  const std::string detail = Printable(ScrubWebhookSecrets(
      url, *error != '\0' ? error : curl_easy_strerror(result)));
  const std::string what = absl::StrCat("webhook ", shown, ": ", detail);
  switch (result) {
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(absl::StrCat(
          what, " (limits: ", absl::FormatDuration(options.connect_timeout),
          " to connect, ", absl::FormatDuration(options.timeout), " in all)"));
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return absl::UnauthenticatedError(absl::StrCat(
          what,
          ": the endpoint's certificate is not trusted; for a private CA "
          "give its certificate with --webhook_ca_file"));
    case CURLE_SSL_CACERT_BADFILE:
      return absl::FailedPreconditionError(absl::StrCat(
          "webhook ", shown, ": cannot use the CA file ", options.ca_file,
          ": check that it exists, is readable by the server and holds PEM "
          "certificates"));
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return absl::InvalidArgumentError(what);
    default:
      return absl::UnavailableError(absl::StrCat(
          what, ": check the host, the port and that the endpoint is up"));
  }
}

// An optional absolute path: no control characters, bounded.
absl::Status CheckPath(absl::string_view flag, const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  if (path.size() > kMaxPathBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " is ", path.size(), " bytes; the limit is ", kMaxPathBytes));
  }
  if (path[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " must be an absolute path on the server host"));
  }
  for (const char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat(
          flag, " contains control characters: give a plain path"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status PostWebhook(absl::string_view url, const WebhookMessage& message,
                         const WebhookTransportOptions& options) {
  ASSIGN_OR_RETURN(const WebhookUrl parsed, ParseWebhookUrl(url));
  RETURN_IF_ERROR(CheckWebhookTransport(parsed, options.allow_plaintext));
  const std::string shown = RedactWebhookUrl(url);
  InitCurlOnce();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (curl == nullptr) {
    return absl::ResourceExhaustedError("libcurl: out of memory");
  }
  curl_slist* list = nullptr;
  // "Expect:" stops libcurl waiting for a 100 Continue before large bodies.
  for (const std::string& header :
       {absl::StrCat("Content-Type: ", message.content_type),
        std::string("Expect:")}) {
    list = curl_slist_append(list, header.c_str());
  }
  for (const auto& [name, value] : message.headers) {
    list = curl_slist_append(list, absl::StrCat(name, ": ", value).c_str());
  }
  std::unique_ptr<curl_slist, HeaderListDeleter> headers(list);
  char error[CURL_ERROR_SIZE] = "";
  Answer answer;
  const std::string target = WebhookUrlString(parsed);
  if (const CURLcode refused = Configure(curl.get(), target, message, options,
                                         headers.get(), error, &answer);
      refused != CURLE_OK) {
    return absl::InternalError(absl::StrCat(
        "libcurl refused an option of the webhook POST: ",
        curl_easy_strerror(refused), " (is libcurl 7.85 or later installed?)"));
  }
  const CURLcode result = curl_easy_perform(curl.get());
  long code = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code);
  if (result == CURLE_OK ||
      (result == CURLE_WRITE_ERROR && answer.cut && code != 0)) {
    return FromAnswer(code, answer, url, shown);
  }
  return FromCurl(result, error, url, shown, options);
}

absl::Status CheckWebhookSchedule(const v1::ReportSchedule& schedule) {
  RETURN_IF_ERROR(
      CheckPath("--webhook_secret_file", schedule.webhook_secret_file()));
  RETURN_IF_ERROR(CheckPath("--webhook_ca_file", schedule.webhook_ca_file()));
  if (!v1::WebhookFormat_IsValid(schedule.webhook_format())) {
    return absl::InvalidArgumentError(
        "unknown webhook format: use --webhook_format=report or slack");
  }
  if (schedule.webhook_url().empty()) {
    if (!schedule.webhook_secret_file().empty() ||
        !schedule.webhook_ca_file().empty() || schedule.webhook_plaintext() ||
        schedule.webhook_format() != v1::WEBHOOK_FORMAT_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          "webhook options were given without a webhook: add --webhook=URL");
    }
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(const WebhookUrl url,
                   ParseWebhookUrl(schedule.webhook_url()));
  return CheckWebhookTransport(url, schedule.webhook_plaintext());
}

absl::Status DeliverReportWebhook(const v1::ReportSchedule& schedule,
                                  const v1::ReportData& data,
                                  absl::string_view report,
                                  absl::string_view content_type,
                                  absl::Time now) {
  RETURN_IF_ERROR(CheckWebhookSchedule(schedule));
  std::string secret;
  if (!schedule.webhook_secret_file().empty()) {
    ASSIGN_OR_RETURN(secret, ReadSecretLine(schedule.webhook_secret_file(),
                                            "the webhook signing secret"));
  }
  const WebhookMessage message = BuildWebhookMessage(
      schedule.webhook_format(), data, report, content_type, secret, now);
  WebhookTransportOptions options;
  options.ca_file = schedule.webhook_ca_file();
  options.allow_plaintext = schedule.webhook_plaintext();
  return PostWebhook(schedule.webhook_url(), message, options);
}

}  // namespace natscope::server
