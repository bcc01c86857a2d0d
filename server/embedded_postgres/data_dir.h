// Checks and preparations of a PostgreSQL data directory, done before any
// process is started so that mistakes are reported at once.
// Internal to //server/embedded_postgres. Thread-compatible.
#ifndef NATSCOPE_SERVER_EMBEDDED_POSTGRES_DATA_DIR_H_
#define NATSCOPE_SERVER_EMBEDDED_POSTGRES_DATA_DIR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/embedded_postgres/subprocess.h"

namespace natscope::server {

// `path` made absolute against the working directory.
std::string MakeAbsolute(const std::string& path);

// Creates `dir` and its parents when missing and checks that this process
// can write there. FailedPrecondition "data directory ... is not writable
// by natscope-server ..." otherwise.
absl::Status PrepareDataDir(const std::string& dir);

// True when `dir` holds a cluster (PG_VERSION exists).
bool HasCluster(const std::string& dir);

// FailedPrecondition unless `dir` is empty (initdb needs an empty one).
absl::Status CheckEmptyForInitdb(const std::string& dir);

// Gives `dir` (recursively when it holds a cluster owned by someone else)
// to `user` and checks that `user` can reach and write it; when we run as
// root a data directory below e.g. /root (mode 0700) is out of its reach.
absl::Status HandOverDataDir(const std::string& dir, const RunAs& user);

// Replaces the existing file `path` of a cluster with `content` atomically
// (temporary file beside it, fsync, rename), keeping its owner and mode, so
// that it stays PostgreSQL's when we are root. FailedPrecondition, saying
// what to fix, when it cannot.
absl::Status ReplaceClusterFile(const std::string& path,
                                const std::string& content);

// Deals with a postmaster.pid naming a live postgres: one left by an earlier
// natscope-server (its socket is under /tmp/natscope-pg-) is stopped with
// SIGINT, waiting up to `timeout`; any other is FailedPrecondition. A stale
// file is left for PostgreSQL, which handles it itself.
absl::Status StopLeftoverPostmaster(const std::string& dir,
                                    absl::Duration timeout);

// The prefix of the socket directories EmbeddedPostgres creates.
inline constexpr char kSocketDirPrefix[] = "/tmp/natscope-pg-";

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_EMBEDDED_POSTGRES_DATA_DIR_H_
