#include "server/service/report_service.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "server/auth/grpc_auth.h"
#include "server/reports/scheduler_core.h"
#include "server/reports/cron.h"
#include "server/reports/webhook.h"
#include "server/service/batch_limits.h"

namespace natscope::server {
namespace {

constexpr int kDefaultRuns = 50;
constexpr int kMaxRuns = 1000;

// Bounds on what a schedule or an on-demand run may hold (docs/security.md).
// The time zone's is cron.h's kMaxTimeZoneNameBytes.
constexpr size_t kMaxNameBytes = 200;  // Schedule names, report titles.
constexpr size_t kMaxIdBytes = 128;    // Any schedule id a request names.
constexpr size_t kMaxCronBytes = 200;
constexpr size_t kMaxOutputDirBytes = 4096;  // PATH_MAX.
constexpr size_t kMaxWebhookBytes = 2048;
constexpr int kMaxSites = 1000;
constexpr size_t kMaxSiteBytes = 128;

// InvalidArgument naming `field` when `value` is over `limit` bytes.
absl::Status CheckLength(absl::string_view field, absl::string_view value,
                         size_t limit) {
  if (value.size() <= limit) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      field, " is ", value.size(), " bytes; the limit is ", limit, ": shorten it"));
}

absl::Status CheckSiteBounds(const v1::ReportScope& scope) {
  if (!scope.has_sites()) return absl::OkStatus();
  const auto& sites = scope.sites().sites();
  if (sites.size() > kMaxSites) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the site list has ", sites.size(), " sites; the limit is ", kMaxSites,
        ": report on the whole fleet instead, or split the list"));
  }
  for (int i = 0; i < sites.size(); ++i) {
    RETURN_IF_ERROR(CheckLength(absl::StrCat("site name sites[", i, "]"), sites[i],
                                kMaxSiteBytes));
  }
  return absl::OkStatus();
}

// Every string and list of `schedule` within its bound, before anything
// quotes or parses one (the time zone is bounded by LoadReportTimeZone).
absl::Status CheckScheduleBounds(const v1::ReportSchedule& schedule) {
  RETURN_IF_ERROR(CheckLength("the name (--name)", schedule.name(), kMaxNameBytes));
  RETURN_IF_ERROR(CheckLength("the id (--id)", schedule.id(), kMaxIdBytes));
  RETURN_IF_ERROR(CheckLength("the cron spec (--cron)", schedule.cron(), kMaxCronBytes));
  RETURN_IF_ERROR(CheckLength("the output directory (--output_dir)",
                              schedule.output_directory(), kMaxOutputDirBytes));
  RETURN_IF_ERROR(CheckLength("the webhook URL (--webhook)", schedule.webhook_url(),
                              kMaxWebhookBytes));
  return CheckSiteBounds(schedule.scope());
}

// The output directory: an absolute path without control characters (a
// NUL would cut the path the server uses short of the one shown).
absl::Status CheckOutputDirectory(const std::string& dir) {
  if (dir.empty()) return absl::OkStatus();
  if (dir[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "output directory \"", Abbreviate(dir), "\" must be an absolute path on "
        "the server host"));
  }
  for (const char c : dir) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          "the output directory contains control characters: give a plain path");
    }
  }
  return absl::OkStatus();
}

// Schedule ids: what `natscope schedules delete` takes, and part of report
// file names. Lower-case letters, digits and '-', 1 to 64 of them.
bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

// "Weekly fleet (EU)" -> "weekly-fleet-eu".
std::string IdFromName(const std::string& name) {
  std::string id;
  for (char c : absl::AsciiStrToLower(name)) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep) {
      id.push_back(c);
    } else if (!id.empty() && id.back() != '-') {
      id.push_back('-');
    }
  }
  while (!id.empty() && id.back() == '-') id.pop_back();
  return id.substr(0, 48);
}

absl::StatusOr<v1::ReportSchedule> ScheduleById(ReportStore& store, const std::string& id) {
  ASSIGN_OR_RETURN(std::vector<v1::ReportSchedule> schedules, store.ListSchedules());
  for (v1::ReportSchedule& schedule : schedules) {
    if (schedule.id() == id) return std::move(schedule);
  }
  return absl::NotFoundError(absl::StrCat(
      "no report schedule \"", id, "\" (natscope schedules lists them)"));
}

