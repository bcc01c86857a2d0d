#include "server/embedded_postgres/postgres_binaries.h"

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/embedded_postgres/subprocess.h"

namespace natscope::server {
namespace {

constexpr char kDebianRoot[] = "/usr/lib/postgresql";

bool HasServerBinaries(const std::string& dir) {
  return !dir.empty() && access((dir + "/initdb").c_str(), X_OK) == 0 &&
         access((dir + "/postgres").c_str(), X_OK) == 0;
}

// The full path of `program` on PATH, or empty.
std::string FindOnPath(const std::string& program) {
  const char* path = getenv("PATH");
  for (absl::string_view dir :
       absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    if (dir.empty()) continue;
    std::string candidate = absl::StrCat(dir, "/", program);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string FromPgConfig() {
  const std::string pg_config = FindOnPath("pg_config");
  if (pg_config.empty()) return "";
  SpawnSpec spec;
  spec.argv = {pg_config, "--bindir"};
  absl::StatusOr<CapturedRun> run = RunAndCapture(spec, absl::Seconds(10));
  if (!run.ok() || !WIFEXITED(run->wait_status) ||
      WEXITSTATUS(run->wait_status) != 0) {
    return "";
  }
  std::string dir(absl::StripAsciiWhitespace(run->output));
  return HasServerBinaries(dir) ? dir : "";
}

// Debian installs each major version side by side: /usr/lib/postgresql/15.
std::string FromDebianLayout() {
  DIR* root = opendir(kDebianRoot);
  if (root == nullptr) return "";
  std::optional<std::pair<std::pair<int, int>, std::string>> best;
  while (const struct dirent* entry = readdir(root)) {
    std::vector<std::string> parts = absl::StrSplit(entry->d_name, '.');
    int major = 0, minor = 0;
    if (parts.size() > 2 || !absl::SimpleAtoi(parts[0], &major) ||
        (parts.size() == 2 && !absl::SimpleAtoi(parts[1], &minor))) {
      continue;
    }
    std::string dir = absl::StrCat(kDebianRoot, "/", entry->d_name, "/bin");
    if (!HasServerBinaries(dir)) continue;
    if (!best || best->first < std::make_pair(major, minor)) {
      best = {{major, minor}, dir};
    }
  }
  closedir(root);
  return best ? best->second : "";
}

std::string FromPath() {
  const std::string initdb = FindOnPath("initdb");
  if (initdb.empty()) return "";
  std::string dir = initdb.substr(0, initdb.rfind('/'));
  return HasServerBinaries(dir) ? dir : "";
}

}  // namespace

absl::StatusOr<std::string> FindPostgresBinDir(const std::string& bin_dir) {
  if (!bin_dir.empty()) {
    if (HasServerBinaries(bin_dir)) return bin_dir;
    return absl::FailedPreconditionError(absl::StrCat(
        "PostgreSQL binaries not found in ", bin_dir,
        " (no executable initdb and postgres there): pass the bin directory "
        "of a PostgreSQL installation, run tools/setup.sh, or pass "
        "--postgres=URI"));
  }
  for (std::string (*find)() : {&FromPgConfig, &FromDebianLayout, &FromPath}) {
    std::string dir = find();
    if (!dir.empty()) return dir;
  }
  return absl::FailedPreconditionError(
      "PostgreSQL binaries not found (no initdb in pg_config --bindir, "
      "/usr/lib/postgresql/*/bin or PATH): run tools/setup.sh or pass "
      "--postgres=URI");
}

}  // namespace natscope::server
