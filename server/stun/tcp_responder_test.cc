// STUN over TCP on real loopback sockets (127.0.0.2 is on lo too). Waits
// have generous deadlines; nothing asserts how long anything took. Idle
// timeouts run on a SimClock.
#include "server/stun/tcp_responder.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/io/udp_socket.h"
#include "common/metrics/metrics.h"
#include "common/sim_clock.h"
#include "common/stun/binding.h"
#include "common/stun/codec.h"
#include "gtest/gtest.h"
#include "server/stun/responder.h"

namespace natscope::server {
namespace {

constexpr absl::Duration kDeadline = absl::Seconds(20);

net::SocketAddress Addr(const char* text) {
  return *net::SocketAddress::Parse(text);
}

std::string Wire(const stun::Message& m) {
  auto bytes = stun::Encode(m);
  EXPECT_TRUE(bytes.ok());
  return std::string(bytes->begin(), bytes->end());
}

stun::Message Parse(const std::string& s) {
  auto m = stun::Decode(absl::Span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : stun::Message{};
}

stun::TransactionId Id(uint8_t n) {
  return {n, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
}

// A blocking test client on a real TCP socket.
class Client {
 public:
  Client(const net::SocketAddress& to, const char* from = "127.0.0.1:0") {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    socklen_t len = 0;
    sockaddr_storage local = Addr(from).ToSockaddr(&len);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&local), len), 0);
    sockaddr_storage remote = to.ToSockaddr(&len);
    EXPECT_EQ(connect(fd_, reinterpret_cast<sockaddr*>(&remote), len), 0)
        << "cannot connect to " << to.ToString() << ": " << strerror(errno);
  }
  ~Client() { Close(); }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int fd() const { return fd_; }
  net::SocketAddress local() const { return *io::LocalAddressOf(fd_); }

  bool Send(const std::string& bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // One whole STUN message; nullopt on end of stream, reset or deadline.
  std::optional<std::string> Receive() {
    while (true) {
      if (in_.size() >= 20) {
        const size_t size = 20 + ((static_cast<uint8_t>(in_[2]) << 8) |
                                  static_cast<uint8_t>(in_[3]));
        if (in_.size() >= size) {
          std::string message = in_.substr(0, size);
          in_.erase(0, size);
          return message;
        }
      }
      if (ReadSome() <= 0) return std::nullopt;
    }
  }
  // True when the server closes the connection (FIN or reset) before the
  // deadline without sending anything.
  bool ClosedByServer() { return ReadSome() == 0; }
  std::optional<stun::Message> Exchange(const stun::Message& request) {
    if (!Send(Wire(request))) return std::nullopt;
    auto reply = Receive();
    if (!reply) return std::nullopt;
    return Parse(*reply);
  }

 private:
  // Bytes read (> 0), 0 at end of stream or reset, -1 on deadline.
  int ReadSome() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(kDeadline))) <=
        0) {
      return -1;
    }
    char buffer[4096];
    const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) return 0;
    in_.append(buffer, static_cast<size_t>(n));
    return static_cast<int>(n);
  }

  int fd_ = -1;
  std::string in_;
};

// Polls `done` until it holds or the deadline passes.
template <typename F>
bool WaitFor(F done) {
  const absl::Time deadline = absl::Now() + kDeadline;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

class TcpResponderTest : public ::testing::Test {
 protected:
  // A single-address TCP responder on 127.0.0.1, rate limit off.
  void Start(StunTcpOptions options = {}) {
    auto listener = io::TcpListener::Listen(Addr("127.0.0.1:0"));
    ASSERT_TRUE(listener.ok()) << listener.status();
    address_ = listener->local_address();
    std::vector<StunTcpListener> listeners;
    listeners.push_back(
        {*std::move(listener), {address_, std::nullopt}, StunSocket::kPrimary});
    auto r = StunTcpResponder::Start(std::move(listeners), options,
                                     RateLimiterOptions{0, 1, 100}, clock_);
    ASSERT_TRUE(r.ok()) << r.status();
    responder_ = *std::move(r);
  }
  StunTcpCounters counters() const { return responder_->counters(); }

  SimClock clock_;
  net::SocketAddress address_;
  std::unique_ptr<StunTcpResponder> responder_;
};

TEST_F(TcpResponderTest, BindingGetsTheClientsAddress) {
  Start();
  Client client(address_);
  auto response = client.Exchange(stun::MakeBindingRequest(Id(1)));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->transaction_id, Id(1));
  EXPECT_EQ(response->xor_mapped_address, client.local());
  EXPECT_EQ(response->response_origin, address_);
  EXPECT_EQ(counters().stun.responses, 1);
  EXPECT_EQ(metrics::DefaultRegistry().ValueOf(
                "natscope_stun_tcp_connections_accepted_total"),
            1);
}

