#include "server/cli/report_commands.h"

#include <algorithm>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "natscope/v1/reports.grpc.pb.h"
#include "server/cli/format.h"

namespace natscope::server {
namespace {

constexpr char kUsage[] =
    "usage: natscope schedules [list] | schedules create --name=NAME "
    "--cron='0 8 * * MON' [--time_zone=ZONE] [--format=markdown|html|json] "
    "[--output_dir=DIR] [--webhook=URL [--webhook_format=report|slack] "
    "[--webhook_secret_file=FILE] [--webhook_ca_file=FILE] "
    "[--webhook_plaintext]] [--sites=a,b] | schedules delete ID | "
    "reports [SCHEDULE_ID|-] | report run [SCHEDULE_ID] [--format=...] "
    "[--sites=a,b] [--output=FILE] | report show RUN_ID [--output=FILE]";

bool ParseFormat(const std::string& name, v1::ReportFormat* format) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower == "markdown" || lower == "md") {
    *format = v1::REPORT_FORMAT_MARKDOWN;
  } else if (lower == "html") {
    *format = v1::REPORT_FORMAT_HTML;
  } else if (lower == "json") {
    *format = v1::REPORT_FORMAT_JSON;
  } else {
    return false;
  }
  return true;
}

bool ParseWebhookFormat(const std::string& name, v1::WebhookFormat* format) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower.empty() || lower == "report") {
    *format = v1::WEBHOOK_FORMAT_UNSPECIFIED;
  } else if (lower == "slack") {
    *format = v1::WEBHOOK_FORMAT_SLACK;
  } else {
    return false;
  }
  return true;
}

v1::ReportScope ScopeOf(const std::string& sites) {
  v1::ReportScope scope;
  if (sites.empty()) {
    scope.set_fleet(true);
  } else {
    for (absl::string_view site : absl::StrSplit(sites, ',', absl::SkipEmpty())) {
      scope.mutable_sites()->add_sites(std::string(absl::StripAsciiWhitespace(site)));
    }
  }
  return scope;
}

class Reports {
 public:
  Reports(const ReportFlags& flags, const std::shared_ptr<grpc::Channel>& channel,
          const std::function<void(grpc::ClientContext*)>& authorize,
          absl::Duration timeout, bool json, std::ostream& out, std::ostream& err)
      : flags_(flags), stub_(v1::ReportService::NewStub(channel)),
        authorize_(authorize), timeout_(timeout), json_(json), out_(out), err_(err) {}

  RpcErrorText describe;
  int Schedules(const std::vector<std::string>& a);
  int List(const std::vector<std::string>& a);
  int Report(const std::vector<std::string>& a);

 private:
  void Prepare(grpc::ClientContext* context) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    authorize_(context);
  }
  int Fail(const std::string& message) {
    err_ << "natscope: " << message << "\n";
    return 1;
  }
  int Done(const grpc::Status& status, const google::protobuf::Message& reply,
           const std::string& text) {
    if (!status.ok()) return Fail(RpcErrorLine(describe, status));
    if (json_) {
      out_ << ToJson(reply);
    } else {
      out_ << text;
    }
    return 0;
  }
  // Prints a report's content (or writes it to --output) unless --json.
  int Content(const grpc::Status& status, const v1::StoredReport& report);

  const ReportFlags& flags_;
  std::unique_ptr<v1::ReportService::Stub> stub_;
  std::function<void(grpc::ClientContext*)> authorize_;
  absl::Duration timeout_;
  bool json_;
  std::ostream& out_;
  std::ostream& err_;
};

