// `natscope schedules ...`, `natscope reports [SCHEDULE]` and
// `natscope report run|show ...`, over ReportService.
#ifndef NATSCOPE_SERVER_CLI_REPORT_COMMANDS_H_
#define NATSCOPE_SERVER_CLI_REPORT_COMMANDS_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "server/cli/rpc_error.h"

namespace natscope::server {

// What the report commands read from flags.
struct ReportFlags {
  std::string id;          // schedules create: the schedule id (optional)
  std::string name;        // schedules create: its name
  std::string cron;        // schedules create: "0 8 * * MON"
  std::string time_zone;   // schedules create: "Europe/Paris" (UTC if empty)
  std::string format = "markdown";  // markdown | html | json
  std::string output_dir;  // schedules create: directory on the server host
  std::string webhook;     // schedules create: https:// (or loopback http://) URL
  std::string webhook_format = "report";  // report | slack
  std::string webhook_secret_file;  // path on the server host: HMAC key
  std::string webhook_ca_file;      // path on the server host: PEM CAs
  bool webhook_plaintext = false;   // http:// to a host not on loopback
  std::string sites;       // comma-separated; empty: the fleet
  std::string title;       // report run: title without a schedule
  std::string output;      // report run/show: write the report here, not stdout
  int64_t limit = 20;      // reports: how many
};

// `command` is "schedules", "reports" or "report"; `args` what follows it.
// `authorize` adds the caller's token to each call. Returns the exit code;
// errors go to `err` as one line.
int ReportCommand(const std::string& command, const std::vector<std::string>& args,
                  const ReportFlags& flags,
                  const std::shared_ptr<grpc::Channel>& channel,
                  const std::function<void(grpc::ClientContext*)>& authorize,
                  absl::Duration timeout, bool json, std::ostream& out,
                  std::ostream& err,
                  const RpcErrorText& describe = {});

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_CLI_REPORT_COMMANDS_H_
