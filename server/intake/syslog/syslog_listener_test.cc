// SyslogListener over real plaintext loopback sockets with a fake
// IntakeSink: framing, refusals, backpressure, Stop and the connection
// limit. Nothing asserts on wall-clock time: tests that need time to pass
// use a SimClock, and waits have generous real timeouts.
#include "server/intake/syslog/syslog_listener.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "server/intake/syslog/syslog_test_util.h"

namespace natscope::server::intake {
namespace {

using syslog_testing::Connect;
using syslog_testing::FakeSink;
using syslog_testing::k5424;
using syslog_testing::kTokenLine;
using syslog_testing::Loopback;
using syslog_testing::OctetCounted;
using syslog_testing::RecvEnd;
using syslog_testing::SendAll;
using syslog_testing::StartOrDie;
using syslog_testing::WaitUntil;

TEST(SyslogListenerTest, PlaintextLinesAndOctetCountedFrames) {
  FakeSink sink;
  auto listener = StartOrDie(Loopback(&RealClock::Get()), &sink);
  ASSERT_NE(listener, nullptr);
  EXPECT_FALSE(listener->tls());
  const int fd = Connect(listener->port());
  SendAll(fd, absl::StrCat(kTokenLine, OctetCounted(k5424)));
  const std::vector<IntakeMessage> got = sink.WaitFor(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].token, "tok");
  EXPECT_EQ(got[0].role, "client");
  EXPECT_EQ(got[0].hostname, "laptop");
  EXPECT_EQ(got[0].text, "probe ok");
  EXPECT_EQ(got[0].source, "syslog:natscope");
  EXPECT_TRUE(got[0].time.has_value());
  EXPECT_EQ(got[1].token, "t2");
  EXPECT_EQ(got[1].role, "");
  EXPECT_EQ(got[1].hostname, "pc");
  EXPECT_EQ(got[1].text, "five four two four");
  EXPECT_EQ(got[1].time, absl::FromUnixSeconds(1796584441));
  close(fd);
  listener->Stop();
  EXPECT_EQ(listener->counters().messages_total, 2);
  EXPECT_EQ(listener->counters().connections_total, 1);
}

TEST(SyslogListenerTest, MalformedMessageIsCountedAndTheConnectionLives) {
  FakeSink sink;
  auto listener = StartOrDie(Loopback(&RealClock::Get()), &sink);
  ASSERT_NE(listener, nullptr);
  const int fd = Connect(listener->port());
  SendAll(fd, "<13>1 not-a-time h a - - - x\n<13>plain line\n");
  const std::vector<IntakeMessage> got = sink.WaitFor(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].text, "plain line");
  EXPECT_EQ(got[0].source, "syslog");
  EXPECT_EQ(listener->counters().messages_refused, 1);
  close(fd);
}

TEST(SyslogListenerTest, LostFramingResetsTheConnection) {
  FakeSink sink;
  auto listener = StartOrDie(Loopback(&RealClock::Get()), &sink);
  ASSERT_NE(listener, nullptr);
  const int fd = Connect(listener->port());
  SendAll(fd, "<13>kept\n99999999999 x");
  int error = 0;
  EXPECT_EQ(RecvEnd(fd, &error), -1);
  EXPECT_EQ(error, ECONNRESET);
  // What was framed before the error was still submitted.
  EXPECT_EQ(sink.WaitFor(1).size(), 1u);
  close(fd);
}

TEST(SyslogListenerTest, UnavailableSinkBlocksTheSenderAndLosesNothing) {
  SimClock clock;
  FakeSink sink(/*failures=*/2);
  auto listener = StartOrDie(Loopback(&clock), &sink);
  ASSERT_NE(listener, nullptr);
  const int fd = Connect(listener->port());
  SendAll(fd, "<13>first\n");
  // The first Submit fails: the connection sleeps 1 s on the SimClock.
  ASSERT_TRUE(
      WaitUntil([&] { return sink.calls() == 1 && clock.Sleepers() == 1; }));
  const int64_t bytes = listener->counters().bytes_total;
  EXPECT_EQ(bytes, 10);
  // The listener reads nothing while its batch waits, so the kernel's
  // buffers fill and the sender blocks (EAGAIN on a non-blocking send).
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  int lines = 0;
  std::string rest;  // Of a line the kernel took in part.
  bool blocked = false;
  for (size_t sent = 0; sent < (64u << 20) && !blocked;) {
    const std::string line = absl::StrCat("<13>line ", lines, "\n");
    const ssize_t n = send(fd, line.data(), line.size(), MSG_NOSIGNAL);
    if (n < 0) {
      ASSERT_EQ(errno, EAGAIN) << strerror(errno);
      blocked = true;
      break;
    }
    ++lines;
    sent += static_cast<size_t>(n);
    if (static_cast<size_t>(n) < line.size()) {
      rest = line.substr(static_cast<size_t>(n));
      blocked = true;
    }
  }
  ASSERT_TRUE(blocked) << "64 MiB sent and the sender never blocked";
  EXPECT_EQ(listener->counters().bytes_total, bytes);
  // The second attempt, 1 s later, fails too; still nothing read.
  ASSERT_TRUE(clock.AdvanceToNextWake(1, clock.Now() + absl::Seconds(1)));
  ASSERT_TRUE(
      WaitUntil([&] { return sink.calls() == 2 && clock.Sleepers() == 1; }));
  EXPECT_EQ(listener->counters().bytes_total, bytes);
  // The third, 2 s after that, commits; then the rest flows.
  ASSERT_TRUE(clock.AdvanceToNextWake(1, clock.Now() + absl::Seconds(2)));
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  SendAll(fd, rest);
  const std::vector<IntakeMessage> got = sink.WaitFor(1 + lines);
  ASSERT_EQ(got.size(), static_cast<size_t>(1 + lines));
  EXPECT_EQ(got[0].text, "first");
  for (int i = 0; i < lines; ++i) {
    ASSERT_EQ(got[1 + i].text, absl::StrCat("line ", i));
  }
  EXPECT_EQ(listener->counters().submit_retries_total, 2);
  EXPECT_EQ(listener->counters().messages_total, 1 + lines);
  close(fd);
  listener->Stop();
  EXPECT_EQ(sink.size(), static_cast<size_t>(1 + lines));
}

