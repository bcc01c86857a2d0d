// Follows several log files and glob(3) patterns: new files are picked up,
// rename rotation and copytruncate are followed, inode reuse is caught, and
// reading resumes where the spool's checkpoints say.
//
// A file is known by its FileKey (device, inode, fingerprint of its first
// bytes), not its path: a rotated file that still matches a pattern
// ("app.log.1" under "app.log*") is not read twice, and one that left the
// patterns is drained to its end before it is let go. A file that shrank
// below the read offset, or whose first bytes changed (truncated and
// rewritten past the offset between two polls), is read again from 0.
// Partial last lines wait for their newline; over-long lines are cut,
// flagged and counted (LineSplitter). Any bytes are fine.
// Not thread-safe.
#ifndef NATSCOPE_INGEST_TAIL_LOG_WATCHER_H_
#define NATSCOPE_INGEST_TAIL_LOG_WATCHER_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ingest/tail/file_key.h"
#include "ingest/tail/line_splitter.h"

namespace natscope::ingest {

struct WatchOptions {
  // Files or glob(3) patterns ("/var/log/twingate/*.log").
  std::vector<std::string> paths;
  size_t max_line_bytes = 64 * 1024;
  // How many leading bytes identify a file (see FileKey).
  uint32_t fingerprint_bytes = 256;
  // Globs and paths are re-evaluated at most this often.
  absl::Duration rescan_interval = absl::Seconds(1);
  // Files found by the first scan without a resume entry start at their
  // end (only new lines) instead of their start. Files appearing later are
  // always read whole.
  bool start_at_end = false;
};

// One complete line and where it came from.
struct TailedLine {
  FileKey key;
  std::string path;
  // `line.end_offset` is where to resume this file after this line.
  Line line;
};

// A change in the state of one configured path, pattern or matched file.
// OK means it recovered.
struct PathStatus {
  std::string path;
  absl::Status status;
};

class LogWatcher {
 public:
  // `resume`: for each file identity, the offset to resume at (the
  // spool's acknowledged checkpoints).
  LogWatcher(WatchOptions options,
             std::vector<std::pair<FileKey, uint64_t>> resume);
  ~LogWatcher();
  LogWatcher(const LogWatcher&) = delete;
  LogWatcher& operator=(const LogWatcher&) = delete;

  // Reads up to about `max_bytes` of new data from all files (files that
  // left the patterns first, so a rotated file is finished before its
  // successor) and appends the complete lines to `*lines`. Appends to
  // `*changes` a status per path whose state changed since it was last
  // reported: NotFound (missing file, glob matching nothing),
  // PermissionDenied, FailedPrecondition (not a regular file), Internal
  // (read error), each naming the path and what to fix; OK when it
  // recovers. Other files keep flowing whatever one path does.
  void Poll(absl::Time now, size_t max_bytes, std::vector<TailedLine>* lines,
            std::vector<PathStatus>* changes);

  // Lines cut at max_line_bytes so far, over all files.
  uint64_t truncated_lines() const { return truncated_lines_; }
  // Files currently open.
  size_t open_files() const { return files_.size(); }

  // One open file and how far it has been read, for status reports.
  struct WatchedFile {
    std::string path;
    FileKey key;
    uint64_t read_offset = 0;
  };
  std::vector<WatchedFile> Files() const;

 private:
  struct File;

  void Scan(absl::Time now,
            absl::flat_hash_map<std::string, absl::Status>* status);
  void Track(const std::string& path,
             absl::flat_hash_map<std::string, absl::Status>* status);
  uint64_t ResumeOffset(const File& file, uint64_t size) const;
  // Re-derives `file`'s key from its first bytes; false on a read error.
  bool Rekey(File& file, uint64_t size);
  size_t ReadFile(File& file, size_t budget, std::vector<TailedLine>* lines,
                  absl::flat_hash_map<std::string, absl::Status>* status);

  WatchOptions options_;
  std::vector<std::pair<FileKey, uint64_t>> resume_;
  std::vector<std::unique_ptr<File>> files_;
  absl::flat_hash_map<std::string, absl::Status> reported_;
  absl::flat_hash_map<std::string, absl::Status> scan_status_;
  absl::Time last_scan_ = absl::InfinitePast();
  bool first_scan_ = true;
  uint64_t truncated_lines_ = 0;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_TAIL_LOG_WATCHER_H_
