// CheckWebhookSchedule: what CreateSchedule accepts of a schedule's
// webhook options. No network.
#include "server/reports/webhook.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

TEST(WebhookScheduleTest, ChecksEveryWebhookOption) {
  v1::ReportSchedule s;
  s.set_webhook_url("https://hooks.example/in");
  s.set_webhook_secret_file("/etc/natscope/hook.key");
  s.set_webhook_ca_file("/etc/natscope/ca.pem");
  s.set_webhook_format(v1::WEBHOOK_FORMAT_SLACK);
  EXPECT_TRUE(CheckWebhookSchedule(s).ok());
  v1::ReportSchedule bad = s;
  bad.set_webhook_secret_file("hook.key");
  EXPECT_TRUE(
      absl::StrContains(CheckWebhookSchedule(bad).message(), "absolute"));
  bad = s;
  bad.set_webhook_ca_file("/x\n");
  EXPECT_EQ(CheckWebhookSchedule(bad).code(),
            absl::StatusCode::kInvalidArgument);
  bad = s;
  bad.set_webhook_ca_file("/" + std::string(5000, 'a'));
  EXPECT_EQ(CheckWebhookSchedule(bad).code(),
            absl::StatusCode::kInvalidArgument);
  bad = s;
  bad.set_webhook_format(static_cast<v1::WebhookFormat>(42));
  EXPECT_EQ(CheckWebhookSchedule(bad).code(),
            absl::StatusCode::kInvalidArgument);
  bad = s;
  bad.clear_webhook_url();
  EXPECT_TRUE(
      absl::StrContains(CheckWebhookSchedule(bad).message(), "--webhook=URL"));
  bad = s;
  bad.set_webhook_url("http://hooks.example/in");
  EXPECT_EQ(CheckWebhookSchedule(bad).code(),
            absl::StatusCode::kInvalidArgument);
  bad.set_webhook_plaintext(true);
  EXPECT_TRUE(CheckWebhookSchedule(bad).ok());
}

}  // namespace
}  // namespace natscope::server
