#include "ingest/netpath/stun_tcp.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/stun/binding.h"
#include "common/stun/codec.h"
#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

net::SocketAddress Loopback(uint16_t port) {
  return net::SocketAddress::IPv4({127, 0, 0, 1}, port);
}

// A TCP socket bound to a free loopback port; listening when asked.
class TcpPort {
 public:
  explicit TcpPort(bool listen_on) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    socklen_t len = 0;
    const sockaddr_storage addr = Loopback(0).ToSockaddr(&len);
    EXPECT_EQ(bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len), 0);
    if (listen_on) {
      EXPECT_EQ(listen(fd_, 4), 0);
    }
    sockaddr_storage bound{};
    socklen_t size = sizeof(bound);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &size);
    address_ = *net::SocketAddress::FromSockaddr(
        reinterpret_cast<const sockaddr*>(&bound), size);
  }
  ~TcpPort() { close(fd_); }
  int fd() const { return fd_; }
  const net::SocketAddress& address() const { return address_; }

 private:
  const int fd_;
  net::SocketAddress address_;
};

// What the scripted server writes back: chunks sent one after another,
// given the request it read and the client's address.
using Script = std::function<std::vector<std::string>(
    const stun::Message& request, const net::SocketAddress& client)>;

std::string Wire(const stun::Message& m) {
  stun::EncodeOptions options;
  options.add_fingerprint = true;
  auto bytes = stun::Encode(m, options);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return std::string(bytes->begin(), bytes->end());
}

std::string Answer(const stun::Message& request,
                   const net::SocketAddress& client) {
  return Wire(*stun::MakeBindingSuccessResponse(request, client));
}

