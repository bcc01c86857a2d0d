// Durable, atomic replacement of small state files (credential, status).
//
// Readers see either the old or the new contents, never a mix, even after
// a crash or power loss: the new contents go to a temporary file beside
// the target, created with its final mode, fsynced, renamed over the
// target, and the directory is fsynced. Thread-compatible: concurrent
// writers of one path must be serialised by the caller.
#ifndef NATSCOPE_INGEST_STATE_ATOMIC_FILE_H_
#define NATSCOPE_INGEST_STATE_ATOMIC_FILE_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natscope::ingest {

// Replaces `path` with `contents`; the file has exactly `mode` (umask does
// not apply) from the moment it exists. NotFound when the directory does
// not exist, PermissionDenied when it is not writable, Unavailable for
// other I/O errors (ENOSPC included); every message names the path.
absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view contents, mode_t mode);

// Creates `dir` and missing parents with `mode`. An existing directory is
// left as it is. Errors as for WriteFileAtomically.
absl::Status MakeDirectories(const std::string& dir, mode_t mode);

// The whole of `path`. NotFound, PermissionDenied or Unavailable, naming
// the path.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

// Maps errno after an operation `what` on `path` to a Status naming both.
absl::Status ErrnoStatus(int error, absl::string_view what,
                         const std::string& path);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_STATE_ATOMIC_FILE_H_
