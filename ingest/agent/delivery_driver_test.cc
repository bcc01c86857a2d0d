#include "ingest/agent/delivery_driver.h"

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "ingest/agent/sim_drive.h"
#include "ingest/enroll/credential.h"
#include "ingest/spool/mem_spool_fs.h"

namespace natscope::ingest {
namespace {

// A server: refuses a credential other than `accepted` (UNAUTHENTICATED),
// answers `failure` while it is set, else acknowledges. Keeps every call.
class FakeTransport final : public IngestTransport {
 public:
  struct Call {
    absl::Time time;
    uint64_t sequence;
    int records;
  };
  explicit FakeTransport(const Clock& clock) : clock_(clock) {}
  absl::StatusOr<v1::IngestResponse> Ingest(
      const v1::IngestRequest& batch) override {
    calls.push_back({clock_.Now(), batch.sequence(), batch.records_size()});
    if (credential != accepted)
      return absl::UnauthenticatedError("bad credential");
    if (failure) {
      absl::Status status = failure(clock_.Now());
      if (!status.ok()) return status;
    }
    v1::IngestResponse response;
    response.set_sequence(batch.sequence());
    if (probe_request) {
      const absl::Time requested = probe_request(clock_.Now());
      if (requested != absl::InfinitePast()) {
        response.set_probe_requested(true);
        response.mutable_probe_requested_at()->set_seconds(
            absl::ToUnixSeconds(requested));
      }
    }
    return response;
  }
  std::string credential;
  std::string accepted = "secret-1";
  std::function<absl::Status(absl::Time)> failure;
  // The pending probe request at a time; InfinitePast: none.
  std::function<absl::Time(absl::Time)> probe_request;
  std::vector<Call> calls;

 private:
  const Clock& clock_;
};

class DeliveryDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_dir_ = absl::StrCat(
        getenv("TEST_TMPDIR"), "/",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    SpoolOptions spool_options;
    spool_options.fs = &fs_;
    auto spool = Spool::Open("spool", spool_options);
    ASSERT_TRUE(spool.ok()) << spool.status();
    spool_ = std::move(spool).value();
    enrollment_ = std::make_unique<EnrollmentRetry>(
        EnrollmentRetryOptions(),
        [this](const std::string&) -> absl::StatusOr<v1::AgentCredential> {
          ++enrollments_;
          if (!enroll_error_.ok()) return enroll_error_;
          v1::AgentCredential credential;
          credential.set_agent_id("agent-7");
          credential.set_secret(absl::StrCat("secret-", enrollments_));
          return credential;
        },
        [] { return 0.0; }, clock_, &state_);
    options_.state_dir = state_dir_;
    options_.server = "server.example:8443";
    options_.idle = absl::Seconds(10);
    options_.request_probe = [this] { probe_requests_.push_back(clock_.Now()); };
    MakeDriver();
  }
  // The driver with options_.
  void MakeDriver() {
    driver_ = std::make_unique<DeliveryDriver>(
        options_, spool_.get(), &transport_,
        [this](const std::string& secret) { transport_.credential = secret; },
        enrollment_.get(), [] { return 0.0; }, clock_, &state_);
  }
  void StoreCredential(const std::string& secret) {
    v1::AgentCredential credential;
    credential.set_agent_id("agent-stored");
    credential.set_secret(secret);
    ASSERT_TRUE(SaveCredential(state_dir_, credential).ok());
  }
  void Append(int n) {
    for (int i = 0; i < n; ++i) {
      v1::Record record;
      record.mutable_log()->set_raw_line(absl::StrCat("line ", appended_++));
      ASSERT_TRUE(
          spool_->Append(record, Position{"f", uint64_t(appended_)}).ok());
    }
  }
  void RunFor(absl::Duration d) {
    DriveUntilDone(clock_, start_ + d, &stop_,
                   [this] { driver_->Run(&stop_); });
  }