// Runs one exchange against a server that accepts one connection, reads
// one request and writes what `script` says, then closes.
v1::TcpStunObservation Exchange(const Script& script,
                                stun::Message* seen = nullptr) {
  TcpPort server(/*listen_on=*/true);
  std::thread peer([&] {
    sockaddr_storage from{};
    socklen_t len = sizeof(from);
    const int fd = accept(server.fd(), reinterpret_cast<sockaddr*>(&from), &len);
    ASSERT_GE(fd, 0);
    const net::SocketAddress client = *net::SocketAddress::FromSockaddr(
        reinterpret_cast<const sockaddr*>(&from), len);
    std::string request(20, '\0');
    ASSERT_EQ(recv(fd, request.data(), 20, MSG_WAITALL), 20);
    const size_t rest = (uint8_t(request[2]) << 8) | uint8_t(request[3]);
    request.resize(20 + rest);
    ASSERT_EQ(recv(fd, request.data() + 20, rest, MSG_WAITALL),
              static_cast<ssize_t>(rest));
    auto decoded = stun::Decode(absl::MakeConstSpan(
        reinterpret_cast<const uint8_t*>(request.data()), request.size()));
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    if (seen != nullptr) *seen = *decoded;
    for (const std::string& chunk : script(*decoded, client)) {
      send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    close(fd);
  });
  Deadline deadline(absl::Now() + absl::Seconds(30));
  v1::TcpStunObservation o =
      StunBindingOverTcp({server.address(), &deadline}, RealClock::Get());
  peer.join();
  EXPECT_EQ(o.server(), server.address().ToString());
  return o;
}

TEST(StunTcpTest, AnAnswerInPiecesGivesTheConnectionsMappedAddress) {
  stun::Message request;
  const v1::TcpStunObservation o = Exchange(
      [](const stun::Message& req, const net::SocketAddress& client) {
        const std::string answer = Answer(req, client);
        // Split inside the header and again in the body: framing, not
        // segment boundaries, delimits the message; bytes after it stay
        // unread.
        return std::vector<std::string>{answer.substr(0, 7),
                                        answer.substr(7, 20),
                                        answer.substr(27) + "trailing"};
      },
      &request);
  EXPECT_EQ(o.outcome(), v1::TCP_STUN_ANSWERED) << o.error();
  EXPECT_EQ(o.mapped_address(), o.local_address());
  EXPECT_EQ(o.local_address().rfind("127.0.0.1:", 0), 0u) << o.local_address();
  EXPECT_GE(o.rtt_micros(), 0);
  EXPECT_TRUE(o.error().empty());
  EXPECT_TRUE(request.has_fingerprint);
  EXPECT_EQ(request.message_class, stun::MessageClass::kRequest);
}

TEST(StunTcpTest, APortThatDoesNotListenIsRefused) {
  TcpPort closed(/*listen_on=*/false);  // Bound, so nobody else takes it.
  Deadline deadline(absl::Now() + absl::Seconds(30));
  const v1::TcpStunObservation o =
      StunBindingOverTcp({closed.address(), &deadline}, RealClock::Get());
  EXPECT_EQ(o.outcome(), v1::TCP_STUN_REFUSED);
  EXPECT_EQ(o.error(), "connection refused");
  EXPECT_TRUE(o.mapped_address().empty());
}

TEST(StunTcpTest, ASilentServerIsABadAnswerAtTheDeadline) {
  TcpPort server(/*listen_on=*/true);  // The kernel accepts; nobody reads.
  Deadline deadline(absl::Now() + absl::Milliseconds(100));
  const v1::TcpStunObservation o =
      StunBindingOverTcp({server.address(), &deadline}, RealClock::Get());
  EXPECT_EQ(o.outcome(), v1::TCP_STUN_BAD_ANSWER);
  EXPECT_NE(o.error().find("connected, but no answer"), std::string::npos)
      << o.error();
  EXPECT_FALSE(o.local_address().empty());
}

TEST(StunTcpTest, AnswersThatCannotBeTrustedAreBadAnswers) {
  struct Case {
    const char* name;
    Script script;
    const char* error;
  };
  const std::vector<Case> cases = {
      {"another transaction",
       [](const stun::Message& req, const net::SocketAddress& client) {
         stun::Message other = req;
         other.transaction_id[0] ^= 1;
         return std::vector<std::string>{Answer(other, client)};
       },
       "another transaction"},
      {"not STUN",
       [](const stun::Message&, const net::SocketAddress&) {
         return std::vector<std::string>{
             "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"};
       },
       "not STUN (it starts 48545450)"},
      {"too long",
       [](const stun::Message& req, const net::SocketAddress& client) {
         std::string answer = Answer(req, client);
         answer[2] = 0x10;  // 4096 + lower byte: beyond the bound.
         return std::vector<std::string>{answer};
       },
       "longer than any Binding response"},
      {"closed early",
       [](const stun::Message& req, const net::SocketAddress& client) {
         return std::vector<std::string>{Answer(req, client).substr(0, 10)};
       },
       "closed the connection after 10 byte(s)"},
      {"error response",
       [](const stun::Message& req, const net::SocketAddress&) {
         return std::vector<std::string>{
             Wire(*stun::MakeErrorResponse(req, 400, "Bad Request"))};
       },
       "error 400 Bad Request"},
  };
  for (const Case& c : cases) {
    const v1::TcpStunObservation o = Exchange(c.script);
    EXPECT_EQ(o.outcome(), v1::TCP_STUN_BAD_ANSWER) << c.name;
    EXPECT_NE(o.error().find(c.error), std::string::npos)
        << c.name << ": " << o.error();
    EXPECT_TRUE(o.mapped_address().empty()) << c.name;
  }
}

TEST(StunTcpTest, NoDeadlineIsALocalError) {
  const v1::TcpStunObservation o =
      StunBindingOverTcp({Loopback(3478), nullptr}, RealClock::Get());
  EXPECT_EQ(o.outcome(), v1::TCP_STUN_LOCAL_ERROR);
}

}  // namespace
}  // namespace natscope::ingest
