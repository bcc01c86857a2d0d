// ReportService: report schedules and the reports produced
// (proto/natscope/v1/reports.proto). Admins create, delete and run;
// viewers list and read (server/auth/policy.h). Thread-safe.
#ifndef NATSCOPE_SERVER_SERVICE_REPORT_SERVICE_H_
#define NATSCOPE_SERVER_SERVICE_REPORT_SERVICE_H_

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "natscope/v1/reports.grpc.pb.h"
#include "server/auth/authenticator.h"
#include "server/reports/producer.h"
#include "server/reports/scheduler.h"
#include "server/store/report_store.h"

namespace natscope::server {

// The transport-free core; callers have been authorised.
class ReportServiceCore {
 public:
  // All must outlive this object; `scheduler` may be null (tests).
  ReportServiceCore(ReportStore* store, const Clock* clock,
                    ReportProducer* producer, ReportScheduler* scheduler)
      : store_(store), clock_(clock), producer_(producer), scheduler_(scheduler) {}

  // Validates (every field's length first: name, title 200 bytes, ids 128
  // (a schedule's own 1 to 64 of [a-z0-9-]), cron 200, time zone 64 and an
  // IANA name (cron.h), output directory 4096 and absolute, webhook 2048,
  // sites 1000 of 128; then cron, format, scope, webhook), assigns id (from
  // the name when none is given) and created_at, enables the schedule and
  // stores it. InvalidArgument naming the problem and quoting at most a
  // short piece of the input; AlreadyExists for a taken id.
  absl::StatusOr<v1::ReportSchedule> CreateSchedule(const v1::CreateScheduleRequest&);
  // Every schedule. Unless `reveal_secrets` (admins), webhook URLs come
  // with their userinfo, query and fragment redacted (RedactWebhookUrl).
  absl::StatusOr<v1::ListSchedulesResponse> ListSchedules(const v1::ListSchedulesRequest&,
                                                          bool reveal_secrets);
  absl::StatusOr<v1::DeleteScheduleResponse> DeleteSchedule(const v1::DeleteScheduleRequest&);
  // Produces a report now. NotFound for an unknown schedule_id;
  // InvalidArgument for a missing format or an empty site list.
  absl::StatusOr<v1::StoredReport> RunReport(const v1::RunReportRequest&);
  absl::StatusOr<v1::ListReportsResponse> ListReports(const v1::ListReportsRequest&);
  absl::StatusOr<v1::StoredReport> GetReport(const v1::GetReportRequest&);

 private:
  ReportStore* store_;
  const Clock* clock_;
  ReportProducer* producer_;
  ReportScheduler* scheduler_;
};

// The gRPC face: authorises every call, then the core (ListSchedules
// tells the core whether the caller is an admin).
class ReportServiceImpl final : public v1::ReportService::Service {
 public:
  ReportServiceImpl(ReportServiceCore* core, auth::Authenticator* authenticator)
      : core_(core), authenticator_(authenticator) {}

  grpc::Status CreateSchedule(grpc::ServerContext*, const v1::CreateScheduleRequest*,
                              v1::ReportSchedule*) override;
  grpc::Status ListSchedules(grpc::ServerContext*, const v1::ListSchedulesRequest*,
                             v1::ListSchedulesResponse*) override;
  grpc::Status DeleteSchedule(grpc::ServerContext*, const v1::DeleteScheduleRequest*,
                              v1::DeleteScheduleResponse*) override;
  grpc::Status RunReport(grpc::ServerContext*, const v1::RunReportRequest*,
                         v1::StoredReport*) override;
  grpc::Status ListReports(grpc::ServerContext*, const v1::ListReportsRequest*,
                           v1::ListReportsResponse*) override;
  grpc::Status GetReport(grpc::ServerContext*, const v1::GetReportRequest*,
                         v1::StoredReport*) override;

 private:
  ReportServiceCore* core_;
  auth::Authenticator* authenticator_;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_SERVICE_REPORT_SERVICE_H_
