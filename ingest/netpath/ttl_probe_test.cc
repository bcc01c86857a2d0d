#include "ingest/netpath/ttl_probe.h"

#include <future>
#include <thread>

#include "common/io/udp_socket.h"
#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

net::SocketAddress Loopback(uint16_t port) {
  return net::SocketAddress::IPv4({127, 0, 0, 1}, port);
}

TEST(TtlProbeTest, ClosedPortOnLoopbackIsReachedAtTtlOneWithNoHops) {
  // Bind and close to get a port nobody listens on.
  uint16_t port = 0;
  {
    auto s = io::UdpSocket::Bind(Loopback(0));
    ASSERT_TRUE(s.ok());
    port = s->local_address().port();
  }
  TtlProbeOptions options;
  options.destination = Loopback(port);
  // A wait far longer than any machine needs: returning well before it
  // shows the trace ends once the destination is reached, with no
  // threshold a busy machine could miss.
  options.max_wait = absl::Seconds(40);
  const absl::Time start = absl::Now();
  auto trace = TraceHops(options, RealClock::Get());
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_TRUE(trace->hops.empty());
  EXPECT_EQ(trace->destination_ttl, 1);
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
}

TEST(TtlProbeTest, AnsweringServerIsReachedAtTtlOne) {
  auto server = io::UdpSocket::Bind(Loopback(0));
  ASSERT_TRUE(server.ok());
  TtlProbeOptions options;
  options.destination = server->local_address();
  options.max_ttl = 3;
  // The probes arrive; answer the first one like a STUN server would.
  auto trace_future = std::async(
      std::launch::async, [&] { return TraceHops(options, RealClock::Get()); });
  auto got = server->Receive(absl::Milliseconds(300));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->payload.size(), 20u);  // a STUN Binding request
  ASSERT_TRUE(server->SendTo("pong", (*got)->source).ok());
  auto trace = trace_future.get();
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_TRUE(trace->hops.empty());
  EXPECT_GE(trace->destination_ttl, 1);
}

TEST(TtlProbeTest, SilentDestinationEndsCleanlyAfterTheBoundedWait) {
  auto server = io::UdpSocket::Bind(Loopback(0));
  ASSERT_TRUE(server.ok());
  TtlProbeOptions options;
  options.destination = server->local_address();
  options.rtt_hint = absl::Milliseconds(1);  // wait 200 ms
  options.max_wait = absl::Seconds(40);  // not this: the hint decides
  const absl::Time start = absl::Now();
  auto trace = TraceHops(options, RealClock::Get());
  const absl::Duration took = absl::Now() - start;
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_TRUE(trace->hops.empty());
  EXPECT_EQ(trace->destination_ttl, 0);
  EXPECT_GE(took, absl::Milliseconds(190));
  EXPECT_LT(took, absl::Seconds(20));
}

// The probe starts the trace before STUN has measured the round trip and
// then brings its deadline forward from another thread: the trace ends
// then, with what it has.
TEST(TtlProbeTest, ADeadlineBroughtForwardEndsTheTrace) {
  auto server = io::UdpSocket::Bind(Loopback(0));
  ASSERT_TRUE(server.ok());
  TtlProbeOptions options;
  options.destination = server->local_address();
  const absl::Time start = absl::Now();
  Deadline deadline(start + absl::Seconds(20));
  options.deadline = &deadline;
  std::thread probe([&] {
    absl::SleepFor(absl::Milliseconds(20));
    deadline.BringForward(absl::Now() + absl::Milliseconds(30), "test");
  });
  auto trace = TraceHops(options, RealClock::Get());
  const absl::Duration took = absl::Now() - start;
  probe.join();
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_TRUE(trace->hops.empty());
  EXPECT_EQ(trace->destination_ttl, 0);
  EXPECT_GE(took, absl::Milliseconds(50));
  EXPECT_LT(took, absl::Seconds(5));
  // Probed twice: at the start and again halfway to the deadline.
  int received = 0;
  while (true) {
    auto d = server->Receive(absl::ZeroDuration());
    if (!d.ok() || !d->has_value()) break;
    ++received;
  }
  EXPECT_EQ(received, 2 * options.max_ttl);
}

}  // namespace
}  // namespace natscope::ingest