int Reports::Schedules(const std::vector<std::string>& a) {
  if (a.empty() || (a[0] == "list" && a.size() == 1)) {
    grpc::ClientContext context;
    Prepare(&context);
    v1::ListSchedulesResponse reply;
    const grpc::Status status = stub_->ListSchedules(&context, {}, &reply);
    return Done(status, reply, FormatSchedules(reply));
  }
  if (a[0] == "create" && a.size() == 1) {
    v1::CreateScheduleRequest request;
    v1::ReportSchedule* s = request.mutable_schedule();
    s->set_id(flags_.id);
    s->set_name(flags_.name);
    s->set_cron(flags_.cron);
    s->set_time_zone(flags_.time_zone);
    v1::ReportFormat format;
    if (!ParseFormat(flags_.format, &format)) {
      return Fail(absl::StrCat("--format=", flags_.format, ": use markdown, html or json"));
    }
    s->set_format(format);
    s->set_output_directory(flags_.output_dir);
    s->set_webhook_url(flags_.webhook);
    v1::WebhookFormat webhook_format;
    if (!ParseWebhookFormat(flags_.webhook_format, &webhook_format)) {
      return Fail(absl::StrCat("--webhook_format=", flags_.webhook_format,
                               ": use report (the rendered report) or slack"));
    }
    s->set_webhook_format(webhook_format);
    s->set_webhook_secret_file(flags_.webhook_secret_file);
    s->set_webhook_ca_file(flags_.webhook_ca_file);
    s->set_webhook_plaintext(flags_.webhook_plaintext);
    *s->mutable_scope() = ScopeOf(flags_.sites);
    if (flags_.cron.empty()) {
      return Fail("schedules create needs --cron, e.g. --cron='0 8 * * MON'");
    }
    grpc::ClientContext context;
    Prepare(&context);
    v1::ReportSchedule reply;
    const grpc::Status status = stub_->CreateSchedule(&context, request, &reply);
    v1::ListSchedulesResponse one;
    *one.add_schedules() = reply;
    return Done(status, reply, absl::StrCat("created schedule ", reply.id(), "\n",
                                            FormatSchedules(one)));
  }
  if (a[0] == "delete" && a.size() == 2) {
    v1::DeleteScheduleRequest request;
    request.set_schedule_id(a[1]);
    grpc::ClientContext context;
    Prepare(&context);
    v1::DeleteScheduleResponse reply;
    const grpc::Status status = stub_->DeleteSchedule(&context, request, &reply);
    return Done(status, reply,
                absl::StrCat("deleted schedule ", a[1],
                             " (its reports are kept: natscope reports ", a[1], ")\n"));
  }
  return Fail(kUsage);
}

int Reports::List(const std::vector<std::string>& a) {
  if (a.size() > 1) return Fail(kUsage);
  v1::ListReportsRequest request;
  if (!a.empty()) request.set_schedule_id(a[0]);
  request.set_limit(static_cast<int32_t>(flags_.limit));
  grpc::ClientContext context;
  Prepare(&context);
  v1::ListReportsResponse reply;
  const grpc::Status status = stub_->ListReports(&context, request, &reply);
  return Done(status, reply, FormatReports(reply));
}

int Reports::Content(const grpc::Status& status, const v1::StoredReport& report) {
  if (!status.ok()) return Fail(RpcErrorLine(describe, status));
  if (json_) return Done(status, report, "");
  if (!flags_.output.empty()) {
    std::ofstream file(flags_.output, std::ios::binary | std::ios::trunc);
    file << report.content();
    file.close();
    if (file.fail()) {
      return Fail(absl::StrCat("cannot write ", flags_.output,
                               ": check the directory exists and is writable"));
    }
    out_ << "report " << report.run().run_id() << " written to " << flags_.output << "\n";
  } else {
    out_ << report.content();
  }
  if (report.run().status() == v1::REPORT_RUN_STATUS_FAILED) {
    return Fail(absl::StrCat("report ", report.run().run_id(),
                             " failed: ", report.run().error()));
  }
  return 0;
}

int Reports::Report(const std::vector<std::string>& a) {
  if (!a.empty() && a[0] == "run" && a.size() <= 2) {
    v1::RunReportRequest request;
    if (a.size() == 2) request.set_schedule_id(a[1]);
    v1::ReportFormat format;
    if (!ParseFormat(flags_.format, &format)) {
      return Fail(absl::StrCat("--format=", flags_.format, ": use markdown, html or json"));
    }
    request.set_format(format);
    *request.mutable_scope() = ScopeOf(flags_.sites);
    request.set_title(flags_.title);
    grpc::ClientContext context;
    Prepare(&context);
    // Rendering and delivering (a webhook may take its 10 s) outlast the
    // usual deadline.
    context.set_deadline(absl::ToChronoTime(absl::Now() + std::max(timeout_, absl::Minutes(1))));
    v1::StoredReport reply;
    return Content(stub_->RunReport(&context, request, &reply), reply);
  }
  if (a.size() == 2 && a[0] == "show") {
    v1::GetReportRequest request;
    int64_t id = 0;
    if (!absl::SimpleAtoi(a[1], &id)) {
      return Fail(absl::StrCat("report show takes a run id (a number), not \"", a[1],
                               "\": natscope reports lists them"));
    }
    request.set_run_id(id);
    grpc::ClientContext context;
    Prepare(&context);
    v1::StoredReport reply;
    return Content(stub_->GetReport(&context, request, &reply), reply);
  }
  return Fail(kUsage);
}

}  // namespace

int ReportCommand(const std::string& command, const std::vector<std::string>& args,
                  const ReportFlags& flags,
                  const std::shared_ptr<grpc::Channel>& channel,
                  const std::function<void(grpc::ClientContext*)>& authorize,
                  absl::Duration timeout, bool json, std::ostream& out,
                  std::ostream& err, const RpcErrorText& describe) {
  Reports reports(flags, channel, authorize, timeout, json, out, err);
  reports.describe = describe;
  if (command == "schedules") return reports.Schedules(args);
  if (command == "reports") return reports.List(args);
  return reports.Report(args);
}

}  // namespace natscope::server
