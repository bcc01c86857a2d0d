// The socket adapter over real loopback sockets (127.0.0.2 is on lo too).
#include "server/stun/responder.h"

#include <random>

#include "common/io/udp_socket.h"
#include "common/quic/version_negotiation.h"
#include "common/stun/binding.h"
#include "common/stun/codec.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

net::SocketAddress Addr(const char* text) {
  return *net::SocketAddress::Parse(text);
}

std::string EncodeString(const stun::Message& m) {
  auto bytes = stun::Encode(m);
  EXPECT_TRUE(bytes.ok());
  return std::string(bytes->begin(), bytes->end());
}

stun::Message DecodeString(const std::string& s) {
  auto m = stun::Decode(absl::Span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

io::Datagram Exchange(io::UdpSocket& client, const std::string& payload,
                      const net::SocketAddress& to) {
  EXPECT_TRUE(client.SendTo(payload, to).ok());
  auto reply = client.Receive(absl::Seconds(5));
  EXPECT_TRUE(reply.ok() && reply->has_value())
      << "no reply from " << to.ToString();
  return reply.ok() && reply->has_value() ? **reply : io::Datagram{};
}

TEST(StunResponderTest, ServesRfc5780FromTheRightSockets) {
  StunResponderOptions options;
  options.stun_listen = Addr("127.0.0.1:0");
  options.stun_alt_ip = Addr("127.0.0.2:0");
  auto responder = StunResponder::Start(options);
  ASSERT_TRUE(responder.ok()) << responder.status();
  const net::SocketAddress primary = *(*responder)->stun_address();
  const net::SocketAddress alternate = *(*responder)->stun_alt_address();
  EXPECT_EQ(alternate.IpString(), "127.0.0.2");
  EXPECT_EQ(alternate.port(), primary.port() + 1);

  auto client = io::UdpSocket::Bind(Addr("127.0.0.1:0"));
  ASSERT_TRUE(client.ok());
  stun::Message request = stun::MakeBindingRequest(
      {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, stun::ChangeRequest{true, true});
  io::Datagram reply = Exchange(*client, EncodeString(request), primary);
  EXPECT_EQ(reply.source, alternate);
  stun::Message response = DecodeString(reply.payload);
  EXPECT_EQ(response.xor_mapped_address, client->local_address());
  EXPECT_EQ(response.response_origin, alternate);
  EXPECT_EQ(response.other_address, alternate);

  EXPECT_EQ((*responder)->PortFileLines(),
            absl::StrCat("stun=", primary.port(),
                         "\nstun_alt=", alternate.port(), "\n"));
  EXPECT_EQ((*responder)->counters().stun.responses, 1);
}

TEST(StunResponderTest, ServesPlainPortsAndQuic) {
  StunResponderOptions options;
  options.stun_listen = Addr("127.0.0.1:0");
  options.stun_ports = {0};
  options.quic_listen = Addr("127.0.0.1:0");
  auto responder = StunResponder::Start(options);
  ASSERT_TRUE(responder.ok()) << responder.status();
  ASSERT_EQ((*responder)->extra_stun_addresses().size(), 1u);
  const net::SocketAddress plain = (*responder)->extra_stun_addresses()[0];

  auto client = io::UdpSocket::Bind(Addr("127.0.0.1:0"));
  ASSERT_TRUE(client.ok());
  stun::Message request =
      stun::MakeBindingRequest({9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
  io::Datagram reply = Exchange(*client, EncodeString(request), plain);
  EXPECT_EQ(reply.source, plain);
  stun::Message response = DecodeString(reply.payload);
  EXPECT_EQ(response.response_origin, plain);
  EXPECT_FALSE(response.other_address.has_value());

  std::mt19937 gen(1);
  quic::VersionProbe probe = quic::BuildVersionProbe(gen);
  io::Datagram vn =
      Exchange(*client, std::string(probe.bytes.begin(), probe.bytes.end()),
               *(*responder)->quic_address());
  EXPECT_TRUE(quic::ParseProbeAnswer(
                  absl::Span<const uint8_t>(
                      reinterpret_cast<const uint8_t*>(vn.payload.data()),
                      vn.payload.size()),
                  probe)
                  .ok());
  EXPECT_EQ((*responder)->counters().quic.responses, 1);
}

TEST(StunResponderTest, QuicPortAnswersStunToo) {
  StunResponderOptions options;
  options.quic_listen = Addr("127.0.0.1:0");
  auto responder = StunResponder::Start(options);
  ASSERT_TRUE(responder.ok()) << responder.status();
  auto client = io::UdpSocket::Bind(Addr("127.0.0.1:0"));
  ASSERT_TRUE(client.ok());
  stun::Message request =
      stun::MakeBindingRequest({9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
  io::Datagram reply =
      Exchange(*client, EncodeString(request), *(*responder)->quic_address());
  EXPECT_EQ(DecodeString(reply.payload).xor_mapped_address,
            client->local_address());
}

TEST(StunResponderTest, AlternateIpNotOnThisHostFailsWithAHint) {
  StunResponderOptions options;
  options.stun_listen = Addr("127.0.0.1:0");
  options.stun_alt_ip = Addr("192.0.2.123:0");
  auto responder = StunResponder::Start(options);
  ASSERT_FALSE(responder.ok());
  EXPECT_NE(responder.status().message().find("--stun_alt_ip"),
            std::string::npos)
      << responder.status();
}

}  // namespace
}  // namespace natscope::server
