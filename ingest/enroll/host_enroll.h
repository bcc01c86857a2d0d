// `natscope-agent enroll --server=HOST:PORT --site=SITE --token_file=FILE`:
// sets a host up in one idempotent command, so that a fleet is enrolled by
// one line in any configuration-management tool. It writes the config,
// installs the CA beside it, enrolls (RunEnroll) unless this host already
// holds a credential for the same server, agent and site, hands the state
// directory to the agent's user and enables the systemd unit.
//
// Usage:
//   HostEnrollOptions options;  // server, site, ca_file, token...
//   absl::Status s = EnrollHost(options, RealHostSystem(), std::cout);
//
// Thread-compatible; meant for main() (it changes files under /etc).
#ifndef NATSCOPE_INGEST_ENROLL_HOST_ENROLL_H_
#define NATSCOPE_INGEST_ENROLL_HOST_ENROLL_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ingest/enroll/host_service.h"
#include "natscope/v1/agent.pb.h"

namespace natscope::ingest {

inline constexpr char kDefaultConfigPath[] = "/etc/natscope/agent.textproto";
inline constexpr char kDefaultAgentUser[] = "natscope-agent";

struct HostEnrollOptions {
  std::string server;  // HOST:PORT. Required.
  std::string site;    // Required (from --site or $NATSCOPE_SITE).
  v1::Role role = v1::ROLE_CLIENT;
  // The CA of the server's certificate, copied to ca.pem beside the
  // config; or plaintext (loopback labs). Exactly one is required.
  std::string ca_file;
  bool plaintext = false;
  std::string config_path = kDefaultConfigPath;
  std::string state_dir = "/var/lib/natscope-agent";
  std::vector<std::string> logs;  // Absolute paths or globs.
  std::vector<std::string> stun;  // Empty: the server's host, port 3478.
  // The token itself, or the file holding it (0600, this user's); read
  // only when the host must enroll. Neither: enroll without a token.
  std::string token, token_file;
  // Owner of the state directory, group of the config. A missing default
  // user is skipped (said so); a missing named one is an error.
  std::string agent_user = kDefaultAgentUser;
  bool agent_user_given = false;
  bool force = false;   // Replace a different existing config and CA.
  bool enable = true;   // Enable and start the systemd unit.
  std::string version;  // Of this binary, sent at enrollment.
};

// The config file EnrollHost writes for `options`, naming `ca_path` as
// tls.ca_file (empty: plaintext). Deterministic, so a rerun compares equal.
std::string HostConfigText(const HostEnrollOptions& options,
                           const std::string& ca_path);

// Does it all, printing one line per step to `out` and, when nothing had
// to change, a last line saying so. Nothing is written before the flags
// are checked (InvalidArgument naming the flag) and, when enrollment is
// needed, the token read. FailedPrecondition when a different config or
// CA exists and `force` is false (the message says --force). Other errors
// as WriteFileAtomically, RunEnroll and `systemctl`, each naming what to
// check.
absl::Status EnrollHost(const HostEnrollOptions& options,
                        const HostSystem& system, std::ostream& out);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_ENROLL_HOST_ENROLL_H_
