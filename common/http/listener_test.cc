// http::Listener against real clients on loopback: plaintext on 127.0.0.1
// and ::1, HTTPS with a throwaway CA made by the openssl command, and the
// refusals (plaintext on a public address, bad listen addresses, a port in
// use, an oversize body).
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "common/http/http.h"
#include "common/tls/test_ca.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace natscope::http {
namespace {

// Echoes what the handler saw, so a test can check the translation.
HttpResponse Echo(const HttpRequest& request) {
  HttpResponse response;
  response.status = request.path == "/missing" ? 404 : 200;
  response.content_type = "text/plain";
  response.body = request.method + " " + request.path;
  for (const auto& [name, value] : request.query) {
    response.body += " " + name + "=" + value;
  }
  response.body += " auth=" + request.Header("authorization");
  if (!request.Header("content-encoding").empty()) {
    response.body += " encoding=" + request.Header("content-encoding");
  }
  response.body += " body=" + request.body;
  response.headers.emplace_back("X-Test", "yes");
  return response;
}

std::unique_ptr<Listener> StartOrDie(ListenerOptions options) {
  auto listener = Listener::Start(options, Echo);
  EXPECT_TRUE(listener.ok()) << listener.status();
  return listener.ok() ? *std::move(listener) : nullptr;
}

TEST(ListenerTest, ServesPlaintextOnLoopbackWithDecodedPathAndQuery) {
  auto listener = StartOrDie({"127.0.0.1:0"});
  ASSERT_NE(listener, nullptr);
  EXPECT_GT(listener->port(), 0);
  EXPECT_FALSE(listener->tls());
  httplib::Client client("127.0.0.1", listener->port());
  auto got = client.Get("/v1/sites/a%20b?page_size=2&x=%2F",
                        {{"Authorization", "Bearer t"}});
  ASSERT_TRUE(got) << httplib::to_string(got.error());
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "GET /v1/sites/a b page_size=2 x=/ auth=Bearer t body=");
  EXPECT_EQ(got->get_header_value("X-Test"), "yes");
  auto missing = client.Get("/missing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST(ListenerTest, PassesPostBodies) {
  auto listener = StartOrDie({"127.0.0.1:0"});
  ASSERT_NE(listener, nullptr);
  httplib::Client client("127.0.0.1", listener->port());
  auto got = client.Post("/v1/x", "{\"a\":1}", "application/json");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, "POST /v1/x auth= body={\"a\":1}");
}

// The library would inflate a gzip body itself, without a bound; the
// handler gets the body as sent, with its encoding, to inflate (or refuse)
// with a bound of its own.
TEST(ListenerTest, PassesCompressedBodiesAsSentWithTheirEncoding) {
  auto listener = StartOrDie({"127.0.0.1:0"});
  ASSERT_NE(listener, nullptr);
  httplib::Client client("127.0.0.1", listener->port());
  // Not even gzip: were the library to inflate it, the request would fail.
  auto got = client.Post("/v1/logs", {{"Content-Encoding", "gzip"}}, "zz",
                         "application/x-protobuf");
  ASSERT_TRUE(got) << httplib::to_string(got.error());
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "POST /v1/logs auth= encoding=gzip body=zz");
}

TEST(ListenerTest, ServesIpv6Loopback) {
  auto listener = StartOrDie({"[::1]:0"});
  ASSERT_NE(listener, nullptr);
  httplib::Client client("::1", listener->port());
  auto got = client.Get("/");
  ASSERT_TRUE(got) << httplib::to_string(got.error());
  EXPECT_EQ(got->status, 200);
}

TEST(ListenerTest, RefusesAnOversizeBodyBeforeTheHandler) {
  ListenerOptions options{"127.0.0.1:0"};
  options.max_body_bytes = 16;
  auto listener = StartOrDie(options);
  ASSERT_NE(listener, nullptr);
  httplib::Client client("127.0.0.1", listener->port());
  auto got = client.Post("/v1/x", std::string(1000, 'x'), "text/plain");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 413);
}

TEST(ListenerTest, RefusesPlaintextOnAPublicAddress) {
  auto listener = Listener::Start({"0.0.0.0:0"}, Echo);
  ASSERT_FALSE(listener.ok());
  EXPECT_EQ(listener.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(listener.status().message().find("--tls_cert"), std::string::npos)
      << listener.status();
}

TEST(ListenerTest, ServesPlaintextOnAPublicAddressWhenAskedExplicitly) {
  ListenerOptions options{"0.0.0.0:0"};
  options.tls.plaintext = true;
  auto listener = StartOrDie(options);
  ASSERT_NE(listener, nullptr);
  httplib::Client client("127.0.0.1", listener->port());
  ASSERT_TRUE(client.Get("/"));
}

TEST(ListenerTest, RefusesBadAddressesNamingTheFlag) {
  for (const char* listen : {"", "8080", "127.0.0.1", "127.0.0.1:99999",
                             "::1:80", "[::1:80", "127.0.0.1:x"}) {
    ListenerOptions options{listen};
    options.flag_name = "--metrics_listen";
    auto listener = Listener::Start(options, Echo);
    ASSERT_FALSE(listener.ok()) << listen;
    EXPECT_NE(listener.status().message().find("--metrics_listen"),
              std::string::npos)
        << listener.status();
  }
}

TEST(ListenerTest, RefusesAPortInUse) {
  auto first = StartOrDie({"127.0.0.1:0"});
  ASSERT_NE(first, nullptr);
  auto second = Listener::Start(
      {"127.0.0.1:" + std::to_string(first->port())}, Echo);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

TEST(ListenerTest, StopIsIdempotentAndClosesThePort) {
  auto listener = StartOrDie({"127.0.0.1:0"});
  ASSERT_NE(listener, nullptr);
  const int port = listener->port();
  listener->Stop();
  listener->Stop();
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  EXPECT_FALSE(client.Get("/"));
}

class HttpsListenerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = new std::string(std::string(tmp ? tmp : "/tmp") + "/https_listener");
    const absl::Status made = tls::MakeTestCertificates(*dir_);
    ASSERT_TRUE(made.ok()) << made;
  }
  static std::string File(const std::string& name) { return *dir_ + "/" + name; }
  static std::string* dir_;
};
std::string* HttpsListenerTest::dir_ = nullptr;

TEST_F(HttpsListenerTest, ServesHttpsVerifiedAgainstTheCa) {
  ListenerOptions options{"127.0.0.1:0"};
  options.tls.cert_file = File("server.pem");
  options.tls.key_file = File("server.key");
  auto listener = StartOrDie(options);
  ASSERT_NE(listener, nullptr);
  EXPECT_TRUE(listener->tls());
  httplib::SSLClient client("127.0.0.1", listener->port());
  client.set_ca_cert_path(File("ca.pem").c_str());
  client.enable_server_certificate_verification(true);
  auto got = client.Get("/healthz");
  ASSERT_TRUE(got) << httplib::to_string(got.error());
  EXPECT_EQ(got->status, 200);
  // Plain HTTP to the HTTPS port gets nothing useful.
  httplib::Client plain("127.0.0.1", listener->port());
  plain.set_read_timeout(2);
  auto refused = plain.Get("/healthz");
  EXPECT_TRUE(!refused || refused->status != 200);
}

TEST_F(HttpsListenerTest, RefusesAKeyThatIsNotTheCertificates) {
  ListenerOptions options{"127.0.0.1:0"};
  options.tls.cert_file = File("server.pem");
  options.tls.key_file = File("ca.key");
  auto listener = Listener::Start(options, Echo);
  ASSERT_FALSE(listener.ok());
  EXPECT_EQ(listener.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace natscope::http