TEST_F(TcpResponderTest, TwoMessagesInOneWriteAreBothAnswered) {
  Start();
  Client client(address_);
  ASSERT_TRUE(client.Send(Wire(stun::MakeBindingRequest(Id(1))) +
                          Wire(stun::MakeBindingRequest(Id(2)))));
  auto first = client.Receive(), second = client.Receive();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(Parse(*first).transaction_id, Id(1));
  EXPECT_EQ(Parse(*second).transaction_id, Id(2));
}

TEST_F(TcpResponderTest, MessageSplitAcrossWritesIsAnswered) {
  Start();
  Client client(address_);
  const std::string request = Wire(stun::MakeBindingRequest(Id(3)));
  ASSERT_TRUE(client.Send(request.substr(0, 7)));
  ASSERT_TRUE(WaitFor([&] { return counters().accepted == 1; }));
  ASSERT_TRUE(client.Send(request.substr(7)));
  auto reply = client.Receive();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(Parse(*reply).transaction_id, Id(3));
}

TEST_F(TcpResponderTest, ChangeRequestGets420AndTheConnectionStays) {
  Start();
  Client client(address_);
  auto refused = client.Exchange(
      stun::MakeBindingRequest(Id(4), stun::ChangeRequest{true, true}));
  ASSERT_TRUE(refused.has_value());
  ASSERT_TRUE(refused->error_code.has_value());
  EXPECT_EQ(refused->error_code->code, 420);
  EXPECT_EQ(refused->unknown_attributes,
            std::vector<uint16_t>{stun::kAttrChangeRequest});
  auto ok = client.Exchange(stun::MakeBindingRequest(Id(5)));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->xor_mapped_address, client.local());
}

TEST_F(TcpResponderTest, TotalConnectionLimitRefusesTheNextOne) {
  StunTcpOptions options;
  options.max_connections = 2;
  Start(options);
  Client a(address_), b(address_);
  ASSERT_TRUE(a.Exchange(stun::MakeBindingRequest(Id(1))));
  ASSERT_TRUE(b.Exchange(stun::MakeBindingRequest(Id(2))));
  Client c(address_, "127.0.0.2:0");
  c.Send(Wire(stun::MakeBindingRequest(Id(3))));
  EXPECT_TRUE(c.ClosedByServer());
  EXPECT_EQ(counters().refused_total, 1);
  a.Close();
  ASSERT_TRUE(WaitFor([&] { return counters().open == 1; }));
  Client d(address_);
  EXPECT_TRUE(d.Exchange(stun::MakeBindingRequest(Id(4))));
}

TEST_F(TcpResponderTest, PerSourceLimitRefusesOnlyThatSource) {
  StunTcpOptions options;
  options.max_connections_per_source = 2;
  Start(options);
  Client a(address_), b(address_);
  ASSERT_TRUE(a.Exchange(stun::MakeBindingRequest(Id(1))));
  ASSERT_TRUE(b.Exchange(stun::MakeBindingRequest(Id(2))));
  Client third(address_);
  EXPECT_TRUE(third.ClosedByServer());
  EXPECT_EQ(counters().refused_per_source, 1);
  Client other(address_, "127.0.0.2:0");
  auto response = other.Exchange(stun::MakeBindingRequest(Id(3)));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->xor_mapped_address->IpString(), "127.0.0.2");
}

TEST_F(TcpResponderTest, IdleConnectionIsClosed) {
  Start();  // Idle timeout 10 s of SimClock time.
  Client idle(address_), busy(address_);
  ASSERT_TRUE(idle.Exchange(stun::MakeBindingRequest(Id(1))));
  clock_.Advance(absl::Seconds(6));
  ASSERT_TRUE(busy.Exchange(stun::MakeBindingRequest(Id(2))));
  clock_.Advance(absl::Seconds(6));
  EXPECT_TRUE(idle.ClosedByServer());
  EXPECT_EQ(counters().idle_closed, 1);
  EXPECT_TRUE(busy.Exchange(stun::MakeBindingRequest(Id(3))));
}

TEST_F(TcpResponderTest, PartialMessageDoesNotKeepAConnectionOpen) {
  Start();
  Client client(address_);
  const std::string request = Wire(stun::MakeBindingRequest(Id(1)));
  ASSERT_TRUE(client.Send(request.substr(0, 10)));
  ASSERT_TRUE(WaitFor([&] { return counters().accepted == 1; }));
  clock_.Advance(absl::Seconds(11));
  EXPECT_TRUE(client.ClosedByServer());
  EXPECT_EQ(counters().idle_closed, 1);
}

TEST_F(TcpResponderTest, OversizedMessageClosesTheConnection) {
  Start();
  Client client(address_);
  std::string header = Wire(stun::MakeBindingRequest(Id(1)));
  header[2] = 0x10;  // A body of 4096 bytes: above the 2048 bound.
  header[3] = 0x00;
  ASSERT_TRUE(client.Send(header));
  EXPECT_TRUE(client.ClosedByServer());
  EXPECT_EQ(counters().framing_errors, 1);
}

