#include "ingest/agent/enrollment_retry.h"

#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "ingest/agent/sim_drive.h"

namespace natscope::ingest {
namespace {

// Each attempt is answered with the next scripted status (a credential
// once none is left), and remembered with its time and token.
class EnrollmentRetryTest : public ::testing::Test {
 protected:
  EnrollmentRetry Retry(EnrollmentRetryOptions options) {
    return EnrollmentRetry(
        std::move(options),
        [this](
            const std::string& token) -> absl::StatusOr<v1::AgentCredential> {
          times_.push_back(clock_.Now());
          tokens_.push_back(token);
          if (after_attempt_) after_attempt_();
          if (next_ < answers_.size()) return answers_[next_++];
          v1::AgentCredential credential;
          credential.set_agent_id("host-1");
          credential.set_secret("s3cret");
          return credential;
        },
        [] { return 0.0; },  // No jitter: every wait is its ceiling.
        clock_, &state_);
  }
  absl::StatusOr<v1::AgentCredential> Enroll(EnrollmentRetryOptions options,
                                             absl::Duration limit) {
    EnrollmentRetry retry = Retry(std::move(options));
    absl::StatusOr<v1::AgentCredential> result;
    DriveUntilDone(clock_, clock_.Now() + limit, &stop_,
                   [&] { result = retry.Enroll(&stop_); });
    return result;
  }
  std::vector<absl::Duration> Gaps() const {
    std::vector<absl::Duration> gaps;
    for (size_t i = 1; i < times_.size(); ++i) {
      gaps.push_back(times_[i] - times_[i - 1]);
    }
    return gaps;
  }

  SimClock clock_;
  AgentState state_{clock_};
  std::atomic<bool> stop_{false};
  std::vector<absl::Status> answers_;
  size_t next_ = 0;
  std::vector<absl::Time> times_;
  std::vector<std::string> tokens_;
  std::function<void()> after_attempt_;
};

TEST_F(EnrollmentRetryTest, UnreachableServerIsRetriedWithDoublingWaits) {
  answers_.assign(8, absl::UnavailableError("cannot reach natscope-server"));
  auto credential = Enroll({}, absl::Hours(1));
  ASSERT_TRUE(credential.ok()) << credential.status();
  EXPECT_EQ(credential->agent_id(), "host-1");
  const std::vector<absl::Duration> expected = {
      absl::Milliseconds(500), absl::Seconds(1), absl::Seconds(2),
      absl::Seconds(4),        absl::Seconds(8), absl::Seconds(16),
      absl::Seconds(30),       absl::Seconds(30)};
  EXPECT_EQ(Gaps(), expected);
  EXPECT_EQ(state_.last_error().message(),
            "cannot reach natscope-server; retrying");
}

TEST_F(EnrollmentRetryTest, RefusalWaitsAMinuteDoublingToAnHour) {
  answers_.assign(3, absl::AlreadyExistsError("agent id taken"));
  answers_.insert(answers_.end(), 5,
                  absl::PermissionDeniedError("token expired"));
  auto credential = Enroll({}, absl::Hours(24));
  ASSERT_TRUE(credential.ok()) << credential.status();
  const std::vector<absl::Duration> expected = {
      absl::Minutes(1),  absl::Minutes(2),  absl::Minutes(4),
      absl::Minutes(8),  absl::Minutes(16), absl::Minutes(32),
      absl::Minutes(60), absl::Minutes(60)};
  EXPECT_EQ(Gaps(), expected);
  EXPECT_EQ(state_.last_error().message(), "token expired; trying again in 1h");
}

TEST_F(EnrollmentRetryTest, TokenFileIsReadAgainBeforeEveryAttempt) {
  const std::string path =
      std::string(getenv("TEST_TMPDIR")) + "/enrollment-token";
  auto write_token = [&path](const std::string& token) {
    std::ofstream(path) << token << "\n";
    chmod(path.c_str(), 0600);  // A secret: refused when others may read it.
  };
  write_token("first-token");
  answers_ = {absl::PermissionDeniedError("token expired")};
  // The admin replaces the token while the agent waits.
  after_attempt_ = [&] { write_token("second-token"); };
  EnrollmentRetryOptions options;
  options.token_file = path;
  auto credential = Enroll(options, absl::Hours(1));
  ASSERT_TRUE(credential.ok()) << credential.status();
  EXPECT_EQ(tokens_, (std::vector<std::string>{"first-token", "second-token"}));
}

TEST_F(EnrollmentRetryTest, GivenTokenWinsOverTheFile) {
  EnrollmentRetryOptions options;
  options.token = "flag-token";
  options.token_file = "/nonexistent/token";
  ASSERT_TRUE(Enroll(options, absl::Hours(1)).ok());
  EXPECT_EQ(tokens_, std::vector<std::string>{"flag-token"});
}

TEST_F(EnrollmentRetryTest, MissingTokenFileEndsAtOnce) {
  EnrollmentRetryOptions options;
  options.token_file = "/nonexistent/token";
  auto credential = Enroll(options, absl::Hours(1));
  EXPECT_TRUE(absl::IsNotFound(credential.status())) << credential.status();
  EXPECT_TRUE(times_.empty());
}

TEST_F(EnrollmentRetryTest, ErrorRetryingCannotFixIsReturnedUnchanged) {
  answers_ = {absl::InvalidArgumentError("identity refused")};
  auto credential = Enroll({}, absl::Hours(1));
  EXPECT_EQ(credential.status(),
            absl::InvalidArgumentError("identity refused"));
  EXPECT_EQ(times_.size(), 1u);
}

TEST_F(EnrollmentRetryTest, StopEndsTheWaitWithCancelled) {
  answers_.assign(1000, absl::UnavailableError("down"));
  auto credential = Enroll({}, absl::Minutes(10));
  EXPECT_TRUE(absl::IsCancelled(credential.status())) << credential.status();
  // At 0, then after 0.5, 1, ..., 16 s (7 attempts by 31.5 s), then every
  // 30 s until 571.5 s: 25 attempts in 10 minutes.
  EXPECT_EQ(times_.size(), 25u);
}

}  // namespace
}  // namespace natscope::ingest
