// Webhooks over real HTTPS on 127.0.0.1: a throwaway CA and a server
// certificate (SAN localhost and 127.0.0.1) are made with the openssl
// command, cpp-httplib serves, and PostWebhook / DeliverReportWebhook post
// to it. Timeouts are configured small; assertions are on status codes,
// never on elapsed time.
#include "server/reports/webhook.h"

#include <httplib.h>
#include <netinet/in.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/tls/test_ca.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

std::string* dir = nullptr;

std::string File(const std::string& name) { return *dir + "/" + name; }

// The receiving side's own check: HMAC-SHA256 over "<timestamp>.<body>".
std::string ExpectedSignature(const std::string& secret,
                              const std::string& timestamp,
                              const std::string& body) {
  const std::string text = timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac,
       &size);
  return "sha256=" + absl::BytesToHexString(
                         absl::string_view(reinterpret_cast<char*>(mac), size));
}

// An HTTP(S) server on 127.0.0.1, port picked by the kernel, serving on a
// thread until destroyed.
class Endpoint {
 public:
  explicit Endpoint(bool tls) {
    if (tls) {
      server_ = std::make_unique<httplib::SSLServer>(
          File("server.pem").c_str(), File("server.key").c_str());
    } else {
      server_ = std::make_unique<httplib::Server>();
    }
  }
  ~Endpoint() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  httplib::Server& server() { return *server_; }
  // Binds and serves; handlers must be registered before.
  void Start() {
    port_ = server_->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // stop() does nothing to a server not yet running: wait for it.
    while (!server_->is_running()) absl::SleepFor(absl::Milliseconds(1));
  }
  int port() const { return port_; }
  std::string Url(const std::string& host, const std::string& path) const {
    return absl::StrCat(host, ":", port_, path);
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

class WebhookTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The endpoints write answers to clients that hung up on purpose.
    signal(SIGPIPE, SIG_IGN);
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir = new std::string(std::string(tmp ? tmp : "/tmp") + "/webhook_test");
    const absl::Status made = tls::MakeTestCertificates(*dir);
    ASSERT_TRUE(made.ok()) << made;
    std::ofstream(*dir + "/secret") << "hunter2-signing-key\n";
    ASSERT_EQ(chmod((*dir + "/secret").c_str(), 0600), 0);
  }

  static WebhookTransportOptions Trusting(const std::string& ca) {
    WebhookTransportOptions options;
    options.ca_file = File(ca);
    return options;
  }

  static WebhookMessage Message(const std::string& body) {
    return WebhookMessage{"text/plain", body, {}};
  }

  static v1::ReportData Data() {
    v1::ReportData data;
    data.set_title("Weekly");
    auto* row = data.add_sites();
    row->set_site("lyon");
    row->set_clients(3);
    row->set_p2p_capable_share(0.5);
    return data;
  }
};

TEST_F(WebhookTest, DeliversOverVerifiedHttpsWithAVerifiableSignature) {
  Endpoint endpoint(/*tls=*/true);
  std::string body, content_type, timestamp, signature;
  endpoint.server().Post(
      "/in", [&](const httplib::Request& req, httplib::Response& res) {
        body = req.body;
        content_type = req.get_header_value("Content-Type");
        timestamp = req.get_header_value("X-Natscope-Timestamp");
        signature = req.get_header_value("X-Natscope-Signature");
        res.status = 204;
      });
  endpoint.Start();
  v1::ReportSchedule schedule;
  schedule.set_webhook_url(endpoint.Url("https://localhost", "/in"));
  schedule.set_webhook_ca_file(File("ca.pem"));
  schedule.set_webhook_secret_file(File("secret"));
  const absl::Status delivered =
      DeliverReportWebhook(schedule, Data(), "# Weekly\nlyon 50%",
                           "text/markdown", absl::FromUnixSeconds(1700000000));
  ASSERT_TRUE(delivered.ok()) << delivered;
  EXPECT_EQ(body, "# Weekly\nlyon 50%");
  EXPECT_EQ(content_type, "text/markdown");
  EXPECT_EQ(timestamp, "1700000000");
  EXPECT_EQ(signature,
            ExpectedSignature("hunter2-signing-key", timestamp, body));
}

