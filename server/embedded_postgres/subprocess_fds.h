// Descriptor and pipe helpers of subprocess.cc: closing and moving
// descriptors in a forked child, and the pipes that feed a child's stdin
// and collect its output.
//
// Internal to the subprocess library (subprocess_internal); use
// subprocess.h. Functions marked async-signal-safe may run between fork and
// exec in a multithreaded process; the others may not. All are thread-safe.
#ifndef NATSCOPE_SERVER_EMBEDDED_POSTGRES_SUBPROCESS_FDS_H_
#define NATSCOPE_SERVER_EMBEDDED_POSTGRES_SUBPROCESS_FDS_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/embedded_postgres/subprocess.h"

namespace natscope::server::subprocess_internal {

// Upper bound for CloseFdsFrom's close() loop: RLIMIT_NOFILE, at most 2^20
// (65536 when unlimited or unknown). Call before fork.
int MaxFd();

// Closes every descriptor >= `first`: close_range(2), or else each one
// below `max_fd`. Async-signal-safe.
void CloseFdsFrom(int first, int max_fd);

// Makes `fd` available as `target` (close-on-exec); `fd` stays open.
// False when dup3 fails. Async-signal-safe.
bool MoveFd(int fd, int target);

// Moves `fd` above the standard descriptors so dup2 onto 0-2 cannot clobber
// it: a close-on-exec duplicate >= 3 when `fd` is 0, 1 or 2 (-1 when that
// fails), else `fd` itself. Async-signal-safe.
int AboveStdio(int fd);

// Reads up to `len` bytes into `buf`, retrying after EINTR, until `len`
// bytes, end-of-file or an error. Returns how many bytes were read.
// Async-signal-safe.
int ReadFull(int fd, void* buf, size_t len);

// The read end (close-on-exec, owned by the caller) of a pipe that holds
// `input` and then end-of-file, for a child's stdin. Given to `owner` (uid
// and gid) when not null. InvalidArgument when `input` is longer than
// kMaxInput (it must fit the pipe's buffer); Internal with errno's text
// when pipe, fchown or write fails, with both ends closed.
absl::StatusOr<int> PipeHolding(absl::string_view input, const RunAs* owner);

// Everything readable from `fd` until end-of-file, an error or `deadline`,
// whichever comes first. Does not close `fd`.
std::string ReadUntilEof(int fd, absl::Time deadline);

}  // namespace natscope::server::subprocess_internal

#endif  // NATSCOPE_SERVER_EMBEDDED_POSTGRES_SUBPROCESS_FDS_H_
