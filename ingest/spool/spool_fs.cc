#include "ingest/spool/spool_fs.h"

#include <sys/statvfs.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace natscope::ingest {
namespace {

absl::Status ErrnoStatus(int err, absl::string_view what,
                         absl::string_view path) {
  const std::string message =
      absl::StrCat(what, " ", path, ": ", strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(message);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(absl::StrCat("disk full: ", message));
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(message);
    default:
      return absl::InternalError(message);
  }
}

class PosixFile final : public SpoolFile {
 public:
  PosixFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixFile() override { close(fd_); }

  absl::Status Append(absl::string_view data) override {
    while (!data.empty()) {
      const ssize_t n = write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "cannot write", path_);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    if (fdatasync(fd_) != 0) return ErrnoStatus(errno, "cannot sync", path_);
    return absl::OkStatus();
  }

 private:
  std::string path_;
  int fd_;
};

class PosixFs final : public SpoolFs {
 public:
  absl::Status CreateDir(const std::string& dir) override {
    if (mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST) {
      return absl::OkStatus();
    }
    return ErrnoStatus(errno, "cannot create directory", dir);
  }

  absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir) override {
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) return ErrnoStatus(errno, "cannot list", dir);
    std::vector<std::string> names;
    while (struct dirent* entry = readdir(d)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    closedir(d);
    return names;
  }

  absl::StatusOr<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
      return ErrnoStatus(errno, "cannot stat", path);
    return static_cast<uint64_t>(st.st_size);
  }

  absl::Status ReadAt(const std::string& path, uint64_t offset, size_t n,
                      std::string* out) override {
    out->clear();
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(errno, "cannot open", path);
    out->resize(n);
    size_t got = 0;
    while (got < n) {
      const ssize_t r = pread(fd, &(*out)[got], n - got, offset + got);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        const int err = errno;
        close(fd);
        return ErrnoStatus(err, "cannot read", path);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    close(fd);
    out->resize(got);
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<SpoolFile>> OpenAppend(
      const std::string& path) override {
    const int fd =
        open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return ErrnoStatus(errno, "cannot open", path);
    return std::unique_ptr<SpoolFile>(new PosixFile(path, fd));
  }

  absl::Status Truncate(const std::string& path, uint64_t size) override {
    if (truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return ErrnoStatus(errno, "cannot truncate", path);
    }
    return absl::OkStatus();
  }

  absl::Status Remove(const std::string& path) override {
    if (unlink(path.c_str()) != 0)
      return ErrnoStatus(errno, "cannot remove", path);
    return absl::OkStatus();
  }

  absl::Status Rename(const std::string& from, const std::string& to) override {
    if (rename(from.c_str(), to.c_str()) != 0) {
      return ErrnoStatus(errno, "cannot rename", from);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> FreeBytes(const std::string& dir) override {
    struct statvfs st;
    if (statvfs(dir.c_str(), &st) != 0) {
      return ErrnoStatus(errno, "cannot stat the file system of", dir);
    }
    return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  }

  absl::Status SyncDir(const std::string& dir) override {
    const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(errno, "cannot open", dir);
    const int rc = fsync(fd);
    const int err = errno;
    close(fd);
    if (rc != 0) return ErrnoStatus(err, "cannot sync", dir);
    return absl::OkStatus();
  }
};

}  // namespace

SpoolFs* PosixSpoolFs() {
  static PosixFs* const fs = new PosixFs();
  return fs;
}

}  // namespace natscope::ingest