  SimClock clock_;
  const absl::Time start_ = clock_.Now();
  AgentState state_{clock_};
  std::string state_dir_;
  MemSpoolFs fs_;
  std::unique_ptr<Spool> spool_;
  FakeTransport transport_{clock_};
  std::unique_ptr<EnrollmentRetry> enrollment_;
  DeliveryDriverOptions options_;
  std::unique_ptr<DeliveryDriver> driver_;
  std::vector<absl::Time> probe_requests_;  // When request_probe was called.
  std::atomic<bool> stop_{false};
  absl::Status enroll_error_;
  int enrollments_ = 0;
  int appended_ = 0;
};

TEST_F(DeliveryDriverTest, StoredCredentialIsUsedWithoutEnrolling) {
  StoreCredential("secret-1");
  Append(3);
  RunFor(absl::Seconds(5));
  EXPECT_EQ(enrollments_, 0);
  EXPECT_EQ(state_.agent_id(), "agent-stored");
  ASSERT_EQ(transport_.calls.size(), 1u);
  EXPECT_EQ(transport_.calls[0].records, 3);
  EXPECT_EQ(state_.last_ack().records(), 3u);
  EXPECT_EQ(state_.last_ack().epoch(), spool_->epoch());
}

TEST_F(DeliveryDriverTest, WithoutCredentialEnrollsFirst) {
  Append(1);
  RunFor(absl::Seconds(5));
  EXPECT_EQ(enrollments_, 1);
  EXPECT_EQ(state_.agent_id(), "agent-7");
  EXPECT_EQ(transport_.calls.size(), 1u);
}

// Nothing to send: the driver looks again every idle interval, so a
// record spooled at 25 s leaves at 30 s.
TEST_F(DeliveryDriverTest, IdleWaitsThePollIntervalThenShips) {
  StoreCredential("secret-1");
  std::thread thread([this] { driver_->Run(&stop_); });
  const absl::Time append_at = start_ + absl::Seconds(25);
  while (clock_.Now() < append_at)
    ASSERT_TRUE(clock_.AdvanceToNextWake(1, append_at));
  Append(2);  // The driver sleeps until 30 s.
  const absl::Time end = start_ + absl::Seconds(45);
  while (clock_.Now() < end) ASSERT_TRUE(clock_.AdvanceToNextWake(1, end));
  stop_ = true;
  clock_.Advance(absl::ZeroDuration());
  thread.join();
  ASSERT_EQ(transport_.calls.size(), 1u);
  EXPECT_EQ(transport_.calls[0].time, start_ + absl::Seconds(30));
}

// The server is down for 10 minutes: the same batch goes again after
// waits doubling from 0.5 s to the 30 s cap, and is delivered once the
// server is back.
TEST_F(DeliveryDriverTest, OutageIsMetWithBackoffThenDelivered) {
  StoreCredential("secret-1");
  Append(5);
  transport_.failure = [this](absl::Time now) {
    return now < start_ + absl::Minutes(10)
               ? absl::UnavailableError("server down")
               : absl::OkStatus();
  };
  RunFor(absl::Minutes(11));
  const std::vector<FakeTransport::Call>& calls = transport_.calls;
  ASSERT_GT(calls.size(), 8u);
  absl::Duration previous = absl::ZeroDuration();
  for (size_t i = 1; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].sequence, calls[0].sequence);
    const absl::Duration gap = calls[i].time - calls[i - 1].time;
    EXPECT_GE(gap, previous);
    EXPECT_LE(gap, absl::Seconds(30));
    previous = gap;
  }
  // 0.5 + 1 + ... + 16 = 31.5 s, then every 30 s until past 10 min.
  EXPECT_EQ(calls.size(), 7u + 19u);
  EXPECT_GE(calls.back().time, start_ + absl::Minutes(10));
  const v1::AgentCounters counters = state_.Counters(spool_->counters());
  EXPECT_EQ(counters.retries(), calls.size() - 1);
  EXPECT_EQ(counters.records_shipped(), 5u);
  EXPECT_EQ(state_.last_error().message(), "server down; retrying in 30s");
}

TEST_F(DeliveryDriverTest, RejectedCredentialIsReplacedByEnrollingAgain) {
  StoreCredential("old-secret");
  Append(1);
  RunFor(absl::Seconds(5));
  EXPECT_EQ(enrollments_, 1);
  EXPECT_EQ(transport_.credential, "secret-1");
  ASSERT_EQ(transport_.calls.size(), 2u);
  EXPECT_EQ(transport_.calls[1].sequence, transport_.calls[0].sequence);
  EXPECT_EQ(state_.Counters(spool_->counters()).records_shipped(), 1u);
}

