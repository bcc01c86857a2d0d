#include "server/reports/webhook.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

TEST(WebhookUrlTest, ParsesHostPortAndPath) {
  auto url = ParseWebhookUrl("http://127.0.0.1:8080/hooks/natscope");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, "8080");
  EXPECT_EQ(url->path, "/hooks/natscope");
  url = ParseWebhookUrl("http://reports.example");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->port, "80");
  EXPECT_EQ(url->path, "/");
  url = ParseWebhookUrl("http://[::1]:9000/x");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, "9000");
}

TEST(WebhookUrlTest, RefusesWhatItCannotPostTo) {
  auto https = ParseWebhookUrl("https://hooks.example/x");
  EXPECT_EQ(https.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(https.status().message(), "http://")) << https.status();
  EXPECT_FALSE(ParseWebhookUrl("ftp://x").ok());
  EXPECT_FALSE(ParseWebhookUrl("http://").ok());
  EXPECT_FALSE(ParseWebhookUrl("http://h:0/").ok());
  EXPECT_FALSE(ParseWebhookUrl("http://h:99999/").ok());
  EXPECT_FALSE(ParseWebhookUrl("http://h/a\r\nX-Injected: 1").ok());
  EXPECT_FALSE(ParseWebhookUrl("http://h/a b").ok());
  auto fragment = ParseWebhookUrl("http://h/in#part");
  ASSERT_TRUE(fragment.ok());
  EXPECT_EQ(fragment->path, "/in");
}

