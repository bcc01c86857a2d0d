// SyslogListener over TLS (RFC 5425) with a throwaway CA, and the option
// checks that refuse to start: plaintext off loopback, bad addresses, half
// the TLS flags, a key that is not the certificate's.
#include <openssl/ssl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/sim_clock.h"
#include "common/tls/test_ca.h"
#include "gtest/gtest.h"
#include "server/intake/syslog/syslog_listener.h"
#include "server/intake/syslog/syslog_test_util.h"

namespace natscope::server::intake {
namespace {

using syslog_testing::Connect;
using syslog_testing::FakeSink;
using syslog_testing::k5424;
using syslog_testing::Loopback;
using syslog_testing::OctetCounted;
using syslog_testing::RecvEnd;
using syslog_testing::StartOrDie;
using syslog_testing::WaitUntil;

TEST(SyslogListenerTest, RefusesPlaintextOffLoopbackWithoutTheFlag) {
  FakeSink sink;
  SyslogListenerOptions options = Loopback(&RealClock::Get());
  options.listen = "0.0.0.0:0";
  auto refused = SyslogListener::Start(options, &sink);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(refused.status().message());
  EXPECT_NE(message.find("--syslog_listen"), std::string::npos) << message;
  EXPECT_NE(message.find("--tls_cert"), std::string::npos) << message;
  EXPECT_NE(message.find("--syslog_plaintext"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
  options.tls.plaintext = true;
  auto allowed = SyslogListener::Start(options, &sink);
  EXPECT_TRUE(allowed.ok()) << allowed.status();
}

TEST(SyslogListenerTest, RefusesBadAddressesAndHalfTlsFlags) {
  FakeSink sink;
  SyslogListenerOptions options = Loopback(&RealClock::Get());
  options.listen = "example.com:514";
  EXPECT_EQ(SyslogListener::Start(options, &sink).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.listen = "127.0.0.1:0";
  options.tls.cert_file = "/nonexistent.pem";
  EXPECT_EQ(SyslogListener::Start(options, &sink).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.tls.key_file = "/nonexistent.key";
  EXPECT_EQ(SyslogListener::Start(options, &sink).status().code(),
            absl::StatusCode::kNotFound);
}

class SyslogTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = new std::string(std::string(tmp ? tmp : "/tmp") + "/syslog_tls");
    const absl::Status made = tls::MakeTestCertificates(*dir_);
    ASSERT_TRUE(made.ok()) << made;
  }
  static std::string File(const std::string& name) {
    return *dir_ + "/" + name;
  }
  static std::string* dir_;
};
std::string* SyslogTlsTest::dir_ = nullptr;

// On Stop the server sends a bare FIN, no close_notify first: what
// rsyslog checks before each write (a peek at its socket) must read "closed",
// not data (SyslogStream::ShutdownWrite).
TEST_F(SyslogTlsTest, ServesRfc5425AndStopsWithABareFin) {
  FakeSink sink;
  SyslogListenerOptions options = Loopback(&RealClock::Get());
  options.tls.cert_file = File("server.pem");
  options.tls.key_file = File("server.key");
  auto listener = StartOrDie(options, &sink);
  ASSERT_NE(listener, nullptr);
  EXPECT_TRUE(listener->tls());

  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  ASSERT_EQ(SSL_CTX_load_verify_locations(ctx, File("ca.pem").c_str(), nullptr),
            1);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  const int fd = Connect(listener->port());
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  SSL_set1_host(ssl, "localhost");
  ASSERT_EQ(SSL_connect(ssl), 1);
  const std::string frame = OctetCounted(k5424);
  ASSERT_EQ(SSL_write(ssl, frame.data(), static_cast<int>(frame.size())),
            static_cast<int>(frame.size()));
  const std::vector<IntakeMessage> got = sink.WaitFor(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].token, "t2");
  EXPECT_EQ(got[0].text, "five four two four");

  listener->Stop();
  char byte;
  EXPECT_EQ(recv(fd, &byte, 1, MSG_PEEK), 0) << "a FIN, and nothing before it";
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  close(fd);
}

TEST_F(SyslogTlsTest, RefusesAKeyThatIsNotTheCertificates) {
  FakeSink sink;
  SyslogListenerOptions options = Loopback(&RealClock::Get());
  options.tls.cert_file = File("server.pem");
  options.tls.key_file = File("ca.key");
  auto listener = SyslogListener::Start(options, &sink);
  ASSERT_FALSE(listener.ok());
  EXPECT_EQ(listener.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(listener.status().message().find("--tls_key"), std::string::npos);
}

TEST_F(SyslogTlsTest, ClientThatNeverHandshakesIsReset) {
  SimClock clock;
  FakeSink sink;
  SyslogListenerOptions options = Loopback(&clock);
  options.tls.cert_file = File("server.pem");
  options.tls.key_file = File("server.key");
  auto listener = StartOrDie(options, &sink);
  ASSERT_NE(listener, nullptr);
  const int fd = Connect(listener->port());
  ASSERT_TRUE(
      WaitUntil([&] { return listener->counters().connections_open == 1; }));
  clock.Advance(absl::Seconds(30));
  int error = 0;
  EXPECT_EQ(RecvEnd(fd, &error), -1);
  EXPECT_EQ(error, ECONNRESET);
  close(fd);
}

}  // namespace
}  // namespace natscope::server::intake
