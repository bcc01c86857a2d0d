// Finds the PostgreSQL server binaries (initdb, postgres) on this host.
// Internal to //server/embedded_postgres. Thread-safe.
#ifndef NATSCOPE_SERVER_EMBEDDED_POSTGRES_POSTGRES_BINARIES_H_
#define NATSCOPE_SERVER_EMBEDDED_POSTGRES_POSTGRES_BINARIES_H_

#include <string>

#include "absl/status/statusor.h"

namespace natscope::server {

// Returns the directory holding executable `initdb` and `postgres`.
// `bin_dir` non-empty: that directory, checked. Empty: the first of
// `pg_config --bindir`, the highest-versioned /usr/lib/postgresql/*/bin, and
// the directory of `initdb` on PATH that holds both programs.
// FailedPrecondition, with a one-line message saying what to do, when none.
absl::StatusOr<std::string> FindPostgresBinDir(const std::string& bin_dir);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_EMBEDDED_POSTGRES_POSTGRES_BINARIES_H_
