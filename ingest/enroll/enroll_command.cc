#include "ingest/enroll/enroll_command.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/tls/tls.h"
#include "ingest/config/agent_settings.h"
#include "ingest/config/config.h"
#include "ingest/enroll/credential.h"
#include "ingest/enroll/enroll.h"

namespace natscope::ingest {

absl::Status EnrollCommand(const v1::AgentConfig& config,
                           const std::string& token, absl::string_view version,
                           std::ostream& out) {
  auto channel = tls::NewClientChannel(config.server(), ClientTlsOf(config));
  if (!channel.ok()) return channel.status();
  EnrollOptions options;
  options.server = config.server();
  options.channel = *std::move(channel);
  options.identity = AgentIdentityOf(config, LocalHostname(), version);
  options.state_dir = config.state_dir();
  options.deadline = ConfigDuration(config.rpc_deadline());
  options.token = token;
  if (options.token.empty() && !config.enrollment_token_file().empty()) {
    auto from_file = ReadTokenFile(config.enrollment_token_file());
    if (!from_file.ok()) return from_file.status();
    options.token = *std::move(from_file);
  }
  auto credential = RunEnroll(options, absl::Now());
  if (!credential.ok()) return credential.status();
  out << "enrolled as " << credential->agent_id() << " (site "
      << credential->site() << ") with " << config.server()
      << "; credential stored in " << config.state_dir() << "/"
      << kCredentialFileName << " (mode 0600)\n";
  return absl::OkStatus();
}

}  // namespace natscope::ingest