TEST_F(WebhookTest, SlackFormatPostsOneTextFieldAsJson) {
  Endpoint endpoint(/*tls=*/true);
  std::string body, content_type;
  endpoint.server().Post(
      "/services/T1/B2/XXXX",
      [&](const httplib::Request& req, httplib::Response& res) {
        body = req.body;
        content_type = req.get_header_value("Content-Type");
        res.set_content("ok", "text/plain");
      });
  endpoint.Start();
  v1::ReportSchedule schedule;
  schedule.set_webhook_url(
      endpoint.Url("https://127.0.0.1", "/services/T1/B2/XXXX"));
  schedule.set_webhook_ca_file(File("ca.pem"));
  schedule.set_webhook_format(v1::WEBHOOK_FORMAT_SLACK);
  const absl::Status delivered = DeliverReportWebhook(
      schedule, Data(), "ignored", "text/html", absl::Now());
  ASSERT_TRUE(delivered.ok()) << delivered;
  EXPECT_EQ(content_type, "application/json");
  EXPECT_TRUE(absl::StartsWith(body, "{\"text\": \"*Weekly*")) << body;
  EXPECT_TRUE(absl::StrContains(body, "- lyon: 50% peer-to-peer")) << body;
  EXPECT_TRUE(absl::EndsWith(body, "\"}")) << body;
}

TEST_F(WebhookTest, AnUntrustedCertificateIsRefusedBeforeAnythingIsSent) {
  Endpoint endpoint(/*tls=*/true);
  std::atomic<int> hits{0};
  endpoint.server().Post(
      "/in", [&](const httplib::Request&, httplib::Response&) { ++hits; });
  endpoint.Start();
  const std::string url = endpoint.Url("https://localhost", "/in");
  const absl::Status other =
      PostWebhook(url, Message("x"), Trusting("other_ca.pem"));
  EXPECT_EQ(other.code(), absl::StatusCode::kUnauthenticated) << other;
  EXPECT_TRUE(absl::StrContains(other.message(), "--webhook_ca_file")) << other;
  // The system's store does not know the throwaway CA either.
  WebhookTransportOptions system_store;
  const absl::Status system = PostWebhook(url, Message("x"), system_store);
  EXPECT_EQ(system.code(), absl::StatusCode::kUnauthenticated) << system;
  EXPECT_EQ(hits.load(), 0);
}

TEST_F(WebhookTest, AMissingCaFileIsNamed) {
  Endpoint endpoint(/*tls=*/true);
  endpoint.Start();
  const absl::Status posted =
      PostWebhook(endpoint.Url("https://localhost", "/in"), Message("x"),
                  Trusting("no-such-ca.pem"));
  EXPECT_EQ(posted.code(), absl::StatusCode::kFailedPrecondition) << posted;
  EXPECT_TRUE(absl::StrContains(posted.message(), "no-such-ca.pem")) << posted;
}

TEST_F(WebhookTest, ARedirectIsNotFollowedAndItsLocationIsRedacted) {
  Endpoint endpoint(/*tls=*/true);
  std::atomic<int> followed{0};
  endpoint.server().Post("/moved", [&](const httplib::Request&,
                                       httplib::Response& res) {
    res.set_redirect(
        endpoint.Url("https://localhost", "/services/T9/B9/S3CRETPATH"), 307);
  });
  endpoint.server().Post(
      "/services/T9/B9/S3CRETPATH",
      [&](const httplib::Request&, httplib::Response&) { ++followed; });
  endpoint.Start();
  const absl::Status posted =
      PostWebhook(endpoint.Url("https://localhost", "/moved"), Message("x"),
                  Trusting("ca.pem"));
  EXPECT_EQ(posted.code(), absl::StatusCode::kFailedPrecondition) << posted;
  EXPECT_TRUE(absl::StrContains(posted.message(), "307")) << posted;
  EXPECT_TRUE(
      absl::StrContains(posted.message(), "redirect to https://localhost:"))
      << posted;
  EXPECT_TRUE(absl::StrContains(posted.message(), "/services/REDACTED"))
      << posted;
  EXPECT_FALSE(absl::StrContains(posted.message(), "S3CRETPATH")) << posted;
  EXPECT_EQ(followed.load(), 0);
}

TEST_F(WebhookTest, ASlowEndpointTimesOut) {
  Endpoint endpoint(/*tls=*/true);
  absl::Notification release;
  endpoint.server().Post(
      "/slow", [&](const httplib::Request&, httplib::Response& res) {
        release.WaitForNotificationWithTimeout(absl::Seconds(30));
        res.status = 200;
      });
  endpoint.Start();
  WebhookTransportOptions options = Trusting("ca.pem");
  options.timeout = absl::Milliseconds(300);
  const absl::Status posted = PostWebhook(
      endpoint.Url("https://localhost", "/slow"), Message("x"), options);
  release.Notify();
  EXPECT_EQ(posted.code(), absl::StatusCode::kDeadlineExceeded) << posted;
}

