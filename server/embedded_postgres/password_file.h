// The embedded cluster's superuser password and the file that keeps it.
//
// The file is a libpq password file (one line "*:*:*:USER:PASSWORD", see
// libpq's "The Password File"), so connections name it (conninfo
// `passfile=`) instead of carrying the password: a conninfo string that
// ends up in a log or an error message leaks nothing.
//
// The file is private to natscope-server's OS user: mode 0600, owned by the
// effective uid. It lives beside the data directory, not in it, so that the
// OS user PostgreSQL runs as when natscope-server is root (who owns the data
// directory) can neither read nor replace it, and base backups of the
// cluster do not carry it.
//
// Internal to //server/embedded_postgres. Thread-compatible.
#ifndef NATSCOPE_SERVER_EMBEDDED_POSTGRES_PASSWORD_FILE_H_
#define NATSCOPE_SERVER_EMBEDDED_POSTGRES_PASSWORD_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace natscope::server {

// "<data_dir>.password" (trailing slashes of `data_dir` ignored), e.g.
// /var/lib/natscope/postgres.password for /var/lib/natscope/postgres.
std::string PasswordFilePath(const std::string& data_dir);

// A new random password: 32 bytes from OpenSSL's RAND_bytes, as 64 hex
// digits. Internal when the generator fails.
absl::StatusOr<std::string> GeneratePassword();

// Reads the password of `user` from the password file `path`, after
// checking the file. Errors, each one line saying what to run:
//   NotFound            no such file;
//   FailedPrecondition  not a regular file (or a symbolic link), owned by
//                       another uid, open to group or others (any of mode
//                       077), unreadable, or without a line for `user`.
absl::StatusOr<std::string> ReadPasswordFile(const std::string& path,
                                             const std::string& user);

// Writes `password` for `user` to `path` atomically (temporary file, fsync,
// rename), mode 0600, replacing any file there. FailedPrecondition, saying
// what to do, when the file cannot be written.
absl::Status WritePasswordFile(const std::string& path, const std::string& user,
                               const std::string& password);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_EMBEDDED_POSTGRES_PASSWORD_FILE_H_
