#include "ingest/agent/status_writer.h"

#include <vector>

#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "ingest/agent/sim_drive.h"

namespace natscope::ingest {
namespace {

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

class StatusWriterTest : public ::testing::Test {
 protected:
  StatusWriter Writer(absl::Duration interval) {
    StatusWriterOptions options;
    options.interval = interval;
    options.started = start_ - absl::Minutes(1);
    options.pid = 4242;
    options.version = "1.2.3";
    options.server = "server.example:8443";
    options.identity.set_agent_id("host-1");
    options.identity.set_site("paris");
    return StatusWriter(
        options,
        [this](const v1::AgentStatus& status) {
          written_.push_back(status);
          return sink_status_;
        },
        [] {
          v1::AgentCounters counters;
          counters.set_lines_read(17);
          return counters;
        },
        [] {
          v1::FilePosition file;
          file.set_path("/var/log/client.log");
          file.set_read_offset(99);
          return std::vector<v1::FilePosition>{file};
        },
        clock_, &state_);
  }

  SimClock clock_;
  const absl::Time start_ = clock_.Now();
  AgentState state_{clock_};
  std::vector<v1::AgentStatus> written_;
  absl::Status sink_status_;
};

TEST_F(StatusWriterTest, StatusTellsWhoWhenAndHowFar) {
  state_.SetAgentId("agent-7");
  state_.SetLastAck(5, 6, 7);
  state_.SetError("server down");
  StatusWriter writer = Writer(absl::Seconds(10));
  writer.Write();
  ASSERT_EQ(written_.size(), 1u);
  const v1::AgentStatus& s = written_[0];
  EXPECT_EQ(TimeOf(s.written_at()), start_);
  EXPECT_EQ(TimeOf(s.started_at()), start_ - absl::Minutes(1));
  EXPECT_EQ(s.interval_seconds(), 10.0);
  EXPECT_EQ(s.pid(), 4242);
  EXPECT_EQ(s.version(), "1.2.3");
  EXPECT_EQ(s.server(), "server.example:8443");
  EXPECT_EQ(s.identity().site(), "paris");
  EXPECT_EQ(s.enrolled_agent_id(), "agent-7");
  EXPECT_EQ(s.counters().lines_read(), 17u);
  EXPECT_EQ(s.last_ack().sequence(), 6u);
  EXPECT_EQ(s.last_error().message(), "server down");
  ASSERT_EQ(s.files_size(), 1);
  EXPECT_EQ(s.files(0).read_offset(), 99u);
}

// Called every 10 s (the reader's poll), a 30 s status interval writes at
// 0, 30, 60, ... s.
TEST_F(StatusWriterTest, WritesOncePerIntervalOnTheSimulatedClock) {
  StatusWriter writer = Writer(absl::Seconds(30));
  std::atomic<bool> stop{false};
  DriveUntilDone(clock_, start_ + absl::Seconds(125), &stop, [&] {
    do {
      writer.MaybeWrite();
    } while (clock_.SleepFor(absl::Seconds(10), &stop));
  });
  std::vector<absl::Time> times;
  for (const v1::AgentStatus& s : written_)
    times.push_back(TimeOf(s.written_at()));
  const std::vector<absl::Time> expected = {
      start_, start_ + absl::Seconds(30), start_ + absl::Seconds(60),
      start_ + absl::Seconds(90), start_ + absl::Seconds(120)};
  EXPECT_EQ(times, expected);
}

TEST_F(StatusWriterTest, FailedWriteIsTriedAgainAtTheNextInterval) {
  sink_status_ = absl::PermissionDeniedError("read-only state dir");
  StatusWriter writer = Writer(absl::Seconds(10));
  writer.MaybeWrite();
  clock_.Advance(absl::Seconds(5));
  writer.MaybeWrite();
  clock_.Advance(absl::Seconds(5));
  writer.MaybeWrite();
  EXPECT_EQ(written_.size(), 2u);
}

}  // namespace
}  // namespace natscope::ingest
