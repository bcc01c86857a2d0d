#include "server/reports/report_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"

namespace natscope::server {
namespace {

// How many names are tried before giving up (a directory holding
// "NAME-2.EXT" up to "NAME-100.EXT" is not an accident).
constexpr int kMaxNames = 100;

// Closes the descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

absl::Status DirError(const std::string& dir, absl::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat("report directory ", dir, " ", what));
}

// Creates `dir` and its missing parents (mode 0750).
absl::Status MakeDirs(const std::string& dir) {
  for (size_t at = 1; at <= dir.size(); ++at) {
    if (at != dir.size() && dir[at] != '/') continue;
    const std::string prefix = dir.substr(0, at);
    if (mkdir(prefix.c_str(), 0750) != 0 && errno != EEXIST) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot create report directory ", prefix, ": ", std::strerror(errno),
          ": create it (mode 0750) or choose another --output_dir"));
    }
  }
  return absl::OkStatus();
}

// Why `dir` could not be opened as a directory, in words.
absl::Status OpenDirError(const std::string& dir, int error) {
  struct stat st {};
  if ((error == ELOOP || error == ENOTDIR) && lstat(dir.c_str(), &st) == 0 &&
      S_ISLNK(st.st_mode)) {
    return DirError(dir,
                    "is a symbolic link, which natscope-server does not "
                    "follow: give the directory it points to as --output_dir");
  }
  return DirError(dir, absl::StrCat("cannot be opened: ", std::strerror(error),
                                    ": give a directory as --output_dir"));
}

// The checks of report_file.h, on the open directory.
absl::Status CheckDir(const std::string& dir, const struct stat& st) {
  const uid_t me = geteuid();
  if (st.st_uid != me && st.st_uid != 0) {
    return DirError(dir,
                    absl::StrFormat("belongs to uid %d, neither "
                                    "natscope-server's user (uid %d) nor root, "
                                    "so its owner could plant files or links "
                                    "in it: run `chown %d %s` or "
                                    "choose another --output_dir",
                                    st.st_uid, me, me, dir));
  }
  if ((st.st_mode & S_IWOTH) != 0) {
    return DirError(
        dir,
        absl::StrFormat(
            "is writable by every user (mode %04o), so anyone could plant "
            "files "
            "or links in it: run `chmod o-w %s` or choose another --output_dir",
            st.st_mode & 07777, dir));
  }
  return absl::OkStatus();
}

// Creates (if needed), opens and checks `dir`; returns the descriptor.
absl::StatusOr<int> OpenReportDir(const std::string& dir) {
  RETURN_IF_ERROR(MakeDirs(dir));
  const int fd =
      open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return OpenDirError(dir, errno);
  struct stat st {};
  absl::Status checked =
      fstat(fd, &st) != 0 ? OpenDirError(dir, errno) : CheckDir(dir, st);
  if (!checked.ok()) {
    close(fd);
    return checked;
  }
  return fd;
}

absl::Status WriteError(const std::string& dir, const std::string& name,
                        int error) {
  return absl::UnavailableError(absl::StrCat("cannot write report ", dir, "/",
                                             name, ": ", std::strerror(error)));
}

// Creates a new hidden temporary file in `dir_fd`; sets *tmp to its name.
absl::StatusOr<int> CreateTemp(int dir_fd, const std::string& dir,
                               const std::string& name, std::string* tmp) {
  static std::atomic<uint64_t> counter{0};
  for (int attempt = 0; attempt < kMaxNames; ++attempt) {
    *tmp = absl::StrCat(".", name, ".tmp-", getpid(), "-", counter++);
    const int fd =
        openat(dir_fd, tmp->c_str(),
               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (fd >= 0) return fd;
    if (errno != EEXIST) return WriteError(dir, name, errno);
  }
  return WriteError(dir, name, EEXIST);
}

// Writes all of `content` to `fd` and syncs it.
absl::Status WriteAll(int fd, absl::string_view content, const std::string& dir,
                      const std::string& name) {
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return WriteError(dir, name, n < 0 ? errno : ENOSPC);
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) return WriteError(dir, name, errno);
  return absl::OkStatus();
}

// "r-42.html" -> "r-42-2.html" for k = 2.
std::string Variant(const std::string& name, int k) {
  if (k == 1) return name;
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) return absl::StrCat(name, "-", k);
  return absl::StrCat(name.substr(0, dot), "-", k, name.substr(dot));
}

// Links `tmp` under the first free variant of `name`; returns that name.
// link(2) never replaces or follows what is at the new name.
absl::StatusOr<std::string> LinkUnderFreeName(int dir_fd,
                                              const std::string& dir,
                                              const std::string& tmp,
                                              const std::string& name) {
  for (int k = 1; k <= kMaxNames; ++k) {
    const std::string candidate = Variant(name, k);
    if (linkat(dir_fd, tmp.c_str(), dir_fd, candidate.c_str(), 0) == 0) {
      return candidate;
    }
    if (errno != EEXIST) return WriteError(dir, name, errno);
  }
  return absl::UnavailableError(absl::StrCat(
      "cannot write report ", dir, "/", name, ": it and ", kMaxNames - 1,
      " variants of its name exist: clean up the directory"));
}

}  // namespace

absl::StatusOr<std::string> WriteReportFile(const std::string& dir,
                                            const std::string& name,
                                            absl::string_view content) {
  if (name.empty() || name.find('/') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("report file name \"", name, "\" must be a plain name"));
  }
  ASSIGN_OR_RETURN(int raw_dir_fd, OpenReportDir(dir));
  Fd dir_fd{raw_dir_fd};
  std::string tmp;
  ASSIGN_OR_RETURN(int raw_fd, CreateTemp(dir_fd.fd, dir, name, &tmp));
  absl::StatusOr<std::string> written = [&]() -> absl::StatusOr<std::string> {
    Fd fd{raw_fd};
    RETURN_IF_ERROR(WriteAll(fd.fd, content, dir, name));
    return LinkUnderFreeName(dir_fd.fd, dir, tmp, name);
  }();
  // The temporary name goes either way; the report keeps its own link.
  unlinkat(dir_fd.fd, tmp.c_str(), 0);
  if (!written.ok()) return written.status();
  fsync(dir_fd.fd);  // The new name survives a crash (best effort).
  return absl::StrCat(dir, dir.back() == '/' ? "" : "/", *written);
}

}  // namespace natscope::server
