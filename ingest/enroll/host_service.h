// The systemd side of the one-command enroll (host_enroll.h): enabling
// and starting natscope-agent.service, or saying plainly why not.
#ifndef NATSCOPE_INGEST_ENROLL_HOST_SERVICE_H_
#define NATSCOPE_INGEST_ENROLL_HOST_SERVICE_H_

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace natscope::ingest {

inline constexpr char kAgentUnit[] = "natscope-agent";

// What of the host EnrollHost may change beyond files. Tests pass fakes.
struct HostSystem {
  // Whether systemd is the init system (/run/systemd/system exists).
  bool systemd_running = false;
  // Runs argv (argv[0] looked up in PATH), output discarded; returns its
  // exit status, or -1 when it could not run.
  std::function<int(const std::vector<std::string>& argv)> run;
};

// The real host: sd_booted()'s test and fork/exec.
HostSystem RealHostSystem();

// Brings the unit to "enabled and running": `systemctl enable --now`, or
// `systemctl restart` when it already runs and `changed` (a new config or
// credential); nothing when it is enabled, running and nothing changed.
// Without systemd, or with `enable` false, changes nothing and says how to
// start the agent with `config_path` as `user`. Sets *changed when it
// started, restarted or enabled the unit. Unavailable naming the command
// and where to look when systemctl fails.
absl::Status EnsureService(const HostSystem& system, bool enable,
                           const std::string& config_path,
                           const std::string& user, bool* changed,
                           std::ostream& out);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_ENROLL_HOST_SERVICE_H_
