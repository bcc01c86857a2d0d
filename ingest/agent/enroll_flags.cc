#include "ingest/agent/enroll_flags.h"

#include <iostream>
#include <utility>

#include "absl/strings/str_split.h"

namespace natscope::ingest {

void RegisterEnrollFlags(FlagSet& f, EnrollFlags* v) {
  f.String("ca_file", &v->ca_file,
           "enroll --server: PEM CA of natscope-server's certificate; copied "
           "to ca.pem beside the config (or --plaintext for a loopback lab).");
  f.StringList("logs", &v->logs,
               "enroll --server: log files or globs (absolute) to follow, "
               "comma-separated or repeated.");
  f.Bool("force", &v->force,
         "enroll --server: replace an existing config (or CA) that differs "
         "from what the flags make; the old one is kept as FILE.old.");
  f.Bool("no_enable", &v->no_enable,
         "enroll --server: do not enable and start the systemd unit.");
  f.String("agent_user", &v->agent_user,
           "enroll --server: the agent's user, owner of the state directory "
           "and group of the config (default natscope-agent, skipped when "
           "missing).");
}

bool IsHostEnroll(const EnrollFlags& f, const std::string& server,
                  const std::string& config, const std::string& site) {
  if (server.empty()) return false;
  return config.empty() || !site.empty() || !f.ca_file.empty() ||
         !f.logs.empty() || f.force || f.no_enable || !f.agent_user.empty();
}

absl::Status RunHostEnroll(const EnrollFlags& f, const IdentityInputs& identity,
                           const SharedEnrollValues& shared) {
  HostEnrollOptions o;
  o.server = shared.server;
  o.config_path = shared.config.empty() ? kDefaultConfigPath : shared.config;
  if (!shared.state_dir.empty()) o.state_dir = shared.state_dir;
  o.plaintext = shared.plaintext;
  o.stun = shared.stun;
  o.token = shared.token;
  o.token_file = shared.token_file;
  o.version = shared.version;
  v1::AgentConfig resolved;
  resolved.mutable_identity()->set_role(v1::ROLE_CLIENT);
  auto from = ApplyIdentityInputs(identity, &resolved);
  if (!from.ok()) return from.status();
  o.site = resolved.identity().site();
  o.role = resolved.identity().role();
  o.ca_file = f.ca_file;
  for (const std::string& v : f.logs) {
    for (absl::string_view part : absl::StrSplit(v, ',', absl::SkipEmpty())) {
      o.logs.emplace_back(part);
    }
  }
  o.force = f.force;
  o.enable = !f.no_enable;
  o.agent_user_given = !f.agent_user.empty();
  if (o.agent_user_given) o.agent_user = f.agent_user;
  return EnrollHost(o, RealHostSystem(), std::cout);
}

}  // namespace natscope::ingest
