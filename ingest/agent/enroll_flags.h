// The flags of the one-command enroll (`natscope-agent enroll
// --server=HOST:PORT --site=SITE --token_file=FILE ...`, see
// ingest/enroll/host_enroll.h) that only it uses, and how natscope-agent
// tells that mode from the old `enroll --config=FILE --token=TOKEN`.
// For main() only; not thread-safe.
#ifndef NATSCOPE_INGEST_AGENT_ENROLL_FLAGS_H_
#define NATSCOPE_INGEST_AGENT_ENROLL_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/flags.h"
#include "ingest/config/identity_source.h"
#include "ingest/enroll/host_enroll.h"

namespace natscope::ingest {

struct EnrollFlags {
  std::string ca_file, agent_user;
  std::vector<std::string> logs;
  bool force = false, no_enable = false;
};

// Registers --ca_file, --logs, --force, --no_enable and --agent_user.
void RegisterEnrollFlags(FlagSet& flags, EnrollFlags* values);

// The one-command mode: --server without --config, or --server with any
// flag only that mode has (--site, --ca_file, --logs, --force,
// --no_enable, --agent_user). `--config=FILE --server=X` alone keeps the
// old meaning: enroll with FILE's settings, its server overridden.
bool IsHostEnroll(const EnrollFlags& flags, const std::string& server,
                  const std::string& config, const std::string& site);

// The values `enroll` shares with the other commands' flags.
struct SharedEnrollValues {
  std::string server, config, state_dir;  // Empty: the defaults.
  bool plaintext = false;
  std::vector<std::string> stun;
  std::string token, token_file, version;
};

// Builds HostEnrollOptions from `shared`, these flags and the site and
// role of `identity` (flag > environment; role default client), then runs
// EnrollHost on the real host, printing its steps to stdout. Errors as
// EnrollHost, or InvalidArgument naming a bad flag or variable.
absl::Status RunHostEnroll(const EnrollFlags& flags,
                           const IdentityInputs& identity,
                           const SharedEnrollValues& shared);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_AGENT_ENROLL_FLAGS_H_
