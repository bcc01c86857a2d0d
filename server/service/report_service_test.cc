// ReportServiceCore against a real PostgreSQL: what a schedule must have,
// on-demand runs, and the errors an admin sees.
#include "server/service/report_service.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "server/store/pg_test_env.h"

namespace natscope::server {
namespace {

class ReportServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = FreshPostgresStore();
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->Migrate().ok());
    producer_ = std::make_unique<ReportProducer>(store_.get(), store_.get(),
                                                 &RealClock::Get(), "test");
    core_ = std::make_unique<ReportServiceCore>(store_.get(), &RealClock::Get(),
                                                producer_.get(), nullptr);
  }

  static v1::CreateScheduleRequest Weekly() {
    v1::CreateScheduleRequest request;
    v1::ReportSchedule* s = request.mutable_schedule();
    s->set_name("Weekly fleet (EU)");
    s->set_cron("0 8 * * MON");
    s->set_time_zone("Europe/Paris");
    s->set_format(v1::REPORT_FORMAT_HTML);
    s->set_output_directory("/tmp/natscope-reports");
    return request;
  }

  // The error CreateSchedule gives after `edit` is applied to Weekly().
  template <typename Edit>
  absl::Status CreateWith(Edit edit) {
    v1::CreateScheduleRequest request = Weekly();
    edit(request.mutable_schedule());
    return core_->CreateSchedule(request).status();
  }

  std::unique_ptr<PostgresStore> store_;
  std::unique_ptr<ReportProducer> producer_;
  std::unique_ptr<ReportServiceCore> core_;
};

TEST_F(ReportServiceTest, CreatedScheduleGetsAnIdFromItsNameAndIsEnabled) {
  auto created = core_->CreateSchedule(Weekly());
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->id(), "weekly-fleet-eu");
  EXPECT_TRUE(created->enabled());
  EXPECT_TRUE(created->scope().fleet());
  EXPECT_GT(created->created_at().seconds(), 0);
  auto again = core_->CreateSchedule(Weekly());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(absl::StrContains(again.status().message(), "--id")) << again.status();
  auto listed = core_->ListSchedules(v1::ListSchedulesRequest(), true);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->schedules_size(), 1);
}

TEST_F(ReportServiceTest, BadSchedulesAreRefusedWithTheReason) {
  struct Case {
    const char* what;
    std::function<void(v1::ReportSchedule*)> edit;
    const char* says;
  };
  const Case cases[] = {
      {"no name", [](auto* s) { s->clear_name(); }, "name"},
      {"bad id", [](auto* s) { s->set_id("Bad Id!"); }, "lower-case"},
      {"bad cron", [](auto* s) { s->set_cron("0 25 * * *"); }, "hour"},
      {"bad zone", [](auto* s) { s->set_time_zone("Mars/Olympus"); }, "Mars/Olympus"},
      {"no format", [](auto* s) { s->clear_format(); }, "format"},
      {"nowhere", [](auto* s) { s->clear_output_directory(); }, "delivers nowhere"},
      {"relative", [](auto* s) { s->set_output_directory("reports"); }, "absolute"},
      {"plaintext", [](auto* s) { s->set_webhook_url("http://x.example/h"); }, "https://"},
      {"no sites", [](auto* s) { s->mutable_scope()->mutable_sites(); }, "site"},
  };
  for (const Case& c : cases) {
    const absl::Status status = CreateWith(c.edit);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.what << ": " << status;
    EXPECT_TRUE(absl::StrContains(status.message(), c.says)) << c.what << ": " << status;
  }
  // A webhook alone is a valid delivery.
  EXPECT_TRUE(CreateWith([](auto* s) {
                s->clear_output_directory();
                s->set_webhook_url("http://127.0.0.1:9/hook");
              }).ok());
}

TEST_F(ReportServiceTest, OversizeOrPathLikeInputIsRefusedWithAShortMessage) {
  const std::string huge(10 << 10, 'a');
  struct Case {
    const char* what;
    std::function<void(v1::ReportSchedule*)> edit;
    const char* says;
  };
  const Case cases[] = {
      {"name", [](auto* s) { s->set_name(std::string(201, 'n')); }, "name"},
      {"id", [&](auto* s) { s->set_id(huge); }, "id"},
      {"id pattern", [](auto* s) { s->set_id(std::string(65, 'a')); }, "not valid"},
      {"cron", [](auto* s) { s->set_cron(std::string(201, '*')); }, "cron"},
      {"zone", [&](auto* s) { s->set_time_zone(huge); }, "time zone"},
      {"zone path", [](auto* s) { s->set_time_zone("../../../../etc/passwd"); }, "time zone"},
      {"zone file", [](auto* s) { s->set_time_zone("/etc/localtime"); }, "time zone"},
      {"dir", [](auto* s) { s->set_output_directory("/" + std::string(4096, 'd')); },
       "output directory"},
      {"dir NUL", [](auto* s) { s->set_output_directory(std::string("/tmp/a\0b", 8)); },
       "control characters"},
      {"webhook", [](auto* s) { s->set_webhook_url("http://h/" + std::string(2048, 'w')); },
       "webhook"},
      {"sites", [](auto* s) {
         for (int i = 0; i < 1001; ++i) s->mutable_scope()->mutable_sites()->add_sites("s");
       }, "1001 sites"},
      {"site", [](auto* s) {
         s->mutable_scope()->mutable_sites()->add_sites(std::string(129, 's'));
       }, "sites[0]"},
  };
  for (const Case& c : cases) {
    const absl::Status status = CreateWith(c.edit);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.what << ": " << status;
    EXPECT_TRUE(absl::StrContains(status.message(), c.says)) << c.what << ": " << status;
    EXPECT_LT(status.message().size(), 512u) << c.what << ": " << status;
  }
  v1::RunReportRequest run;
  run.set_format(v1::REPORT_FORMAT_MARKDOWN);
  run.set_title(std::string(201, 't'));
  EXPECT_EQ(core_->RunReport(run).status().code(), absl::StatusCode::kInvalidArgument);
  run.clear_title();
  run.set_schedule_id(huge);
  const absl::Status unknown = core_->RunReport(run).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument) << unknown;
  EXPECT_LT(unknown.message().size(), 512u);
  // Right at the bounds is fine.
  EXPECT_TRUE(CreateWith([](auto* s) {
                s->set_name(std::string(200, 'n'));
                s->set_id("at-the-bounds");
                s->set_time_zone("America/Argentina/Buenos_Aires");
              }).ok());
}