TEST(WebhookUrlTest, UserinfoIsNotPartOfTheHostAndAQueryNeedsNoPath) {
  auto url = ParseWebhookUrl("http://bot:s%40cret@127.0.0.1:8080/in?key=k1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->userinfo, "bot:s%40cret");
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, "8080");
  EXPECT_EQ(url->path, "/in?key=k1");
  url = ParseWebhookUrl("http://token@hooks.example?key=k1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "hooks.example");
  EXPECT_EQ(url->port, "80");
  EXPECT_EQ(url->path, "/?key=k1");
  // Errors quote the URL redacted.
  auto bad = ParseWebhookUrl("http://bot:secret@h:0/in?key=secret");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(absl::StrContains(bad.status().message(), "secret")) << bad.status();
}

TEST(WebhookUrlTest, RedactionHidesUserinfoQueryAndFragment) {
  const struct {
    const char* url;
    const char* redacted;
  } cases[] = {
      {"http://bot:pw@127.0.0.1:9/hook?token=abc",
       "http://REDACTED@127.0.0.1:9/hook?REDACTED"},
      {"http://h/p?a=1#frag", "http://h/p?REDACTED#REDACTED"},
      {"http://h/p#frag?x=1", "http://h/p#REDACTED"},
      {"http://u@h?q", "http://REDACTED@h?REDACTED"},
      {"http://a@b@[::1]:80/x", "http://REDACTED@[::1]:80/x"},
      {"http://h:8080/plain/path", "http://h:8080/plain/path"},
      {"http://h", "http://h"},
      {"not a url?secret", "REDACTED"},
  };
  for (const auto& c : cases) EXPECT_EQ(RedactWebhookUrl(c.url), c.redacted) << c.url;
}

// A one-shot HTTP server on loopback that records the request and answers
// `status_line`.
class OneShotServer {
 public:
  explicit OneShotServer(std::string status_line) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(fd_, 1);
    thread_ = std::thread([this, status_line] {
      const int conn = accept(fd_, nullptr, nullptr);
      char buffer[4096];
      while (request_.find("\r\n\r\n") == std::string::npos ||
             !absl::EndsWith(request_, "BODY-END")) {
        const ssize_t n = read(conn, buffer, sizeof(buffer));
        if (n <= 0) break;
        request_.append(buffer, static_cast<size_t>(n));
      }
      const std::string answer = status_line + "\r\nContent-Length: 0\r\n\r\n";
      write(conn, answer.data(), answer.size());
      close(conn);
    });
  }
  ~OneShotServer() {
    thread_.join();
    close(fd_);
  }
  int port() const { return port_; }
  const std::string& request() {
    thread_.join();
    thread_ = std::thread([] {});
    return request_;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::string request_;
  std::thread thread_;
};

TEST(WebhookTest, PostsTheReportAndAcceptsA2xx) {
  OneShotServer server("HTTP/1.1 204 No Content");
  const absl::Status posted =
      PostWebhook(absl::StrCat("http://127.0.0.1:", server.port(), "/in"),
                  "text/markdown; charset=utf-8", "# report BODY-END");
  EXPECT_TRUE(posted.ok()) << posted;
  const std::string& request = server.request();
  EXPECT_TRUE(absl::StartsWith(request, "POST /in HTTP/1.1\r\n")) << request;
  EXPECT_TRUE(absl::StrContains(request, "Content-Type: text/markdown")) << request;
  EXPECT_TRUE(absl::StrContains(request, "Content-Length: 17\r\n")) << request;
  EXPECT_TRUE(absl::EndsWith(request, "\r\n\r\n# report BODY-END")) << request;
}

TEST(WebhookTest, UserinfoIsSentAsBasicCredentialsAndNeverQuoted) {
  OneShotServer server("HTTP/1.1 401 Unauthorized");
  const absl::Status posted = PostWebhook(
      absl::StrCat("http://bot:s%40cret@127.0.0.1:", server.port(), "/in?key=k1"),
      "text/plain", "BODY-END");
  EXPECT_EQ(posted.code(), absl::StatusCode::kFailedPrecondition) << posted;
  EXPECT_FALSE(absl::StrContains(posted.message(), "cret")) << posted;
  EXPECT_FALSE(absl::StrContains(posted.message(), "k1")) << posted;
  const std::string& request = server.request();
  EXPECT_TRUE(absl::StartsWith(request, "POST /in?key=k1 HTTP/1.1\r\n")) << request;
  // base64("bot:s@cret")
  EXPECT_TRUE(absl::StrContains(request, "Authorization: Basic Ym90OnNAY3JldA==\r\n"))
      << request;
  EXPECT_TRUE(absl::StrContains(request, "Host: 127.0.0.1:")) << request;
}

TEST(WebhookTest, AnErrorAnswerIsReportedWithItsStatusLine) {
  OneShotServer server("HTTP/1.1 500 Internal Server Error");
  const absl::Status posted = PostWebhook(
      absl::StrCat("http://127.0.0.1:", server.port(), "/"), "text/plain", "BODY-END");
  EXPECT_EQ(posted.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(posted.message(), "500 Internal Server Error")) << posted;
}

TEST(WebhookTest, SomethingThatIsNotHttpIsNotSuccess) {
  OneShotServer server("SSH-2.0-OpenSSH 2xx");
  const absl::Status posted = PostWebhook(
      absl::StrCat("http://127.0.0.1:", server.port(), "/"), "text/plain", "BODY-END");
  EXPECT_EQ(posted.code(), absl::StatusCode::kFailedPrecondition) << posted;
}

TEST(WebhookTest, NobodyListeningIsUnavailable) {
  // Bind a port and close it, so that nothing listens there.
  int port = 0;
  {
    OneShotServer probe("HTTP/1.1 200 OK");
    port = probe.port();
    PostWebhook(absl::StrCat("http://127.0.0.1:", port, "/"), "text/plain", "BODY-END")
        .IgnoreError();
  }
  const absl::Status posted =
      PostWebhook(absl::StrCat("http://127.0.0.1:", port, "/?token=hush"), "text/plain",
                  "x", absl::Seconds(2));
  EXPECT_EQ(posted.code(), absl::StatusCode::kUnavailable) << posted;
  EXPECT_FALSE(absl::StrContains(posted.message(), "hush")) << posted;
}

}  // namespace
}  // namespace natscope::server
