// Reading files that hold secrets (agent credentials, enrollment tokens,
// API tokens): only when the file is a regular file (not a symlink) that
// its reader owns and nobody else may read or write.
//
// Stateless functions; thread-safe.
#ifndef NATSCOPE_COMMON_SECRET_FILE_H_
#define NATSCOPE_COMMON_SECRET_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natscope {

// The contents of `path` (at most 64 KiB), after checking on the open
// descriptor (so a chmod or a swapped file in between cannot fool it) that
// it is a regular file, owned by this process's effective user, with no
// group or other permissions. `what` names the secret in messages ("the
// enrollment token"). Errors name the path and say what to do:
// NotFound (no such file), PermissionDenied (a symlink, not a regular file,
// another owner, open to group or others, or unreadable),
// ResourceExhausted (over 64 KiB).
absl::StatusOr<std::string> ReadSecretFile(const std::string& path,
                                           absl::string_view what);

// The first line of ReadSecretFile, without surrounding whitespace;
// InvalidArgument when it is empty.
absl::StatusOr<std::string> ReadSecretLine(const std::string& path,
                                           absl::string_view what);

}  // namespace natscope

#endif  // NATSCOPE_COMMON_SECRET_FILE_H_