TEST(SyslogListenerTest, RetryAfterPayloadSetsTheDelay) {
  SimClock clock;
  FakeSink sink(/*failures=*/1, /*retry_after_ms=*/7000);
  auto listener = StartOrDie(Loopback(&clock), &sink);
  ASSERT_NE(listener, nullptr);
  const int fd = Connect(listener->port());
  SendAll(fd, "<13>x\n");
  ASSERT_TRUE(WaitUntil([&] { return clock.Sleepers() == 1; }));
  const absl::Time before = clock.Now();
  ASSERT_TRUE(clock.AdvanceToNextWake(1, before + absl::Minutes(1)));
  EXPECT_EQ(clock.Now() - before, absl::Seconds(7));
  EXPECT_EQ(sink.WaitFor(1).size(), 1u);
  close(fd);
}

TEST(SyslogListenerTest, StopDrainsTheLastMessagesAndClosesCleanly) {
  FakeSink sink;
  auto listener = StartOrDie(Loopback(&RealClock::Get()), &sink);
  ASSERT_NE(listener, nullptr);
  const int fd = Connect(listener->port());
  ASSERT_TRUE(
      WaitUntil([&] { return listener->counters().connections_open == 1; }));
  std::string lots;
  for (int i = 0; i < 5000; ++i) lots += absl::StrCat("<13>m ", i, "\n");
  SendAll(fd, lots);
  listener->Stop();
  EXPECT_EQ(sink.size(), 5000u);
  int error = 0;
  EXPECT_EQ(RecvEnd(fd, &error), 0) << strerror(error);
  close(fd);
  listener->Stop();  // Idempotent.
}

TEST(SyslogListenerTest, StopResetsAConnectionWhoseBatchCannotCommit) {
  SimClock clock;
  FakeSink sink(/*failures=*/1000);
  SyslogListenerOptions options = Loopback(&clock);
  options.drain_timeout = absl::Seconds(5);
  auto listener = StartOrDie(options, &sink);
  ASSERT_NE(listener, nullptr);
  const int fd = Connect(listener->port());
  SendAll(fd, "<13>never committed\n");
  ASSERT_TRUE(WaitUntil([&] { return clock.Sleepers() == 1; }));
  std::thread stopper([&] { listener->Stop(); });
  // Stop sleeps on the clock until drain_timeout, beside the connection.
  ASSERT_TRUE(WaitUntil([&] { return clock.Sleepers() == 2; }));
  clock.Advance(absl::Seconds(5));
  stopper.join();
  int error = 0;
  EXPECT_EQ(RecvEnd(fd, &error), -1);
  EXPECT_EQ(error, ECONNRESET);
  EXPECT_EQ(sink.size(), 0u);
  close(fd);
}

TEST(SyslogListenerTest, ConnectionsOverTheLimitAreResetAtOnce) {
  FakeSink sink;
  SyslogListenerOptions options = Loopback(&RealClock::Get());
  options.max_connections = 1;
  auto listener = StartOrDie(options, &sink);
  ASSERT_NE(listener, nullptr);
  const int first = Connect(listener->port());
  ASSERT_TRUE(
      WaitUntil([&] { return listener->counters().connections_open == 1; }));
  const int second = Connect(listener->port());
  int error = 0;
  EXPECT_EQ(RecvEnd(second, &error), -1);
  EXPECT_EQ(error, ECONNRESET);
  EXPECT_EQ(listener->counters().connections_refused, 1);
  SendAll(first, "<13>still served\n");
  EXPECT_EQ(sink.WaitFor(1).size(), 1u);
  close(first);
  close(second);
}

TEST(SyslogListenerTest, BatchesHoldAtMostMaxBatchMessages) {
  FakeSink sink;
  SyslogListenerOptions options = Loopback(&RealClock::Get());
  options.max_batch = 2;
  auto listener = StartOrDie(options, &sink);
  ASSERT_NE(listener, nullptr);
  const int fd = Connect(listener->port());
  SendAll(fd, "<13>a\n<13>b\n<13>c\n<13>d\n<13>e\n");
  EXPECT_EQ(sink.WaitFor(5).size(), 5u);
  EXPECT_EQ(sink.largest_batch(), 2u);
  EXPECT_GE(sink.calls(), 3);
  close(fd);
}

TEST(SyslogListenerTest, IdleConnectionIsClosedCleanly) {
  SimClock clock;
  FakeSink sink;
  SyslogListenerOptions options = Loopback(&clock);
  options.idle_timeout = absl::Minutes(10);
  auto listener = StartOrDie(options, &sink);
  ASSERT_NE(listener, nullptr);
  const int fd = Connect(listener->port());
  ASSERT_TRUE(
      WaitUntil([&] { return listener->counters().connections_open == 1; }));
  clock.Advance(absl::Minutes(10));
  int error = 0;
  EXPECT_EQ(RecvEnd(fd, &error), 0) << std::strerror(error);
  close(fd);
}

}  // namespace
}  // namespace natscope::server::intake
