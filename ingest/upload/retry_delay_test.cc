#include "ingest/upload/retry_delay.h"

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

TEST(RetryDelayTest, ParsesMilliseconds) {
  EXPECT_EQ(ParseRetryAfterMs("1500"), absl::Milliseconds(1500));
  EXPECT_EQ(ParseRetryAfterMs("0"), absl::ZeroDuration());
  EXPECT_FALSE(ParseRetryAfterMs("-1").has_value());
  EXPECT_FALSE(ParseRetryAfterMs("soon").has_value());
  EXPECT_FALSE(ParseRetryAfterMs("").has_value());
}

TEST(RetryDelayTest, TravelsInsideAStatus) {
  absl::Status status = absl::UnavailableError("store down");
  EXPECT_FALSE(GetRetryDelay(status).has_value());
  SetRetryDelay(&status, absl::Seconds(3));
  EXPECT_EQ(GetRetryDelay(status), absl::Seconds(3));
  EXPECT_EQ(status.message(), "store down");
  absl::Status ok;
  SetRetryDelay(&ok, absl::Seconds(3));
  EXPECT_FALSE(GetRetryDelay(ok).has_value());
}

}  // namespace
}  // namespace natscope::ingest