// Sorts a site list, drops duplicates; InvalidArgument for an empty name.
absl::Status CleanSites(v1::ReportScope* scope) {
  if (!scope->has_sites()) return absl::OkStatus();
  auto* sites = scope->mutable_sites()->mutable_sites();
  for (const std::string& site : *sites) {
    if (site.empty()) {
      return absl::InvalidArgumentError(
          "the site list has an empty name: give --sites=a,b without blanks");
    }
  }
  std::sort(sites->begin(), sites->end());
  sites->erase(std::unique(sites->begin(), sites->end()), sites->end());
  return absl::OkStatus();
}

v1::StoredReport ToProto(StoredReportRun stored) {
  v1::StoredReport report;
  *report.mutable_run() = std::move(stored.run);
  report.mutable_run()->set_run_id(stored.run_id);
  report.set_content(std::move(stored.content));
  return report;
}

}  // namespace

absl::StatusOr<v1::ReportSchedule> ReportServiceCore::CreateSchedule(
    const v1::CreateScheduleRequest& request) {
  v1::ReportSchedule schedule = request.schedule();
  RETURN_IF_ERROR(CheckScheduleBounds(schedule));
  if (schedule.name().empty()) {
    return absl::InvalidArgumentError("the schedule needs a name (--name)");
  }
  if (schedule.id().empty()) schedule.set_id(IdFromName(schedule.name()));
  if (!ValidId(schedule.id())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "schedule id \"", Abbreviate(schedule.id()), "\" is not valid: use 1 to 64 "
        "lower-case letters, digits and '-'"));
  }
  if (schedule.output_directory().empty() && schedule.webhook_url().empty()) {
    return absl::InvalidArgumentError(
        "the schedule delivers nowhere: give an output directory on the "
        "server host (--output_dir), a webhook (--webhook), or both");
  }
  RETURN_IF_ERROR(CheckOutputDirectory(schedule.output_directory()));
  RETURN_IF_ERROR(CheckWebhookSchedule(schedule));
  if (!schedule.has_scope()) schedule.mutable_scope()->set_fleet(true);
  RETURN_IF_ERROR(CleanSites(schedule.mutable_scope()));
  schedule.set_enabled(true);
  *schedule.mutable_created_at() = ToProtoTime(clock_->Now());
  RETURN_IF_ERROR(CompileSchedule(schedule).status());
  absl::Status created = store_->CreateSchedule(schedule);
  if (absl::IsAlreadyExists(created)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "a schedule with id \"", schedule.id(), "\" exists: give another --id "
        "or --name, or delete it first"));
  }
  RETURN_IF_ERROR(created);
  if (scheduler_ != nullptr) scheduler_->Poke();
  return schedule;
}

absl::StatusOr<v1::ListSchedulesResponse> ReportServiceCore::ListSchedules(
    const v1::ListSchedulesRequest&, bool reveal_secrets) {
  ASSIGN_OR_RETURN(std::vector<v1::ReportSchedule> schedules, store_->ListSchedules());
  v1::ListSchedulesResponse response;
  for (v1::ReportSchedule& s : schedules) {
    if (!reveal_secrets && !s.webhook_url().empty()) {
      s.set_webhook_url(RedactWebhookUrl(s.webhook_url()));
    }
    *response.add_schedules() = std::move(s);
  }
  return response;
}

absl::StatusOr<v1::DeleteScheduleResponse> ReportServiceCore::DeleteSchedule(
    const v1::DeleteScheduleRequest& request) {
  if (request.schedule_id().empty()) {
    return absl::InvalidArgumentError("schedule_id is empty: give the id "
                                      "natscope schedules shows");
  }
  RETURN_IF_ERROR(CheckLength("schedule_id", request.schedule_id(), kMaxIdBytes));
  absl::Status deleted = store_->DeleteSchedule(request.schedule_id());
  if (absl::IsNotFound(deleted)) {
    return absl::NotFoundError(absl::StrCat("no report schedule \"",
                                            request.schedule_id(),
                                            "\" (natscope schedules lists them)"));
  }
  RETURN_IF_ERROR(deleted);
  return v1::DeleteScheduleResponse();
}

