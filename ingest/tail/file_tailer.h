// Follows one log file as it grows, is truncated in place (copytruncate)
// or replaced (rename rotation).
//
// The file is known by device and inode. When the path names a new file,
// the old one is read to its end first, then the new one from its start;
// when the file shrinks below the read offset, reading restarts at 0.
// Not thread-safe.
#ifndef NATSCOPE_INGEST_TAIL_FILE_TAILER_H_
#define NATSCOPE_INGEST_TAIL_FILE_TAILER_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ingest/tail/line_splitter.h"

namespace natscope::ingest {

class FileTailer {
 public:
  // Reading starts at the file's beginning when `from_start`, else at its
  // current end.
  FileTailer(std::string path, bool from_start, size_t max_line_bytes);
  ~FileTailer();
  FileTailer(const FileTailer&) = delete;
  FileTailer& operator=(const FileTailer&) = delete;

  // Appends complete lines written since the last call to `*out`, reading
  // at most `max_bytes`. A missing file is not an error (it may appear
  // later); NotFound is returned only to report it, with no lines.
  // PermissionDenied/Internal when the file cannot be read.
  absl::Status Poll(size_t max_bytes, std::vector<Line>* out);

  const std::string& path() const { return path_; }
  uint64_t truncated_lines() const { return splitter_.truncated_lines(); }

 private:
  absl::Status Open();
  // Reads up to `max_bytes` from the open file into `*out`; returns bytes
  // read (0 at end of file).
  size_t ReadSome(size_t max_bytes, std::vector<Line>* out, absl::Status* error);

  std::string path_;
  bool from_start_;
  size_t max_line_bytes_;
  int fd_ = -1;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  uint64_t offset_ = 0;
  LineSplitter splitter_;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_TAIL_FILE_TAILER_H_
