#include "ingest/netpath/firewalk_round.h"

#include <future>

#include "common/io/udp_socket.h"
#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

using Kind = FirewalkReply::Kind;

net::SocketAddress Loopback(uint16_t port) {
  return net::SocketAddress::IPv4({127, 0, 0, 1}, port);
}

// A port nobody listens on.
uint16_t ClosedPort() {
  auto s = io::UdpSocket::Bind(Loopback(0));
  EXPECT_TRUE(s.ok());
  return s.ok() ? s->local_address().port() : 9;
}

TEST(FirewalkRoundTest, TellsAnsweredSilentAndPortUnreachableApart) {
  auto answering = io::UdpSocket::Bind(Loopback(0));
  auto silent = io::UdpSocket::Bind(Loopback(0));
  ASSERT_TRUE(answering.ok() && silent.ok());
  FirewalkRoundOptions options;
  options.ttl = 1;  // Loopback delivers without a router.
  options.targets = {Loopback(ClosedPort()), silent->local_address()};
  options.sibling = answering->local_address();
  options.wait = absl::Milliseconds(300);
  auto round_future = std::async(std::launch::async, [&] {
    return RunFirewalkRound(options, RealClock::Get());
  });
  // Answer the sibling like a STUN server would.
  auto got = answering->Receive(absl::Seconds(2));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->payload.size(), 20u);
  ASSERT_TRUE(answering->SendTo("pong", (*got)->source).ok());
  auto round = round_future.get();
  ASSERT_TRUE(round.ok()) << round.status();
  ASSERT_EQ(round->targets.size(), 2u);
  EXPECT_EQ(round->targets[0].kind, Kind::kPortUnreachable);
  EXPECT_EQ(round->targets[0].responder, Loopback(0));
  EXPECT_EQ(round->targets[1].kind, Kind::kSilent);
  EXPECT_EQ(round->sibling.kind, Kind::kAnswered);
  EXPECT_EQ(round->sibling.responder, Loopback(0));
  // The silent target got its datagram: it was sent, nobody answered.
  auto arrived = silent->Receive(absl::Milliseconds(100));
  ASSERT_TRUE(arrived.ok());
  EXPECT_TRUE(arrived->has_value());
}

}  // namespace
}  // namespace natscope::ingest
