// The natscope CLI's command line: every flag with its default and help,
// and what is settled before any command runs (TLS, the bearer token).
#ifndef NATSCOPE_SERVER_CLI_CLI_FLAGS_H_
#define NATSCOPE_SERVER_CLI_CLI_FLAGS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/flags.h"
#include "common/tls/tls.h"
#include "server/cli/probe_command.h"
#include "server/cli/report_commands.h"
#include "server/cli/tokens_command.h"

namespace natscope::server {

// The initial values are the defaults --help shows.
struct CliFlags {
  // How to reach natscope-server and print its replies: every command.
  std::string server = "127.0.0.1:7700";
  tls::ClientTlsOptions tls;
  std::string token_file;
  bool plaintext = false;  // Allow a token in the clear off loopback.
  bool json = false;
  absl::Duration timeout = absl::Seconds(10);
  // The bearer token: --token_file, else $NATSCOPE_TOKEN (FinishCliFlags).
  std::string token;
  // sites, agents: order and paging.
  bool by_name = false;
  int64_t page_size = 100;
  std::string page_token;
  // agents: filters.
  std::string role;
  std::string nat_type;
  std::string finding;
  bool unhealthy = false;
  bool all = false;  // Forgotten agents too.
  // probe.
  ProbeFlags probe;
  // trend.
  bool daily = false;
  int64_t days = 0;
  // schedules, reports, report; tokens enroll create (its role: `role`).
  ReportFlags report;
  EnrollTokenFlags enroll;
};

// Registers every flag of natscope on `flags`, bound to `*f`.
void RegisterCliFlags(FlagSet& flags, CliFlags* f);

// After parsing: plaintext unless --ca_file, replies up to 256 MiB, reads
// the token into f->token, and refuses to send a token in plaintext to a
// server off loopback without --plaintext. On failure the status message
// is the one line to print (what went wrong and what to do).
absl::Status FinishCliFlags(CliFlags* f);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_CLI_CLI_FLAGS_H_
