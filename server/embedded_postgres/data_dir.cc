#include "server/embedded_postgres/data_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace natscope::server {
namespace {

absl::Status NotWritable(const std::string& dir, int err) {
  return absl::FailedPreconditionError(
      absl::StrCat("data directory ", dir,
                   " is not writable by natscope-server (", strerror(err),
                   "): choose another with --data_dir or fix its "
                   "permissions"));
}

// mkdir -p: `dir` itself private (PostgreSQL insists), missing parents
// enterable by the user PostgreSQL may run as. Returns 0 or an errno.
int MakeDirs(const std::string& dir, mode_t mode) {
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
  const size_t slash = dir.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    if (int err = MakeDirs(dir.substr(0, slash), 0755); err != 0) return err;
  }
  if (mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) return errno;
  return 0;
}

// Owner for the nftw callback, which takes no context.
uid_t chown_uid;
gid_t chown_gid;

int ChownEntry(const char* path, const struct stat*, int, struct FTW*) {
  return lchown(path, chown_uid, chown_gid) == 0 ? 0 : errno;
}

bool IsLivePostgres(pid_t pid) {
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream stat_file(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat_line;
  if (!std::getline(stat_file, stat_line)) return false;
  // "pid (comm) S ...": comm may hold spaces, so parse around the parens.
  const size_t open = stat_line.find('('), close = stat_line.rfind(')');
  if (open == std::string::npos || close == std::string::npos ||
      close + 2 >= stat_line.size()) {
    return false;
  }
  const std::string comm = stat_line.substr(open + 1, close - open - 1);
  const char state = stat_line[close + 2];
  return comm == "postgres" && state != 'Z' && state != 'X';
}

}  // namespace

std::string MakeAbsolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[4096];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) return path;
  return absl::StrCat(cwd, "/", path);
}

absl::Status PrepareDataDir(const std::string& dir) {
  if (int err = MakeDirs(dir, 0700); err != 0) return NotWritable(dir, err);
  // access(2) answers yes to root even on a read-only file system; writing
  // is the honest test.
  const std::string probe = dir + "/.natscope-write-test";
  const int fd =
      open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return NotWritable(dir, errno);
  close(fd);
  unlink(probe.c_str());
  return absl::OkStatus();
}

bool HasCluster(const std::string& dir) {
  return access((dir + "/PG_VERSION").c_str(), F_OK) == 0;
}

absl::Status CheckEmptyForInitdb(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return NotWritable(dir, errno);
  bool empty = true;
  while (const struct dirent* entry = readdir(d)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") empty = false;
  }
  closedir(d);
  if (empty) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "data directory ", dir,
      " is not empty and holds no PostgreSQL cluster "
      "(no PG_VERSION): choose an empty or new directory with --data_dir"));
}

absl::Status HandOverDataDir(const std::string& dir, const RunAs& user) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) return NotWritable(dir, errno);
  if (st.st_uid != user.uid || st.st_gid != user.gid) {
    chown_uid = user.uid;
    chown_gid = user.gid;
    // Only a cluster (PG_VERSION present) is chowned recursively: it is
    // PostgreSQL's own. Otherwise the directory is empty (checked before).
    const int err =
        HasCluster(dir)
            ? nftw(dir.c_str(), &ChownEntry, 16, FTW_PHYS)
            : (chown(dir.c_str(), user.uid, user.gid) == 0 ? 0 : errno);
    if (err != 0) return NotWritable(dir, err);
  }
  if (int err = AccessAs(user, dir, R_OK | W_OK | X_OK); err != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data directory ", dir, " is not reachable by user ", user.name,
        ", which PostgreSQL runs as because natscope-server runs as root (",
        strerror(err), "): choose a directory whose parents ", user.name,
        " may enter (e.g. under /var/lib) with --data_dir, or let it in "
        "(chmod o+x on the parents)"));
  }
  return absl::OkStatus();
}

absl::Status ReplaceClusterFile(const std::string& path,
                                const std::string& content) {
  auto cannot = [&path](int err) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot rewrite ", path, " (", strerror(err),
                     "): fix the data directory's permissions"));
  };
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return cannot(errno);
  const std::string tmp = path + ".natscope-tmp";
  unlink(tmp.c_str());  // Left by a crash.
  const int fd = open(
      tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return cannot(errno);
  const bool written = fchown(fd, st.st_uid, st.st_gid) == 0 &&
                       fchmod(fd, st.st_mode & 07777) == 0 &&
                       write(fd, content.data(), content.size()) ==
                           static_cast<ssize_t>(content.size()) &&
                       fsync(fd) == 0;
  const int err = errno;
  close(fd);
  if (!written || rename(tmp.c_str(), path.c_str()) != 0) {
    const int failure = written ? errno : err;
    unlink(tmp.c_str());
    return cannot(failure);
  }
  return absl::OkStatus();
}

absl::Status StopLeftoverPostmaster(const std::string& dir,
                                    absl::Duration timeout) {
  std::ifstream pid_file(dir + "/postmaster.pid");
  std::vector<std::string> lines;
  for (std::string line; std::getline(pid_file, line);) lines.push_back(line);
  int pid = 0;
  if (lines.empty() || !absl::SimpleAtoi(lines[0], &pid) || pid <= 0 ||
      !IsLivePostgres(pid)) {
    return absl::OkStatus();  // No file, or stale: PostgreSQL copes.
  }
  const std::string socket_dir = lines.size() > 4 ? lines[4] : "";
  if (!absl::StartsWith(socket_dir, kSocketDirPrefix)) {
    return absl::FailedPreconditionError(
        absl::StrCat("PostgreSQL (pid ", pid,
                     ") not started by natscope-server is running "
                     "on data directory ",
                     dir, ": stop it or choose another --data_dir"));
  }
  // Ours, orphaned (e.g. the host froze before the watchdog acted): a fast
  // shutdown loses nothing committed.
  kill(pid, SIGINT);
  const absl::Time deadline = absl::Now() + timeout;
  while (IsLivePostgres(pid)) {
    if (absl::Now() >= deadline) {
      return absl::FailedPreconditionError(
          absl::StrCat("PostgreSQL (pid ", pid,
                       ") left by an earlier natscope-server on "
                       "data directory ",
                       dir,
                       " did not stop on SIGINT: stop it (kill "
                       "-QUIT ",
                       pid, ") and start again"));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  rmdir(socket_dir.c_str());  // PostgreSQL removed its socket files.
  return absl::OkStatus();
}

}  // namespace natscope::server
