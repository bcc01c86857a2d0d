// An in-memory SpoolFs for tests, with fault injection: a disk that fills
// up, writes that fail, and power loss (everything not synced vanishes).
// Thread-safe.
#ifndef NATSCOPE_INGEST_SPOOL_MEM_SPOOL_FS_H_
#define NATSCOPE_INGEST_SPOOL_MEM_SPOOL_FS_H_

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "ingest/spool/spool_fs.h"

namespace natscope::ingest {

class MemSpoolFs final : public SpoolFs {
 public:
  // The file system --------------------------------------------------------
  absl::Status CreateDir(const std::string& dir) override;
  absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir) override;
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override;
  absl::Status ReadAt(const std::string& path, uint64_t offset, size_t n,
                      std::string* out) override;
  absl::StatusOr<std::unique_ptr<SpoolFile>> OpenAppend(
      const std::string& path) override;
  absl::Status Truncate(const std::string& path, uint64_t size) override;
  absl::Status Remove(const std::string& path) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status SyncDir(const std::string& dir) override;

  // Faults -----------------------------------------------------------------
  // The disk holds at most `bytes` in all files together; an append that
  // does not fit writes what fits, then fails with ResourceExhausted
  // "disk full" (like write(2) with ENOSPC).
  void SetCapacity(uint64_t bytes);
  // Every later Append fails with `status` (OK to stop), writing nothing.
  void FailAppends(absl::Status status);
  // Power loss: every file loses what was appended since its last Sync.
  void DropUnsynced();
  // Power loss in the middle of writes: every file keeps its synced bytes
  // plus `keep(unsynced_bytes)` of the rest (a value in [0, unsynced]).
  void LoseUnsyncedTail(const std::function<size_t(size_t)>& keep);

  // Inspection for tests ---------------------------------------------------
  // Paths of all files, sorted.
  std::vector<std::string> Files() const;
  // The bytes of `path` ("" when missing).
  std::string Contents(const std::string& path) const;
  // Replaces the bytes of `path` (creating it), as if already synced.
  void SetContents(const std::string& path, std::string contents);
  uint64_t syncs() const;

 private:
  friend class MemSpoolFile;
  struct File {
    std::string data;
    size_t synced = 0;
  };
  absl::Status AppendTo(const std::string& path, absl::string_view data);
  absl::Status SyncFile(const std::string& path);
  uint64_t UsedLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, File> files_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> dirs_ ABSL_GUARDED_BY(mu_);
  uint64_t capacity_ ABSL_GUARDED_BY(mu_) = ~uint64_t{0};
  absl::Status append_failure_ ABSL_GUARDED_BY(mu_);
  uint64_t syncs_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_SPOOL_MEM_SPOOL_FS_H_
