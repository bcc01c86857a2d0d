#include "ingest/tail/log_watcher.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace natscope::ingest {
namespace {

absl::Status ErrnoStatus(int err, absl::string_view what,
                         absl::string_view path) {
  const std::string message =
      absl::StrCat(what, " ", path, ": ", strerror(err));
  if (err == EACCES || err == EPERM) {
    return absl::PermissionDeniedError(
        absl::StrCat(message,
                     " (give the agent's user read access to the file and its "
                     "directories)"));
  }
  if (err == ENOENT || err == ENOTDIR) {
    return absl::NotFoundError(absl::StrCat(
        message,
        " (check the path in the config; reading starts when it appears)"));
  }
  return absl::InternalError(
      absl::StrCat(message, " (check the file and its disk)"));
}

bool IsGlob(const std::string& path) {
  return path.find_first_of("*?[") != std::string::npos;
}

}  // namespace

struct LogWatcher::File {
  std::string path;
  int fd = -1;
  FileKey key;
  uint64_t offset = 0;
  LineSplitter splitter;
  bool orphan = false;  // No configured path leads here any more.
  ~File() {
    if (fd >= 0) close(fd);
  }
};

LogWatcher::LogWatcher(WatchOptions options,
                       std::vector<std::pair<FileKey, uint64_t>> resume)
    : options_(std::move(options)), resume_(std::move(resume)) {}

LogWatcher::~LogWatcher() = default;

std::vector<LogWatcher::WatchedFile> LogWatcher::Files() const {
  std::vector<WatchedFile> out;
  for (const auto& file : files_) {
    out.push_back({file->path, file->key, file->offset});
  }
  return out;
}

bool LogWatcher::Rekey(File& file, uint64_t size) {
  const size_t want =
      static_cast<size_t>(std::min<uint64_t>(size, options_.fingerprint_bytes));
  std::string head(want, '\0');
  const ssize_t n = pread(file.fd, head.data(), want, 0);
  if (n < 0) return false;
  head.resize(static_cast<size_t>(n));
  file.key.fingerprint_bytes = static_cast<uint32_t>(head.size());
  file.key.fingerprint = Fingerprint(head);
  return true;
}

uint64_t LogWatcher::ResumeOffset(const File& file, uint64_t size) const {
  for (const auto& [key, offset] : resume_) {
    if (key.device != file.key.device || key.inode != file.key.inode) continue;
    if (key.fingerprint_bytes > size)
      continue;  // Shorter than when seen: not it.
    std::string head(key.fingerprint_bytes, '\0');
    if (pread(file.fd, head.data(), head.size(), 0) !=
            static_cast<ssize_t>(head.size()) ||
        Fingerprint(head) != key.fingerprint) {
      continue;  // Same inode, other content: a reused inode.
    }
    return offset <= size ? offset : 0;
  }
  return options_.start_at_end && first_scan_ ? size : 0;
}

void LogWatcher::Track(const std::string& path,
                       absl::flat_hash_map<std::string, absl::Status>* status) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    (*status)[path] = ErrnoStatus(errno, "cannot find", path);
    return;
  }
  if (!S_ISREG(st.st_mode)) {
    (*status)[path] = absl::FailedPreconditionError(absl::StrCat(
        path, " is not a regular file (name a log file, not a directory)"));
    return;
  }
  for (auto& file : files_) {
    if (file->key.device == st.st_dev && file->key.inode == st.st_ino) {
      file->path = path;  // Renamed, still matching: same file, same offset.
      file->orphan = false;
      return;
    }
  }
  auto file = std::make_unique<File>();
  file->fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file->fd < 0) {
    (*status)[path] = ErrnoStatus(errno, "cannot open", path);
    return;
  }
  file->path = path;
  file->key.device = st.st_dev;
  file->key.inode = st.st_ino;
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (!Rekey(*file, size)) {
    (*status)[path] = ErrnoStatus(errno, "cannot read", path);
    return;
  }
  file->offset = ResumeOffset(*file, size);
  file->splitter = LineSplitter(options_.max_line_bytes, file->offset);
  files_.push_back(std::move(file));
}