TEST_F(TcpResponderTest, GarbageClosesTheConnection) {
  Start();
  Client client(address_);
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(client.ClosedByServer());
  EXPECT_EQ(counters().framing_errors, 1);
  EXPECT_EQ(counters().stun.requests, 0);
}

TEST_F(TcpResponderTest, PeerThatDoesNotReadIsClosed) {
  Start();
  Client client(address_);
  const int small = 4096;
  setsockopt(client.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  std::string burst;
  for (int i = 0; i < 1000; ++i) burst += Wire(stun::MakeBindingRequest(Id(1)));
  // Requests keep flowing; replies pile up unread until the server gives
  // up on this peer and the writes fail.
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  bool failed = false;
  while (!failed && absl::Now() < deadline) {
    pollfd p{client.fd(), POLLOUT, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    failed = send(client.fd(), burst.data(), burst.size(),
                  MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
             errno != EAGAIN;
  }
  EXPECT_TRUE(failed);
  EXPECT_TRUE(WaitFor([&] { return counters().slow_readers == 1; }));
}

TEST_F(TcpResponderTest, ClientThatHalfClosesStillGetsItsReply) {
  Start();
  Client client(address_);
  ASSERT_TRUE(client.Send(Wire(stun::MakeBindingRequest(Id(7)))));
  shutdown(client.fd(), SHUT_WR);
  auto reply = client.Receive();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(Parse(*reply).transaction_id, Id(7));
  EXPECT_TRUE(client.ClosedByServer());
}

TEST(BindUdpAndTcpTest, DrawsAgainWhenTheKernelsUdpPortIsTakenForTcp) {
  auto taken = io::TcpListener::Listen(Addr("127.0.0.1:0"));
  ASSERT_TRUE(taken.ok());
  const uint16_t port = taken->local_address().port();
  int calls = 0;
  auto bind_udp = [&]() -> absl::StatusOr<std::vector<io::UdpSocket>> {
    // First the port TCP has taken, as the kernel could pick; then any.
    auto socket = io::UdpSocket::Bind(
        Addr("127.0.0.1:0").WithPort(calls++ == 0 ? port : 0));
    if (!socket.ok()) return socket.status();
    std::vector<io::UdpSocket> out;
    out.push_back(*std::move(socket));
    return out;
  };
  auto bound = BindUdpAndTcp(bind_udp, true, true, 16);
  ASSERT_TRUE(bound.ok()) << bound.status();
  EXPECT_EQ(calls, 2);
  ASSERT_EQ(bound->tcp.size(), 1u);
  EXPECT_EQ(bound->tcp[0].local_address(), bound->udp[0].local_address());

  calls = 0;
  auto fixed = BindUdpAndTcp(bind_udp, true, false, 16);
  ASSERT_FALSE(fixed.ok());
  EXPECT_EQ(calls, 1);
  EXPECT_NE(fixed.status().message().find("--nostun_tcp"), std::string::npos);
}

TEST(StunResponderTcpTest, ListensOnEveryStunAddressOverTcp) {
  StunResponderOptions options;
  options.stun_listen = Addr("127.0.0.1:0");
  options.stun_alt_ip = Addr("127.0.0.2:0");
  options.stun_ports = {0};
  auto responder = StunResponder::Start(options);
  ASSERT_TRUE(responder.ok()) << responder.status();
  const net::SocketAddress a1p1 = *(*responder)->stun_address();
  const net::SocketAddress a2p2 = *(*responder)->stun_alt_address();
  std::vector<net::SocketAddress> addresses = {
      a1p1, a1p1.WithPort(a2p2.port()), a2p2.WithPort(a1p1.port()), a2p2,
      (*responder)->extra_stun_addresses()[0]};
  for (const net::SocketAddress& address : addresses) {
    Client client(address);
    auto response = client.Exchange(stun::MakeBindingRequest(Id(1)));
    ASSERT_TRUE(response.has_value()) << address.ToString();
    EXPECT_EQ(response->response_origin, address);
    EXPECT_EQ(response->xor_mapped_address, client.local());
  }
  EXPECT_NE((*responder)->Describe().find("STUN over TCP"), std::string::npos);
  EXPECT_EQ((*responder)->counters().tcp.stun.responses, 5);
  EXPECT_EQ((*responder)->counters().stun.responses, 0);  // UDP's.
}

TEST(StunResponderTcpTest, NoTcpWhenTurnedOff) {
  StunResponderOptions options;
  options.stun_listen = Addr("127.0.0.1:0");
  options.tcp.enabled = false;
  auto responder = StunResponder::Start(options);
  ASSERT_TRUE(responder.ok()) << responder.status();
  EXPECT_EQ((*responder)->Describe().find("TCP"), std::string::npos);
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  socklen_t len = 0;
  sockaddr_storage to = (*responder)->stun_address()->ToSockaddr(&len);
  EXPECT_NE(connect(fd, reinterpret_cast<sockaddr*>(&to), len), 0);
  close(fd);
}

}  // namespace
}  // namespace natscope::server
