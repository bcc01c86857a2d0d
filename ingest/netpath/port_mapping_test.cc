#include "ingest/netpath/port_mapping.h"

#include "common/io/udp_socket.h"
#include "gtest/gtest.h"
#include "tests/evidence/natpmp_responder.h"

namespace natscope::ingest {
namespace {

using tests::NatPmpResponder;

net::SocketAddress Loopback(uint16_t port) {
  return net::SocketAddress::IPv4({127, 0, 0, 1}, port);
}

TEST(PortMappingTest, NatPmpReportsTheResponderExternalAddress) {
  auto responder = NatPmpResponder::Start(
      {Loopback(0), net::SocketAddress::IPv4({192, 168, 0, 2}, 0), 0});
  ASSERT_TRUE(responder.ok()) << responder.status();
  v1::GatewayObservation o =
      QueryNatPmp((*responder)->address(), absl::Milliseconds(900));
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
      QueryNatPmp((*responder)->address(), absl::Milliseconds(900));
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
  v1::GatewayObservation o = QueryNatPmp(Loopback(port), absl::Seconds(1));
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
      QueryNatPmp(silent->local_address(), absl::Milliseconds(400));
  const absl::Duration took = absl::Now() - start;
  EXPECT_FALSE(o.answered());
  EXPECT_NE(o.error().find("no answer"), std::string::npos) << o.error();
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
      QueryPcp((*responder)->address(), absl::Milliseconds(900));
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
  auto got = QueryGateways(options);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].external_address(), "100.64.0.9");
  EXPECT_EQ(got[1].protocol(), "pcp");
  EXPECT_TRUE(got[1].answered());
}

}  // namespace
}  // namespace natscope::ingest
