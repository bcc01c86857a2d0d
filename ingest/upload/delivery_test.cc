#include "ingest/upload/delivery.h"

#include <deque>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ingest/spool/mem_spool_fs.h"
#include "ingest/upload/retry_delay.h"

namespace natscope::ingest {
namespace {

// Answers each Ingest with the next scripted reply (OK when none is left)
// and keeps what it was sent.
class FakeTransport final : public IngestTransport {
 public:
  absl::StatusOr<v1::IngestResponse> Ingest(
      const v1::IngestRequest& batch) override {
    sent.push_back(batch);
    if (!replies.empty()) {
      absl::Status reply = replies.front();
      replies.pop_front();
      if (!reply.ok()) return reply;
    }
    v1::IngestResponse response;
    response.set_sequence(batch.sequence());
    if (probe_requested_at > 0) {
      response.set_probe_requested(true);
      response.mutable_probe_requested_at()->set_seconds(probe_requested_at);
    }
    return response;
  }
  std::deque<absl::Status> replies;
  std::vector<v1::IngestRequest> sent;
  int64_t probe_requested_at = 0;  // Unix seconds; 0: no request.
};

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SpoolOptions options;
    options.fs = &fs_;
    auto spool = Spool::Open("spool", options);
    ASSERT_TRUE(spool.ok());
    spool_ = std::move(spool).value();
    v1::AgentIdentity identity;
    identity.set_agent_id("host-1");
    loop_ = std::make_unique<DeliveryLoop>(spool_.get(), &transport_, identity,
                                           DeliveryOptions(),
                                           [this] { return u_; });
  }
  void Append(int n) {
    for (int i = 0; i < n; ++i) {
      v1::Record record;
      record.mutable_log()->set_raw_line(absl::StrCat("line ", appended_++));
      ASSERT_TRUE(
          spool_->Append(record, Position{"f", uint64_t(appended_)}).ok());
    }
  }
  DeliveryLoop::Result Step() {
    auto result = loop_->Step(counters_);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : DeliveryLoop::Result();
  }

  MemSpoolFs fs_;
  std::unique_ptr<Spool> spool_;
  FakeTransport transport_;
  std::unique_ptr<DeliveryLoop> loop_;
  v1::AgentCounters counters_;
  double u_ = 0.0;
  int appended_ = 0;
};

TEST_F(DeliveryTest, IdleWhenNothingIsSpooled) {
  EXPECT_EQ(Step().outcome, DeliveryLoop::Outcome::kIdle);
  EXPECT_TRUE(transport_.sent.empty());
}

TEST_F(DeliveryTest, CheckInSendsNoRecordsAndLeavesTheSpoolAlone) {
  Append(2);
  counters_.set_lines_read(7);
  transport_.probe_requested_at = 1800000000;
  auto result = loop_->CheckIn(counters_);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, DeliveryLoop::Outcome::kCheckedIn);
  EXPECT_EQ(result->probe_requested, absl::FromUnixSeconds(1800000000));
  ASSERT_EQ(transport_.sent.size(), 1u);
  const v1::IngestRequest& sent = transport_.sent[0];
  EXPECT_EQ(sent.epoch(), spool_->epoch());
  EXPECT_EQ(sent.sequence(), 0u);
  EXPECT_EQ(sent.records_size(), 0);
  EXPECT_EQ(sent.agent().agent_id(), "host-1");
  EXPECT_EQ(sent.counters().lines_read(), 7u);
  EXPECT_GT(sent.counters().spool_bytes(), 0u);
  // The spooled batch is still first in line, as sequence 1.
  const DeliveryLoop::Result step = Step();
  EXPECT_EQ(step.outcome, DeliveryLoop::Outcome::kDelivered);
  EXPECT_EQ(step.sequence, 1u);
  EXPECT_EQ(step.records, 2);
  EXPECT_EQ(step.probe_requested, absl::FromUnixSeconds(1800000000));

  transport_.replies.push_back(absl::UnavailableError("down"));
  EXPECT_TRUE(absl::IsUnavailable(loop_->CheckIn(counters_).status()));
  EXPECT_EQ(loop_->counters().retries, 0u) << "a check-in is not retried";
}

TEST_F(DeliveryTest, DeliversAcksAndFillsCounters) {
  Append(3);
  counters_.set_lines_read(42);
  DeliveryLoop::Result result = Step();
  EXPECT_EQ(result.outcome, DeliveryLoop::Outcome::kDelivered);
  EXPECT_EQ(result.records, 3);
  ASSERT_EQ(transport_.sent.size(), 1u);
  const v1::IngestRequest& sent = transport_.sent[0];
  EXPECT_EQ(sent.agent().agent_id(), "host-1");
  EXPECT_EQ(sent.epoch(), spool_->epoch());
  EXPECT_EQ(sent.counters().lines_read(), 42u);
  EXPECT_GT(sent.counters().spool_bytes(), 0u);
  EXPECT_EQ(sent.counters().spool_capacity_bytes(), 64u << 20);
  EXPECT_EQ(Step().outcome, DeliveryLoop::Outcome::kIdle);
  EXPECT_EQ(loop_->counters().records_shipped, 3u);
  EXPECT_EQ(spool_->counters().pending_records, 0u);
}