absl::StatusOr<v1::StoredReport> ReportServiceCore::RunReport(
    const v1::RunReportRequest& request) {
  RETURN_IF_ERROR(CheckLength("schedule_id", request.schedule_id(), kMaxIdBytes));
  RETURN_IF_ERROR(CheckLength("the title (--title)", request.title(), kMaxNameBytes));
  RETURN_IF_ERROR(CheckSiteBounds(request.scope()));
  v1::ReportSchedule schedule;
  if (!request.schedule_id().empty()) {
    ASSIGN_OR_RETURN(schedule, ScheduleById(*store_, request.schedule_id()));
  } else {
    schedule.set_name(request.title().empty() ? "natscope report" : request.title());
    *schedule.mutable_scope() = request.scope();
    if (!schedule.has_scope()) schedule.mutable_scope()->set_fleet(true);
    schedule.set_format(request.format());
  }
  if (schedule.format() == v1::REPORT_FORMAT_UNSPECIFIED) {
    return absl::InvalidArgumentError("format is unspecified: choose markdown, html or json");
  }
  RETURN_IF_ERROR(CleanSites(schedule.mutable_scope()));
  if (schedule.scope().has_sites() && schedule.scope().sites().sites().empty()) {
    return absl::InvalidArgumentError("the site list is empty: name at least one site");
  }
  ASSIGN_OR_RETURN(std::optional<StoredReportRun> run,
                   producer_->Produce(schedule, clock_->Now(), /*on_demand=*/true));
  if (!run.has_value()) {
    return absl::InternalError("an on-demand run was refused by the store");
  }
  return ToProto(*std::move(run));
}

absl::StatusOr<v1::ListReportsResponse> ReportServiceCore::ListReports(
    const v1::ListReportsRequest& request) {
  RETURN_IF_ERROR(CheckLength("schedule_id", request.schedule_id(), kMaxIdBytes));
  const int limit = request.limit() == 0 ? kDefaultRuns : request.limit();
  if (limit < 1 || limit > kMaxRuns) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit ", request.limit(), " is out of range 1..", kMaxRuns));
  }
  ASSIGN_OR_RETURN(std::vector<StoredReportRun> runs,
                   store_->ListRuns(request.schedule_id(), limit));
  v1::ListReportsResponse response;
  for (StoredReportRun& run : runs) *response.add_reports() = ToProto(std::move(run));
  return response;
}

absl::StatusOr<v1::StoredReport> ReportServiceCore::GetReport(
    const v1::GetReportRequest& request) {
  ASSIGN_OR_RETURN(StoredReportRun run, store_->GetRun(request.run_id()));
  return ToProto(std::move(run));
}

grpc::Status ReportServiceImpl::CreateSchedule(grpc::ServerContext* context,
                                   const v1::CreateScheduleRequest* request,
                                   v1::ReportSchedule* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::ReportService::service_full_name(), "CreateSchedule",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::CreateScheduleRequest& r) {
        return core_->CreateSchedule(r);
      });
}

grpc::Status ReportServiceImpl::DeleteSchedule(grpc::ServerContext* context,
                                   const v1::DeleteScheduleRequest* request,
                                   v1::DeleteScheduleResponse* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::ReportService::service_full_name(), "DeleteSchedule",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::DeleteScheduleRequest& r) {
        return core_->DeleteSchedule(r);
      });
}

grpc::Status ReportServiceImpl::RunReport(grpc::ServerContext* context,
                                   const v1::RunReportRequest* request,
                                   v1::StoredReport* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::ReportService::service_full_name(), "RunReport",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::RunReportRequest& r) {
        return core_->RunReport(r);
      });
}

grpc::Status ReportServiceImpl::ListReports(grpc::ServerContext* context,
                                   const v1::ListReportsRequest* request,
                                   v1::ListReportsResponse* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::ReportService::service_full_name(), "ListReports",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::ListReportsRequest& r) {
        return core_->ListReports(r);
      });
}

grpc::Status ReportServiceImpl::GetReport(grpc::ServerContext* context,
                                   const v1::GetReportRequest* request,
                                   v1::StoredReport* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::ReportService::service_full_name(), "GetReport",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::GetReportRequest& r) {
        return core_->GetReport(r);
      });
}

grpc::Status ReportServiceImpl::ListSchedules(
    grpc::ServerContext* context, const v1::ListSchedulesRequest* request,
    v1::ListSchedulesResponse* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::ReportService::service_full_name(),
      "ListSchedules", *request, response,
      [this](const auth::AuthorizedCall& call,
             const v1::ListSchedulesRequest& r) {
        // A webhook URL often carries a secret (a token in its query
        // string or userinfo): only admins, who may change schedules
        // anyway, see it whole.
        return core_->ListSchedules(
            r, /*reveal_secrets=*/call.caller.kind == auth::CallerKind::kAdmin);
      });
}

}  // namespace natscope::server