TEST_F(ReportServiceTest, ViewersSeeWebhookUrlsWithoutTheirSecrets) {
  v1::CreateScheduleRequest request = Weekly();
  request.mutable_schedule()->set_webhook_url("http://bot:pw@127.0.0.1:9/hook?token=abc#f");
  ASSERT_TRUE(core_->CreateSchedule(request).ok());
  auto viewer = core_->ListSchedules(v1::ListSchedulesRequest(), /*reveal_secrets=*/false);
  ASSERT_TRUE(viewer.ok()) << viewer.status();
  ASSERT_EQ(viewer->schedules_size(), 1);
  EXPECT_EQ(viewer->schedules(0).webhook_url(),
            "http://REDACTED@127.0.0.1:9/hook?REDACTED#REDACTED");
  auto admin = core_->ListSchedules(v1::ListSchedulesRequest(), /*reveal_secrets=*/true);
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(admin->schedules(0).webhook_url(), "http://bot:pw@127.0.0.1:9/hook?token=abc#f");
}

TEST_F(ReportServiceTest, OnDemandRunIsStoredAndReadBack) {
  v1::RunReportRequest request;
  request.set_format(v1::REPORT_FORMAT_MARKDOWN);
  request.set_title("Now");
  auto run = core_->RunReport(request);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->run().status(), v1::REPORT_RUN_STATUS_SUCCEEDED);
  EXPECT_TRUE(run->run().on_demand());
  EXPECT_TRUE(absl::StartsWith(run->content(), "# Now")) << run->content();
  v1::GetReportRequest get;
  get.set_run_id(run->run().run_id());
  auto stored = core_->GetReport(get);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->content(), run->content());
  EXPECT_TRUE(stored->run().on_demand());
  get.set_run_id(run->run().run_id() + 100);
  EXPECT_EQ(core_->GetReport(get).status().code(), absl::StatusCode::kNotFound);

  v1::RunReportRequest unknown;
  unknown.set_schedule_id("nope");
  EXPECT_EQ(core_->RunReport(unknown).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(core_->RunReport(v1::RunReportRequest()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ReportServiceTest, UndeliverableReportIsStoredFailedWithTheReason) {
  v1::CreateScheduleRequest request = Weekly();
  request.mutable_schedule()->set_output_directory("/proc/natscope-cannot-write-here");
  auto created = core_->CreateSchedule(request);
  ASSERT_TRUE(created.ok()) << created.status();
  v1::RunReportRequest run;
  run.set_schedule_id(created->id());
  auto result = core_->RunReport(run);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->run().status(), v1::REPORT_RUN_STATUS_FAILED);
  EXPECT_TRUE(absl::StrContains(result->run().error(), "/proc/natscope-cannot-write-here"))
      << result->run().error();
  v1::ListReportsRequest list;
  list.set_schedule_id(created->id());
  auto listed = core_->ListReports(list);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->reports_size(), 1);
  EXPECT_EQ(listed->reports(0).run().status(), v1::REPORT_RUN_STATUS_FAILED);
  list.set_limit(5000);
  EXPECT_EQ(core_->ListReports(list).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReportServiceTest, ReportIntoAWorldWritableDirectoryFailsAndWritesNothing) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp ? tmp : "/tmp") + "/open-reports-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  ASSERT_EQ(chmod(dir.c_str(), 0777), 0);
  v1::CreateScheduleRequest request = Weekly();
  request.mutable_schedule()->set_output_directory(dir);
  auto created = core_->CreateSchedule(request);
  ASSERT_TRUE(created.ok()) << created.status();
  v1::RunReportRequest run;
  run.set_schedule_id(created->id());
  auto result = core_->RunReport(run);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->run().status(), v1::REPORT_RUN_STATUS_FAILED);
  EXPECT_TRUE(absl::StrContains(result->run().error(), "writable by every user"))
      << result->run().error();
  EXPECT_TRUE(result->run().content_path().empty());
  EXPECT_EQ(rmdir(dir.c_str()), 0) << "the refused directory is not empty";
}

}  // namespace
}  // namespace natscope::server