TEST_F(DeliveryTest, ConflictMovesToANewEpochAndKeepsTheRecords) {
  Append(2);
  const uint64_t old_epoch = spool_->epoch();
  transport_.replies = {absl::AlreadyExistsError("committed with other records")};
  DeliveryLoop::Result conflict = Step();
  EXPECT_EQ(conflict.outcome, DeliveryLoop::Outcome::kNewEpoch);
  EXPECT_EQ(conflict.wait, absl::ZeroDuration());
  EXPECT_NE(spool_->epoch(), old_epoch);
  EXPECT_EQ(loop_->counters().batch_conflicts, 1u);
  EXPECT_EQ(Step().outcome, DeliveryLoop::Outcome::kDelivered);
  ASSERT_EQ(transport_.sent.size(), 2u);
  EXPECT_EQ(transport_.sent[0].epoch(), old_epoch);
  EXPECT_EQ(transport_.sent[1].epoch(), spool_->epoch());
  EXPECT_EQ(transport_.sent[1].sequence(), transport_.sent[0].sequence());
  EXPECT_EQ(transport_.sent[1].records_size(), 2);
  EXPECT_EQ(transport_.sent[1].counters().batch_conflicts(), 1u);
  EXPECT_EQ(loop_->counters().records_shipped, 2u);
}

TEST_F(DeliveryTest, RetryableFailureResendsTheSameBatchAfterBackoff) {
  Append(2);
  transport_.replies = {absl::UnavailableError("down"),
                        absl::DeadlineExceededError("slow"),
                        absl::AbortedError("conflict")};
  std::vector<absl::Duration> waits;
  for (int i = 0; i < 3; ++i) {
    DeliveryLoop::Result result = Step();
    EXPECT_EQ(result.outcome, DeliveryLoop::Outcome::kRetryLater);
    waits.push_back(result.wait);
    Append(1);  // records keep arriving meanwhile
  }
  EXPECT_EQ(waits,
            (std::vector<absl::Duration>{absl::Milliseconds(500),
                                         absl::Seconds(1), absl::Seconds(2)}));
  EXPECT_EQ(Step().outcome, DeliveryLoop::Outcome::kDelivered);
  ASSERT_EQ(transport_.sent.size(), 4u);
  for (const auto& sent : transport_.sent) {
    EXPECT_EQ(sent.sequence(), transport_.sent[0].sequence());
    EXPECT_EQ(sent.records_size(), 2);
    EXPECT_EQ(sent.records(1).log().raw_line(), "line 1");
  }
  EXPECT_EQ(transport_.sent[3].counters().retries(), 3u);
  EXPECT_EQ(loop_->counters().retries, 3u);
  // The records that arrived meanwhile go in the next batch, and the
  // backoff starts over.
  transport_.replies = {absl::UnavailableError("down")};
  DeliveryLoop::Result result = Step();
  EXPECT_EQ(result.wait, absl::Milliseconds(500));
  EXPECT_EQ(transport_.sent.back().records_size(), 3);
  EXPECT_EQ(transport_.sent.back().sequence(),
            transport_.sent[0].sequence() + 1);
}

TEST_F(DeliveryTest, HonoursTheServersRetryDelay) {
  Append(1);
  absl::Status busy = absl::ResourceExhaustedError("agent over its rate");
  SetRetryDelay(&busy, absl::Seconds(12));
  transport_.replies = {busy};
  DeliveryLoop::Result result = Step();
  EXPECT_EQ(result.outcome, DeliveryLoop::Outcome::kRetryLater);
  EXPECT_EQ(result.wait, absl::Seconds(12));
  EXPECT_TRUE(absl::IsResourceExhausted(result.error));
}

TEST_F(DeliveryTest, InvalidBatchIsDeadLetteredCountedAndSkipped) {
  Append(2);
  transport_.replies = {absl::InvalidArgumentError("batch has a bad record")};
  DeliveryLoop::Result result = Step();
  EXPECT_EQ(result.outcome, DeliveryLoop::Outcome::kDeadLettered);
  EXPECT_EQ(loop_->counters().dead_letters, 1u);
  EXPECT_EQ(spool_->counters().dead_letters, 1u);
  const std::string dead = fs_.Contents("spool/dead-letter.jsonl");
  EXPECT_TRUE(absl::StrContains(dead, "batch has a bad record")) << dead;
  EXPECT_TRUE(absl::StrContains(dead, "line 1")) << dead;
  Append(1);
  EXPECT_EQ(Step().outcome, DeliveryLoop::Outcome::kDelivered);
  EXPECT_EQ(transport_.sent.back().records(0).log().raw_line(), "line 2");
  EXPECT_EQ(transport_.sent.back().counters().dead_letters(), 1u);
}

TEST_F(DeliveryTest, UnauthenticatedGoesUpAndTheBatchWaits) {
  Append(1);
  transport_.replies = {absl::UnauthenticatedError("unknown agent credential")};
  auto result = loop_->Step(counters_);
  EXPECT_TRUE(absl::IsUnauthenticated(result.status())) << result.status();
  // After re-enrolling, the same batch goes again.
  EXPECT_EQ(Step().outcome, DeliveryLoop::Outcome::kDelivered);
  EXPECT_EQ(transport_.sent[1].sequence(), transport_.sent[0].sequence());
}

}  // namespace
}  // namespace natscope::ingest
