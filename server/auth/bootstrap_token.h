// The first admin token: natscope-server --admin_token_file=FILE.
//
// When FILE exists it holds the token (surrounding whitespace ignored; at
// least 32 characters) and, checked on every start, must be a regular file
// (not a symlink) owned by the server's user with no group or other
// permissions (common/secret_file.h); when it does not, a random token is
// written to it, created with mode 0600 (never overwriting a file that
// appears meanwhile).
// Either way the token is registered in the Store as an admin API token
// named "bootstrap (FILE)" unless its hash is there already. Restarting is
// therefore harmless; to replace the token, revoke it (natscope tokens api
// revoke ID) and delete FILE.
#ifndef NATSCOPE_SERVER_AUTH_BOOTSTRAP_TOKEN_H_
#define NATSCOPE_SERVER_AUTH_BOOTSTRAP_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/store/token_store.h"

namespace natscope::server::auth {

struct BootstrapResult {
  std::string token_id;
  // True when FILE was created now (the caller prints where, once).
  bool created_file = false;
};

// FailedPrecondition when the token in FILE is too short or was revoked
// (the message says what to do); PermissionDenied when FILE is a symlink,
// not a regular file, another user's, open to group or others, or
// unreadable (the one-line message gives the chmod or chown to run);
// ResourceExhausted when it is over 64 KiB; Unavailable when it cannot be
// created or written; the Store's errors otherwise.
absl::StatusOr<BootstrapResult> EnsureBootstrapAdminToken(
    TokenStore& store, const std::string& path, absl::Time now);

}  // namespace natscope::server::auth

#endif  // NATSCOPE_SERVER_AUTH_BOOTSTRAP_TOKEN_H_
