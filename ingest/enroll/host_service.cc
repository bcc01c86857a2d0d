#include "ingest/enroll/host_service.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace natscope::ingest {
namespace {

int RunCommand(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    // systemctl's messages are not ours to pass on: the caller explains.
    // Only async-signal-safe calls here (gRPC's threads may exist).
    const int null_fd = open("/dev/null", O_WRONLY);
    if (null_fd >= 0) {
      dup2(null_fd, STDOUT_FILENO);
      dup2(null_fd, STDERR_FILENO);
    }
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

HostSystem RealHostSystem() {
  HostSystem system;
  struct stat st;
  // sd_booted(3): systemd is PID 1 exactly when this directory exists.
  system.systemd_running =
      lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
  system.run = RunCommand;
  return system;
}

absl::Status EnsureService(const HostSystem& system, bool enable,
                           const std::string& config_path,
                           const std::string& user, bool* changed,
                           std::ostream& out) {
  const std::string by_hand = absl::StrCat(
      "natscope-agent run --config=", config_path,
      user.empty() ? "" : absl::StrCat(" (as user ", user, ")"));
  if (!enable) {
    out << "service: not enabled (--no_enable); start it with `systemctl "
           "enable --now natscope-agent`, or run "
        << by_hand << "\n";
    return absl::OkStatus();
  }
  if (!system.systemd_running) {
    out << "service: systemd is not running on this host (not PID 1), so "
           "the natscope-agent unit was not enabled; start the agent with "
        << by_hand << "\n";
    return absl::OkStatus();
  }
  const bool enabled = system.run({"systemctl", "is-enabled", "--quiet", kAgentUnit}) == 0;
  const bool active = system.run({"systemctl", "is-active", "--quiet", kAgentUnit}) == 0;
  std::vector<std::string> command;
  if (enabled && active && !*changed) {
    out << "service: natscope-agent already enabled and running\n";
    return absl::OkStatus();
  }
  if (enabled && active) {
    command = {"systemctl", "restart", kAgentUnit};
  } else {
    command = {"systemctl", "enable", "--now", kAgentUnit};
  }
  const int rc = system.run(command);
  const std::string text = absl::StrJoin(command, " ");
  if (rc != 0) {
    return absl::UnavailableError(absl::StrCat(
        "`", text, "` failed (exit ", rc,
        "): is the unit installed (the natscope-agent package)? See "
        "`systemctl status natscope-agent` and `journalctl -u "
        "natscope-agent`"));
  }
  out << "service: ran `" << text << "`\n";
  *changed = true;
  return absl::OkStatus();
}

}  // namespace natscope::ingest
