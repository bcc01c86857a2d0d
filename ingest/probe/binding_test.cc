#include "ingest/probe/binding.h"

#include <thread>

#include "common/io/udp_socket.h"
#include "common/stun/binding.h"
#include "common/stun/codec.h"
#include "gtest/gtest.h"
#include "ingest/probe/real_probe_network.h"

namespace natscope::ingest {
namespace {

net::SocketAddress Loopback() { return *net::SocketAddress::Parse("127.0.0.1:0"); }

std::string Wire(const stun::Message& m, bool fingerprint = true) {
  stun::EncodeOptions options;
  options.add_fingerprint = fingerprint;
  auto bytes = stun::Encode(m, options);
  return std::string(bytes->begin(), bytes->end());
}

// A misbehaving server: before the true answer it sends garbage, a
// response to another transaction, one with a broken FINGERPRINT and a
// correct one from the wrong source address.
void HostileServer(io::UdpSocket* server, io::UdpSocket* impostor) {
  auto datagram = server->Receive(absl::Seconds(5));
  ASSERT_TRUE(datagram.ok() && datagram->has_value());
  const io::Datagram& request = **datagram;
  auto decoded = stun::Decode(absl::Span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(request.payload.data()), request.payload.size()));
  ASSERT_TRUE(decoded.ok());
  auto response = stun::MakeBindingSuccessResponse(*decoded, request.source);
  ASSERT_TRUE(response.ok());
  ASSERT_TRUE(server->SendTo("not stun at all", request.source).ok());
  stun::Message other = *response;
  other.transaction_id[0] ^= 0xff;
  ASSERT_TRUE(server->SendTo(Wire(other), request.source).ok());
  std::string broken = Wire(*response);
  broken.back() ^= 0x01;  // The last byte belongs to FINGERPRINT.
  ASSERT_TRUE(server->SendTo(broken, request.source).ok());
  ASSERT_TRUE(impostor->SendTo(Wire(*response), request.source).ok());
  ASSERT_TRUE(server->SendTo(Wire(*response), request.source).ok());
}

TEST(RunBindingsTest, UntrustedResponsesAreIgnoredAndCounted) {
  auto server = io::UdpSocket::Bind(Loopback());
  auto impostor = io::UdpSocket::Bind(Loopback());
  RealProbeNetwork network(RealClock::Get());
  auto client = network.Bind(Loopback());
  ASSERT_TRUE(server.ok() && impostor.ok() && client.ok());
  std::thread thread(HostileServer, &*server, &*impostor);
  const net::SocketAddress to = server->local_address();
  int ignored = 0;
  RetransmitPolicy policy{absl::Seconds(2), 3, absl::Seconds(5)};
  auto results = RunBindings(**client, {{to, NewBindingRequest(), "binding", to}},
                             (*client)->local_address(), policy, RealClock::Get(), &ignored);
  thread.join();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].observation.answered());
  EXPECT_EQ(results[0].observation.mapped_address(), (*client)->local_address().ToString());
  EXPECT_EQ(ignored, 4);
}

TEST(RunBindingsTest, SilenceEndsAtTheTimeoutWithEveryTransmissionCounted) {
  auto silent = io::UdpSocket::Bind(Loopback());
  RealProbeNetwork network(RealClock::Get());
  auto client = network.Bind(Loopback());
  ASSERT_TRUE(silent.ok() && client.ok());
  const net::SocketAddress to = silent->local_address();
  RetransmitPolicy policy{absl::Milliseconds(20), 7, absl::Milliseconds(200)};
  const absl::Time start = absl::Now();
  auto results = RunBindings(**client, {{to, NewBindingRequest(), "binding", to}},
                             (*client)->local_address(), policy, RealClock::Get(), nullptr);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(200));
  EXPECT_FALSE(results[0].observation.answered());
  EXPECT_EQ(results[0].observation.transmissions(), 4);  // 0, 20, 60, 140 ms.
  EXPECT_NE(results[0].observation.error().find("no answer"), std::string::npos);
}

TEST(RunBindingsTest, SeveralTransactionsShareOneSocket) {
  auto a = io::UdpSocket::Bind(Loopback());
  auto b = io::UdpSocket::Bind(Loopback());
  RealProbeNetwork network(RealClock::Get());
  auto client = network.Bind(Loopback());
  ASSERT_TRUE(a.ok() && b.ok() && client.ok());
  auto answer = [](io::UdpSocket* s) {
    auto d = s->Receive(absl::Seconds(5));
    ASSERT_TRUE(d.ok() && d->has_value());
    auto req = stun::Decode(absl::Span<const uint8_t>(
        reinterpret_cast<const uint8_t*>((*d)->payload.data()), (*d)->payload.size()));
    ASSERT_TRUE(req.ok());
    ASSERT_TRUE(s->SendTo(Wire(*stun::MakeBindingSuccessResponse(*req, (*d)->source)),
                          (*d)->source)
                    .ok());
  };
  std::thread ta(answer, &*a), tb(answer, &*b);
  RetransmitPolicy policy{absl::Seconds(2), 3, absl::Seconds(5)};
  auto results = RunBindings(
      **client,
      {{a->local_address(), NewBindingRequest(), "one", a->local_address()},
       {b->local_address(), NewBindingRequest(), "two", b->local_address()}},
      (*client)->local_address(), policy, RealClock::Get(), nullptr);
  ta.join();
  tb.join();
  EXPECT_TRUE(results[0].observation.answered());
  EXPECT_TRUE(results[1].observation.answered());
  EXPECT_EQ(results[1].observation.test(), "two");
}

}  // namespace
}  // namespace natscope::ingest