TEST_F(DeliveryDriverTest, EnrollmentRefusedForGoodEndsTheRun) {
  enroll_error_ = absl::InvalidArgumentError("identity refused");
  RunFor(absl::Hours(1));
  EXPECT_TRUE(state_.halted());
  EXPECT_EQ(state_.fatal_status(), enroll_error_);
  EXPECT_TRUE(transport_.calls.empty());
}

TEST_F(DeliveryDriverTest, NonRetryableServerStatusIsTriedAgainAfterAWait) {
  StoreCredential("secret-1");
  Append(1);
  transport_.failure = [this](absl::Time now) {
    return now == start_ ? absl::PermissionDeniedError("site disabled")
                         : absl::OkStatus();
  };
  RunFor(absl::Seconds(8));
  ASSERT_EQ(transport_.calls.size(), 2u);
  EXPECT_EQ(transport_.calls[1].time, start_ + absl::Seconds(5));
  EXPECT_EQ(state_.last_error().message(), "delivery: site disabled");
  EXPECT_FALSE(state_.halted());
}

// Nothing to send: a check-in (no records, sequence 0) every 5 minutes,
// the spool untouched; a batch counts as contact and postpones it.
TEST_F(DeliveryDriverTest, IdleAgentChecksInEveryInterval) {
  StoreCredential("secret-1");
  Append(1);
  RunFor(absl::Minutes(16));
  const std::vector<FakeTransport::Call>& calls = transport_.calls;
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].sequence, 1u);
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(calls[i].time, start_ + absl::Minutes(5 * i)) << i;
    EXPECT_EQ(calls[i].sequence, 0u) << i;
    EXPECT_EQ(calls[i].records, 0) << i;
  }
  EXPECT_EQ(state_.last_ack().sequence(), 1u) << "a check-in acks nothing";
  EXPECT_EQ(state_.Counters(spool_->counters()).records_shipped(), 1u);
  Append(1);
  auto next = spool_->NextBatch(10, 1 << 20);
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ((*next)->sequence(), 2u) << "check-ins take no sequence";
}

TEST_F(DeliveryDriverTest, FailedCheckInWaitsAnotherInterval) {
  StoreCredential("secret-1");
  transport_.failure = [](absl::Time) {
    return absl::UnavailableError("server down");
  };
  RunFor(absl::Minutes(11));
  ASSERT_EQ(transport_.calls.size(), 2u);
  EXPECT_EQ(transport_.calls[0].time, start_ + absl::Minutes(5));
  // Five minutes after the attempt, on the next idle look after the
  // error's 5 s wait.
  EXPECT_EQ(transport_.calls[1].time,
            start_ + absl::Minutes(10) + absl::Seconds(5));
  EXPECT_EQ(state_.last_error().message(), "delivery: server down");
}

// The server repeats a request in every answer until it is met: each
// request (by its time) is passed on once, from a batch or a check-in.
TEST_F(DeliveryDriverTest, EachProbeRequestIsPassedOnOnce) {
  StoreCredential("secret-1");
  Append(1);
  const absl::Time first = start_ - absl::Minutes(1);
  const absl::Time second = start_ + absl::Minutes(7);
  transport_.probe_request = [&](absl::Time now) {
    return now >= second ? second : first;
  };
  RunFor(absl::Minutes(21));
  ASSERT_EQ(transport_.calls.size(), 5u);  // The batch, then 4 check-ins.
  const std::vector<absl::Time> expected = {start_,
                                            start_ + absl::Minutes(10)};
  EXPECT_EQ(probe_requests_, expected);
}

TEST_F(DeliveryDriverTest, InfiniteCheckInIntervalNeverChecksIn) {
  options_.checkin_interval = absl::InfiniteDuration();
  MakeDriver();
  StoreCredential("secret-1");
  RunFor(absl::Hours(2));
  EXPECT_TRUE(transport_.calls.empty());
}

}  // namespace
}  // namespace natscope::ingest
