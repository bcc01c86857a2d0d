#include "server/cli/cli_flags.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace natscope::server {
namespace {

// Where to connect and as whom; TLS.
void RegisterConnectionFlags(FlagSet& flags, CliFlags* f) {
  flags.String("token_file", &f->token_file,
               "File holding an admin or viewer token (default: $NATSCOPE_TOKEN).");
  flags.String("ca_file", &f->tls.ca_file,
               "PEM CA of the server's TLS certificate; without it the CLI "
               "talks plaintext (a server on loopback).");
  flags.String("tls_server_name", &f->tls.server_name,
               "Name to check the server's certificate against, when --server is an IP.");
}

// `agents` filters, and `trend`'s window.
void RegisterQueryFlags(FlagSet& flags, CliFlags* f) {
  flags.String("role", &f->role,
               "agents: only clients or only connectors (client|connector); "
               "tokens enroll create --intake: the role of hosts whose "
               "messages name none (default client).");
  flags.String("nat_type", &f->nat_type,
               "agents: only this reported NAT type (endpoint-dependent, "
               "endpoint-independent, no-nat, udp-blocked, unknown).");
  flags.String("finding", &f->finding,
               "agents: only agents with this finding (e.g. aws-nat-gateway).");
  flags.Bool("unhealthy", &f->unhealthy,
             "agents: only agents that are unhealthy themselves (silent, spool "
             "filling, records lost, clock off...), with their problems.");
  flags.Bool("all", &f->all,
             "agents: also agents silent for longer than the server's "
             "--forget_after (30 days by default), which counts leave out.");
  flags.Duration("wait", &f->probe.wait,
                 "probe: wait this long for the agents' fresh probes and "
                 "print them; --wait alone waits 10m (default: do not wait).");
  flags.Bool("daily", &f->daily, "trend: one point per UTC day instead of per hour.");
  flags.Int("days", &f->days, "trend: how many days back (default 7 hourly, 90 daily).");
}

// schedules, reports, report.
void RegisterReportFlags(FlagSet& flags, ReportFlags* report) {
  flags.String("name", &report->name, "schedules create: the schedule's name.");
  flags.String("id", &report->id,
               "schedules create: its id (default: from the name).");
  flags.String("cron", &report->cron,
               "schedules create: when, as 5-field cron (\"0 8 * * MON\" = "
               "Mondays 08:00).");
  flags.String("time_zone", &report->time_zone,
               "schedules create: IANA zone the cron is read in (default UTC).");
  flags.String("format", &report->format,
               "schedules create, report run: markdown, html or json.");
  flags.String("output_dir", &report->output_dir,
               "schedules create: directory on the SERVER host reports are written to.");
  flags.String("webhook", &report->webhook,
               "schedules create: https:// URL each report is POSTed to "
               "(http:// only to loopback, or with --webhook_plaintext).");
  flags.String("webhook_format", &report->webhook_format,
               "schedules create: what the webhook receives: report (the "
               "rendered report) or slack ({\"text\": summary}).");
  flags.String("webhook_secret_file", &report->webhook_secret_file,
               "schedules create: file on the SERVER host (mode 0600) whose "
               "first line signs each POST (X-Natscope-Signature, HMAC-SHA256).");
  flags.String("webhook_ca_file", &report->webhook_ca_file,
               "schedules create: PEM CA file on the SERVER host to verify the "
               "webhook's certificate with, instead of the system's CAs.");
  flags.Bool("webhook_plaintext", &report->webhook_plaintext,
             "schedules create: allow an http:// webhook on a host that is "
             "not loopback (the report crosses the network in the clear).");
  flags.String("sites", &report->sites,
               "schedules create, report run: comma-separated sites (default: the fleet).");
  flags.String("title", &report->title, "report run: title of an unscheduled report.");
  flags.String("output", &report->output,
               "report run/show: write the report to this file instead of stdout.");
  flags.Int("limit", &report->limit, "reports: how many, newest first.");
}

// tokens enroll create. (Its --role is the agents filter's flag, which
// Tokens in cli_main.cc hands on as EnrollTokenFlags::role.)
void RegisterEnrollFlags(FlagSet& flags, EnrollTokenFlags* enroll) {
  flags.Duration("expires", &enroll->expires,
                 "tokens enroll create: how long the token works (default "
                 "168h = 7 days, with --intake never; at most 366 days).");
  flags.Int("uses", &enroll->uses,
            "tokens enroll create: how many agents it may enroll (0: any).");
  flags.Bool("intake", &enroll->intake,
             "tokens enroll create: an intake token, which log shippers "
             "(syslog, OTLP/HTTP) send with the site's hosts' log lines, "
             "instead of an enrollment token for agents.");
}

}  // namespace

void RegisterCliFlags(FlagSet& flags, CliFlags* f) {
  // --help lists the flags in the order they are registered here.
  flags.String("server", &f->server, "natscope-server's gRPC address, HOST:PORT.");
  flags.Int("page_size", &f->page_size, "agents: at most this many per page (1-1000).");
  flags.String("page_token", &f->page_token, "agents: the page to show (from the previous one).");
  flags.Bool("by_name", &f->by_name, "sites: sort by name instead of worst first.");
  RegisterConnectionFlags(flags, f);
  RegisterQueryFlags(flags, f);
  RegisterReportFlags(flags, &f->report);
  RegisterEnrollFlags(flags, &f->enroll);
  flags.Bool("plaintext", &f->plaintext,
             "Send the token without TLS to a server that is not on "
             "loopback (only on a network you trust; prefer --ca_file).");
  flags.Bool("json", &f->json, "Print proto3 JSON instead of a table.");
  flags.Duration("timeout", &f->timeout, "Deadline of each call.");
}

absl::Status FinishCliFlags(CliFlags* f) {
  f->tls.plaintext = f->tls.ca_file.empty();
  // `natscope sites` lists every site in one reply: 10,000 sites are about
  // 1.3 MB, past gRPC's default 4 MiB at 30,000.
  f->tls.max_receive_bytes = 256 << 20;
  if (!f->token_file.empty()) {
    std::ifstream in(f->token_file);
    if (!std::getline(in, f->token)) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot read a token from ", f->token_file,
                       ": check the path and that you may read it"));
    }
  } else if (const char* env = std::getenv("NATSCOPE_TOKEN")) {
    f->token = env;
  }
  // A token in the clear over a network anyone on the path can read is a
  // token given away: only on loopback, or when asked for.
  if (f->tls.plaintext && !f->token.empty() && !f->plaintext &&
      !tls::IsLoopbackAddress(f->server)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to send your token in plaintext to ", f->server,
        ": give the server's CA with --ca_file (TLS), or --plaintext if the "
        "network between you is trusted"));
  }
  return absl::OkStatus();
}

}  // namespace natscope::server
