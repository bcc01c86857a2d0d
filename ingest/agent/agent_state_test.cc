#include "ingest/agent/agent_state.h"

#include "common/sim_clock.h"
#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'767'225'600);

TEST(AgentStateTest, ErrorsAndAcksAreStampedWithTheInjectedClock) {
  SimClock clock(kStart);
  AgentState state(clock);
  clock.Advance(absl::Minutes(3));
  state.SetError("server unreachable");
  EXPECT_EQ(state.last_error().message(), "server unreachable");
  EXPECT_EQ(state.last_error().time().seconds(),
            absl::ToUnixSeconds(kStart + absl::Minutes(3)));
  clock.Advance(absl::Minutes(1));
  state.SetLastAck(7, 12, 300);
  const v1::BatchAck ack = state.last_ack();
  EXPECT_EQ(ack.epoch(), 7u);
  EXPECT_EQ(ack.sequence(), 12u);
  EXPECT_EQ(ack.records(), 300u);
  EXPECT_EQ(ack.time().seconds(),
            absl::ToUnixSeconds(kStart + absl::Minutes(4)));
}

TEST(AgentStateTest, FatalHaltsAndKeepsItsStatus) {
  SimClock clock;
  AgentState state(clock);
  EXPECT_FALSE(state.halted());
  EXPECT_FALSE(state.halt_flag()->load());
  EXPECT_TRUE(state.fatal_status().ok());
  state.Fatal(absl::PermissionDeniedError("token rejected"));
  EXPECT_TRUE(state.halted());
  EXPECT_TRUE(state.halt_flag()->load());
  EXPECT_TRUE(absl::IsPermissionDenied(state.fatal_status()));
}

TEST(AgentStateTest, HaltWithoutAnErrorKeepsStatusOk) {
  SimClock clock;
  AgentState state(clock);
  state.Halt();
  EXPECT_TRUE(state.halted());
  EXPECT_TRUE(state.fatal_status().ok());
}

TEST(AgentStateTest, CountersJoinReadingProbingDeliveryAndTheSpool) {
  SimClock clock;
  AgentState state(clock);
  state.AddLinesRead(10);
  state.AddLinesRead(5);
  state.SetLinesTruncated(2);
  state.AddRecordSpooled();
  state.AddProbe();
  state.AddPause();
  DeliveryCounters delivery;
  delivery.records_shipped = 40;
  delivery.retries = 3;
  delivery.dead_letters = 1;
  delivery.batch_conflicts = 2;
  state.SetDeliveryCounters(delivery);
  SpoolCounters spool;
  spool.bytes = 1000;
  spool.capacity_bytes = 5000;
  spool.records_dropped = 4;
  const v1::AgentCounters c = state.Counters(spool);
  EXPECT_EQ(c.lines_read(), 15u);
  EXPECT_EQ(c.lines_truncated(), 2u);
  EXPECT_EQ(c.records_spooled(), 1u);
  EXPECT_EQ(c.probes(), 1u);
  EXPECT_EQ(c.backpressure_pauses(), 1u);
  EXPECT_EQ(c.records_shipped(), 40u);
  EXPECT_EQ(c.retries(), 3u);
  EXPECT_EQ(c.dead_letters(), 1u);
  EXPECT_EQ(c.batch_conflicts(), 2u);
  EXPECT_EQ(c.spool_bytes(), 1000u);
  EXPECT_EQ(c.spool_capacity_bytes(), 5000u);
  EXPECT_EQ(c.records_dropped(), 4u);
}

}  // namespace
}  // namespace natscope::ingest
