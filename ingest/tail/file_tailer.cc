#include "ingest/tail/file_tailer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace natscope::ingest {
namespace {

absl::Status ErrnoStatus(int err, absl::string_view what, absl::string_view path) {
  std::string message = absl::StrCat(what, " ", path, ": ", strerror(err));
  if (err == EACCES || err == EPERM) {
    return absl::PermissionDeniedError(absl::StrCat(
        message, " (give the agent's user read access to the log file)"));
  }
  if (err == ENOENT) return absl::NotFoundError(message);
  return absl::InternalError(message);
}

}  // namespace

FileTailer::FileTailer(std::string path, bool from_start, size_t max_line_bytes)
    : path_(std::move(path)),
      from_start_(from_start),
      max_line_bytes_(max_line_bytes),
      splitter_(max_line_bytes) {}

FileTailer::~FileTailer() {
  if (fd_ >= 0) close(fd_);
}

absl::Status FileTailer::Open() {
  int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open", path_);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    return ErrnoStatus(err, "cannot stat", path_);
  }
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  // Only the very first file may start at its end; every later one (a
  // rotation) is new and read whole.
  offset_ = from_start_ ? 0 : static_cast<uint64_t>(st.st_size);
  from_start_ = true;
  splitter_ = LineSplitter(max_line_bytes_, offset_);
  return absl::OkStatus();
}

size_t FileTailer::ReadSome(size_t max_bytes, std::vector<Line>* out,
                            absl::Status* error) {
  char buffer[64 * 1024];
  size_t total = 0;
  while (total < max_bytes) {
    const size_t want = std::min(sizeof(buffer), max_bytes - total);
    const ssize_t n = pread(fd_, buffer, want, static_cast<off_t>(offset_));
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = ErrnoStatus(errno, "cannot read", path_);
      break;
    }
    if (n == 0) break;
    offset_ += static_cast<uint64_t>(n);
    total += static_cast<size_t>(n);
    splitter_.Feed(absl::string_view(buffer, static_cast<size_t>(n)), out);
  }
  return total;
}

absl::Status FileTailer::Poll(size_t max_bytes, std::vector<Line>* out) {
  if (fd_ < 0) {
    absl::Status opened = Open();
    if (!opened.ok()) return opened;
  }
  struct stat st;
  if (fstat(fd_, &st) == 0 && static_cast<uint64_t>(st.st_size) < offset_) {
    // Truncated in place (copytruncate): start over.
    offset_ = 0;
    splitter_ = LineSplitter(max_line_bytes_, 0);
  }
  absl::Status error;
  const size_t read = ReadSome(max_bytes, out, &error);
  if (!error.ok()) return error;
  if (read > 0) return absl::OkStatus();
  // At the end of the open file: has the path moved on to a new file?
  struct stat now;
  if (stat(path_.c_str(), &now) != 0) return absl::OkStatus();
  if (now.st_dev != dev_ || now.st_ino != ino_) return Open();
  return absl::OkStatus();
}

}  // namespace natscope::ingest