void LogWatcher::Scan(absl::Time now,
                      absl::flat_hash_map<std::string, absl::Status>* status) {
  last_scan_ = now;
  for (auto& file : files_) file->orphan = true;
  for (const std::string& pattern : options_.paths) {
    if (!IsGlob(pattern)) {
      Track(pattern, status);
      continue;
    }
    glob_t matches;
    const int rc = glob(pattern.c_str(), GLOB_NOSORT, nullptr, &matches);
    if (rc == 0) {
      for (size_t i = 0; i < matches.gl_pathc; ++i)
        Track(matches.gl_pathv[i], status);
    } else if (rc == GLOB_NOMATCH) {
      (*status)[pattern] = absl::NotFoundError(
          absl::StrCat("no file matches ", pattern,
                       " (check the pattern in the config; files are picked up "
                       "when they appear)"));
    } else {
      (*status)[pattern] = absl::InternalError(
          absl::StrCat("cannot list ", pattern,
                       " (check that the agent may read its directories)"));
    }
    globfree(&matches);
  }
  first_scan_ = false;
  // Rotated-away files first: their last lines come before the new file's.
  std::stable_partition(files_.begin(), files_.end(),
                        [](const auto& f) { return f->orphan; });
}

size_t LogWatcher::ReadFile(
    File& file, size_t budget, std::vector<TailedLine>* lines,
    absl::flat_hash_map<std::string, absl::Status>* status) {
  struct stat st;
  if (fstat(file.fd, &st) != 0) {
    (*status)[file.path] = ErrnoStatus(errno, "cannot stat", file.path);
    return 0;
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const FileKey before = file.key;
  bool restart = size < file.offset;  // Truncated in place (copytruncate).
  if (!restart && before.fingerprint_bytes > 0) {
    // Truncated and rewritten past our offset since the last poll?
    if (!Rekey(file, std::min<uint64_t>(size, before.fingerprint_bytes))) {
      (*status)[file.path] = ErrnoStatus(errno, "cannot read", file.path);
      return 0;
    }
    restart = file.key.fingerprint != before.fingerprint;
  }
  if (restart) {
    file.offset = 0;
    file.splitter = LineSplitter(options_.max_line_bytes, 0);
  }
  char buffer[64 * 1024];
  size_t total = 0;
  std::vector<Line> read;
  while (total < budget) {
    const size_t want = std::min(sizeof(buffer), budget - total);
    const ssize_t n =
        pread(file.fd, buffer, want, static_cast<off_t>(file.offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      (*status)[file.path] = ErrnoStatus(errno, "cannot read", file.path);
      break;
    }
    if (n == 0) break;
    file.offset += static_cast<uint64_t>(n);
    total += static_cast<size_t>(n);
    const uint64_t cut_before = file.splitter.truncated_lines();
    file.splitter.Feed(absl::string_view(buffer, static_cast<size_t>(n)),
                       &read);
    truncated_lines_ += file.splitter.truncated_lines() - cut_before;
  }
  // The fingerprint covers min(size, limit) bytes, so every offset below
  // is inside it while the file is short (see FileKey).
  if (file.key.fingerprint_bytes < options_.fingerprint_bytes || restart) {
    Rekey(file, std::max<uint64_t>(file.offset, size));
  }
  for (Line& line : read) {
    lines->push_back({file.key, file.path, std::move(line)});
  }
  return total;
}

void LogWatcher::Poll(absl::Time now, size_t max_bytes,
                      std::vector<TailedLine>* lines,
                      std::vector<PathStatus>* changes) {
  if (first_scan_ || now - last_scan_ >= options_.rescan_interval) {
    scan_status_.clear();
    Scan(now, &scan_status_);
  }
  absl::flat_hash_map<std::string, absl::Status> current = scan_status_;
  size_t used = 0;
  for (auto it = files_.begin(); it != files_.end();) {
    File& file = **it;
    const size_t budget = max_bytes > used ? max_bytes - used : 0;
    const size_t read =
        budget > 0 ? ReadFile(file, budget, lines, &current) : 0;
    used += read;
    // A file no path leads to is let go once it has nothing more to give.
    if (file.orphan && read == 0 && budget > 0) {
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [path, status] : current) {
    auto old = reported_.find(path);
    if (old == reported_.end() || old->second != status) {
      changes->push_back({path, status});
    }
  }
  for (const auto& [path, status] : reported_) {
    if (!current.contains(path)) changes->push_back({path, absl::OkStatus()});
  }
  reported_ = std::move(current);
}

}  // namespace natscope::ingest
