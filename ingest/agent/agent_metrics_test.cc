#include "ingest/agent/agent_metrics.h"

#include <memory>
#include <optional>

#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "ingest/spool/mem_spool_fs.h"

namespace natscope::ingest {
namespace {

class AgentMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SpoolOptions options;
    options.fs = &fs_;
    options.max_bytes = 1 << 20;
    auto spool = Spool::Open("spool", options);
    ASSERT_TRUE(spool.ok()) << spool.status();
    spool_ = std::move(spool).value();
    state_.SetBacklogAtStart(spool_->counters().pending_records);
  }
  void Append() {
    v1::Record record;
    record.mutable_log()->set_kind("test");
    ASSERT_TRUE(spool_->Append(record, std::nullopt).ok());
    state_.AddRecordSpooled();
  }

  SimClock clock_;
  AgentState state_{clock_};
  MemSpoolFs fs_;
  std::unique_ptr<Spool> spool_;
  metrics::Registry registry_;
};

TEST_F(AgentMetricsTest, ReadsTheAgentCountersAtScrapeTime) {
  AgentMetrics metrics(&state_, spool_.get(), registry_);
  state_.AddLinesRead(7);
  Append();
  Append();
  EXPECT_EQ(registry_.ValueOf("natscope_agent_lines_read_total"), 7);
  EXPECT_EQ(registry_.ValueOf("natscope_agent_records_spooled_total"), 2);
  EXPECT_EQ(registry_.ValueOf("natscope_agent_spool_pending_records"), 2);
  EXPECT_EQ(registry_.ValueOf("natscope_agent_spool_capacity_bytes"),
            1 << 20);
  EXPECT_GT(*registry_.ValueOf("natscope_agent_spool_bytes"), 0);
  EXPECT_TRUE(registry_.RegistrationErrors().empty());
}

TEST_F(AgentMetricsTest, BacklogAgeFollowsTheOldestUnshippedRecord) {
  AgentMetrics metrics(&state_, spool_.get(), registry_);
  EXPECT_EQ(registry_.ValueOf("natscope_agent_backlog_age_seconds"), 0);
  Append();
  clock_.Advance(absl::Seconds(30));
  Append();
  clock_.Advance(absl::Seconds(15));
  EXPECT_EQ(registry_.ValueOf("natscope_agent_backlog_age_seconds"), 45);
  auto batch = spool_->NextBatch(1, 1 << 20);  // The first record alone.
  ASSERT_TRUE(batch.ok() && batch->has_value());
  ASSERT_TRUE(spool_->Ack((*batch)->sequence()).ok());
  EXPECT_EQ(registry_.ValueOf("natscope_agent_backlog_age_seconds"), 15);
}

TEST_F(AgentMetricsTest, UnregistersOnDestruction) {
  { AgentMetrics metrics(&state_, spool_.get(), registry_); }
  EXPECT_EQ(registry_.RenderText(), "");
}

}  // namespace
}  // namespace natscope::ingest