TEST_F(WebhookTest, APeerThatNeverAnswersTheHandshakeHitsTheConnectTimeout) {
  // A socket that listens and never accepts: the kernel completes TCP's
  // handshake, nobody answers TLS's.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ASSERT_EQ(listen(fd, 4), 0);
  WebhookTransportOptions options = Trusting("ca.pem");
  options.connect_timeout = absl::Milliseconds(300);
  const absl::Status posted = PostWebhook(
      absl::StrCat("https://127.0.0.1:", ntohs(addr.sin_port), "/in"),
      Message("x"), options);
  close(fd);
  EXPECT_EQ(posted.code(), absl::StatusCode::kDeadlineExceeded) << posted;
}

TEST_F(WebhookTest, SecretsInTheUrlNeverReachTheErrorText) {
  Endpoint endpoint(/*tls=*/true);
  endpoint.server().Post(
      "/services/T0001/B0002/XXXXSECRETXXXX",
      [&](const httplib::Request& req, httplib::Response& res) {
        res.status = 404;
        res.set_content("no such hook: " + req.path +
                            " token=" + req.get_param_value("token"),
                        "text/plain");
      });
  endpoint.Start();
  const absl::Status posted = PostWebhook(
      endpoint.Url("https://bot:pa55word@localhost",
                   "/services/T0001/B0002/XXXXSECRETXXXX?token=t0ken42"),
      Message("x"), Trusting("ca.pem"));
  EXPECT_EQ(posted.code(), absl::StatusCode::kFailedPrecondition) << posted;
  EXPECT_TRUE(absl::StrContains(posted.message(), "404")) << posted;
  EXPECT_TRUE(absl::StrContains(posted.message(), "no such hook")) << posted;
  for (const char* secret : {"XXXXSECRETXXXX", "t0ken42", "pa55word"}) {
    EXPECT_FALSE(absl::StrContains(posted.message(), secret)) << posted;
  }
}

TEST_F(WebhookTest, TheAnswerIsReadBounded) {
  Endpoint endpoint(/*tls=*/true);
  const std::string huge(4 << 20, 'a');
  endpoint.server().Post("/ok",
                         [&](const httplib::Request&, httplib::Response& res) {
                           res.set_content(huge, "text/plain");
                         });
  endpoint.server().Post("/error",
                         [&](const httplib::Request&, httplib::Response& res) {
                           res.status = 500;
                           res.set_content(huge, "text/plain");
                         });
  endpoint.Start();
  const absl::Status ok = PostWebhook(endpoint.Url("https://localhost", "/ok"),
                                      Message("x"), Trusting("ca.pem"));
  EXPECT_TRUE(ok.ok()) << ok;
  const absl::Status error =
      PostWebhook(endpoint.Url("https://localhost", "/error"), Message("x"),
                  Trusting("ca.pem"));
  EXPECT_EQ(error.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(error.message(), "500"))
      << error.message().substr(0, 300);
  EXPECT_LT(error.message().size(), 1000u);
}

TEST_F(WebhookTest, PlainHttpGoesToLoopbackWithBasicCredentials) {
  Endpoint endpoint(/*tls=*/false);
  std::string authorization;
  endpoint.server().Post(
      "/in", [&](const httplib::Request& req, httplib::Response& res) {
        authorization = req.get_header_value("Authorization");
        res.status = 200;
      });
  endpoint.Start();
  const absl::Status posted = PostWebhook(
      endpoint.Url("http://bot:s%40cret@127.0.0.1", "/in"), Message("x"), {});
  EXPECT_TRUE(posted.ok()) << posted;
  EXPECT_EQ(authorization, "Basic Ym90OnNAY3JldA==");  // base64("bot:s@cret")
}

TEST_F(WebhookTest, NobodyListeningIsUnavailable) {
  int port = 0;
  {
    Endpoint gone(/*tls=*/true);
    gone.Start();
    port = gone.port();
  }
  const absl::Status posted =
      PostWebhook(absl::StrCat("https://127.0.0.1:", port, "/?token=hush"),
                  Message("x"), Trusting("ca.pem"));
  EXPECT_EQ(posted.code(), absl::StatusCode::kUnavailable) << posted;
  EXPECT_FALSE(absl::StrContains(posted.message(), "hush")) << posted;
}

TEST_F(WebhookTest, TheSigningSecretFileMustBePrivate) {
  v1::ReportSchedule schedule;
  schedule.set_webhook_url("https://127.0.0.1:9/in");
  schedule.set_webhook_secret_file(File("missing-secret"));
  EXPECT_EQ(
      DeliverReportWebhook(schedule, Data(), "x", "text/plain", absl::Now())
          .code(),
      absl::StatusCode::kNotFound);
  const std::string open = File("open-secret");
  std::ofstream(open) << "k\n";
  chmod(open.c_str(), 0644);
  schedule.set_webhook_secret_file(open);
  EXPECT_EQ(
      DeliverReportWebhook(schedule, Data(), "x", "text/plain", absl::Now())
          .code(),
      absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace natscope::server
