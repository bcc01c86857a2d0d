#include "ingest/netpath/port_mapping.h"

#include <thread>

#include "common/io/udp_socket.h"
#include "gtest/gtest.h"
#include "tests/evidence/natpmp_responder.h"

namespace natscope::ingest {
namespace {

using tests::NatPmpResponder;

net::SocketAddress Loopback(uint16_t port) {
  return net::SocketAddress::IPv4({127, 0, 0, 1}, port);
}

// A deadline `d` from now, on the real clock the queries read.
Deadline In(absl::Duration d) { return Deadline(absl::Now() + d); }

TEST(PortMappingTest, NatPmpReportsTheResponderExternalAddress) {
  auto responder = NatPmpResponder::Start(
      {Loopback(0), net::SocketAddress::IPv4({192, 168, 0, 2}, 0), 0});
  ASSERT_TRUE(responder.ok()) << responder.status();
  v1::GatewayObservation o =
      QueryNatPmp((*responder)->address(), In(absl::Milliseconds(900)));
  EXPECT_TRUE(o.answered()) << o.DebugString();
  EXPECT_EQ(o.protocol(), "nat-pmp");
  EXPECT_EQ(o.external_address(), "192.168.0.2");
  EXPECT_EQ(o.gateway(), (*responder)->address().ToString());
  EXPECT_TRUE(o.error().empty()) << o.error();
}

TEST(PortMappingTest, NatPmpNetworkFailureIsAnsweredWithoutAddress) {
  auto responder = NatPmpResponder::Start(
      {Loopback(0), net::SocketAddress::IPv4({0, 0, 0, 0}, 0), 3});
  ASSERT_TRUE(responder.ok()) << responder.status();
  v1::GatewayObservation o =
      QueryNatPmp((*responder)->address(), In(absl::Milliseconds(900)));
  EXPECT_TRUE(o.answered());
  EXPECT_TRUE(o.external_address().empty());
  EXPECT_NE(o.error().find("network failure"), std::string::npos) << o.error();
}

TEST(PortMappingTest, ClosedPortIsReportedQuicklyAsNoNatPmp) {
  uint16_t port = 0;
  {
    auto s = io::UdpSocket::Bind(Loopback(0));
    ASSERT_TRUE(s.ok());
    port = s->local_address().port();
  }
  const absl::Time start = absl::Now();
  v1::GatewayObservation o = QueryNatPmp(Loopback(port), In(absl::Seconds(1)));
  EXPECT_FALSE(o.answered());
  EXPECT_NE(o.error().find("does not run this protocol"), std::string::npos)
      << o.error();
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(300));
}

TEST(PortMappingTest, SilentGatewayTimesOutWithinTheBound) {
  auto silent = io::UdpSocket::Bind(Loopback(0));
  ASSERT_TRUE(silent.ok());
  const absl::Time start = absl::Now();
  v1::GatewayObservation o =
      QueryNatPmp(silent->local_address(), In(absl::Milliseconds(400)));
  const absl::Duration took = absl::Now() - start;
  EXPECT_FALSE(o.answered());
  EXPECT_NE(o.error().find("no answer"), std::string::npos) << o.error();
  EXPECT_NE(o.error().find("within 400ms"), std::string::npos) << o.error();
  EXPECT_LT(took, absl::Milliseconds(600));
  // RFC 6886 retransmission: sent at 0 and 250 ms.
  int received = 0;
  while (true) {
    auto d = silent->Receive(absl::ZeroDuration());
    if (!d.ok() || !d->has_value()) break;
    ++received;
  }
  EXPECT_EQ(received, 2);
}

TEST(PortMappingTest, PcpToNatPmpOnlyResponderSaysSo) {
  auto responder = NatPmpResponder::Start(
      {Loopback(0), net::SocketAddress::IPv4({192, 168, 0, 2}, 0), 0});
  ASSERT_TRUE(responder.ok());
  v1::GatewayObservation o =
      QueryPcp((*responder)->address(), In(absl::Milliseconds(900)));
  EXPECT_TRUE(o.answered());
  EXPECT_TRUE(o.external_address().empty());
  EXPECT_NE(o.error().find("NAT-PMP only"), std::string::npos) << o.error();
}

TEST(PortMappingTest, QueryGatewaysRunsNatPmpAndPcpConcurrently) {
  auto responder = NatPmpResponder::Start(
      {Loopback(0), net::SocketAddress::IPv4({100, 64, 0, 9}, 0), 0});
  ASSERT_TRUE(responder.ok());
  PortMappingOptions options;
  options.pmp_server = (*responder)->address();
  options.upnp = false;  // SSDP would leave loopback
  auto got = QueryGateways(options, In(absl::Milliseconds(500)),
                           In(absl::Milliseconds(900)));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].external_address(), "100.64.0.9");
  EXPECT_EQ(got[1].protocol(), "pcp");
  EXPECT_TRUE(got[1].answered());
}

// The probe brings the deadline forward from another thread once STUN has
// measured the round trip: a query waiting on a silent gateway ends then,
// and says why it waited so little.
TEST(PortMappingTest, ADeadlineBroughtForwardEndsTheWaitAndSaysWhy) {
  auto silent = io::UdpSocket::Bind(Loopback(0));
  ASSERT_TRUE(silent.ok());
  const absl::Time start = absl::Now();
  Deadline deadline(absl::Now() + absl::Seconds(20));
  std::thread probe([&] {
    absl::SleepFor(absl::Milliseconds(20));
    deadline.BringForward(absl::Now() + absl::Milliseconds(30),
                          "waits follow the 100us STUN round trip");
  });
  v1::GatewayObservation o = QueryNatPmp(silent->local_address(), deadline);
  const absl::Duration took = absl::Now() - start;
  probe.join();
  EXPECT_FALSE(o.answered());
  EXPECT_NE(o.error().find("(waits follow the 100us STUN round trip)"),
            std::string::npos)
      << o.error();
  EXPECT_GE(took, absl::Milliseconds(50));
  EXPECT_LT(took, absl::Seconds(5));
}

// With a past deadline nothing is waited for, and the observation says
// there was no answer rather than guessing.
TEST(PortMappingTest, AnExpiredDeadlineIsNoAnswer) {
  auto responder = NatPmpResponder::Start(
      {Loopback(0), net::SocketAddress::IPv4({192, 168, 0, 2}, 0), 0});
  ASSERT_TRUE(responder.ok());
  const Deadline past(absl::Now() - absl::Milliseconds(1));
  v1::GatewayObservation o = QueryNatPmp((*responder)->address(), past);
  EXPECT_FALSE(o.answered());
  EXPECT_TRUE(o.external_address().empty());
  EXPECT_NE(o.error().find("no answer"), std::string::npos) << o.error();
}

}  // namespace
}  // namespace natscope::ingest
