// The spool's only window on the file system, so tests can run the spool in
// memory and inject faults (see mem_spool_fs.h).
//
// Paths are plain strings ("dir/name"). Errors: NotFound for a missing
// file; ResourceExhausted whose message contains "disk full" when the
// device or quota is full (ENOSPC, EDQUOT); PermissionDenied; Internal for
// other I/O errors. Every message names the path. Implementations are
// thread-safe; a SpoolFile is used by one thread at a time.
#ifndef NATSCOPE_INGEST_SPOOL_SPOOL_FS_H_
#define NATSCOPE_INGEST_SPOOL_SPOOL_FS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natscope::ingest {

// A file open for appending. Append hands the bytes to the kernel (write(2))
// before returning, so they survive the process being killed; Sync makes
// them survive power loss. After a failed Append the file may hold a prefix
// of `data`.
class SpoolFile {
 public:
  virtual ~SpoolFile() = default;
  virtual absl::Status Append(absl::string_view data) = 0;
  virtual absl::Status Sync() = 0;
};

class SpoolFs {
 public:
  virtual ~SpoolFs() = default;

  // Creates `dir` (one level); OK when it already exists.
  virtual absl::Status CreateDir(const std::string& dir) = 0;
  // Names (not paths) of the entries of `dir`, in no particular order.
  virtual absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir) = 0;
  virtual absl::StatusOr<uint64_t> FileSize(const std::string& path) = 0;
  // Replaces `*out` with up to `n` bytes read at `offset`; fewer at the end
  // of the file, none past it.
  virtual absl::Status ReadAt(const std::string& path, uint64_t offset,
                              size_t n, std::string* out) = 0;
  // Opens `path` for appending, creating it (mode 0600) when missing.
  virtual absl::StatusOr<std::unique_ptr<SpoolFile>> OpenAppend(
      const std::string& path) = 0;
  virtual absl::Status Truncate(const std::string& path, uint64_t size) = 0;
  virtual absl::Status Remove(const std::string& path) = 0;
  // Atomically renames, replacing `to` when it exists.
  virtual absl::Status Rename(const std::string& from,
                              const std::string& to) = 0;
  // Makes creations, renames and removals in `dir` durable.
  virtual absl::Status SyncDir(const std::string& dir) = 0;
  // Bytes still free for an unprivileged writer on the file system of
  // `dir`. The default knows no limit.
  virtual absl::StatusOr<uint64_t> FreeBytes(const std::string& dir) {
    return UINT64_MAX;
  }
};

// The real file system (POSIX calls). Never destroyed; thread-safe.
SpoolFs* PosixSpoolFs();

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_SPOOL_SPOOL_FS_H_
