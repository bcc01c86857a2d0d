// A small pool of libpqxx connections, and the one place where libpqxx
// exceptions become absl::Status. Internal to //server/store.
#ifndef NATSCOPE_SERVER_STORE_PG_CONNECTION_POOL_H_
#define NATSCOPE_SERVER_STORE_PG_CONNECTION_POOL_H_

#include <functional>
#include <memory>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace natscope::server {

// Maps the exception being handled to a Status (call only from a catch
// block): broken_connection -> Unavailable, unique_violation ->
// AlreadyExists, serialization_failure and deadlock_detected -> Aborted,
// in_doubt_error -> Unknown, other sql_error -> Internal with the SQLSTATE.
// `operation` names what failed, e.g. "Ingest".
absl::Status StatusFromCurrentException(absl::string_view operation);

// `conninfo` (key=value or URI) as key=value pairs without the password,
// fit for messages.
std::string RedactConninfo(const std::string& conninfo);

// Thread-safe. A connection is used by one thread at a time: Run lends one
// to `fn` and takes it back afterwards. Connections are opened lazily, up
// to `size`; a broken one is discarded and replaced on the next use.
class PgConnectionPool {
 public:
  // Opens the first connection now so that a wrong conninfo shows at once.
  // Unavailable "cannot connect to PostgreSQL at <conninfo without
  // password>: <reason>: ..." when that fails; InvalidArgument when
  // `conninfo` does not parse or size < 1.
  static absl::StatusOr<std::unique_ptr<PgConnectionPool>> Create(
      const std::string& conninfo, int size);

  // Runs `fn` with a connection and returns its status; an exception `fn`
  // throws is mapped by StatusFromCurrentException. When a connection taken
  // from the idle list turns out broken (the server restarted or cut it),
  // the idle list is flushed and `fn` runs once more on a fresh connection:
  // `fn` must therefore be safe to re-run (a transaction that did not
  // commit). Unavailable when all connections stay busy for a minute.
  absl::Status Run(absl::string_view operation,
                   const std::function<absl::Status(pqxx::connection&)>& fn);

 private:
  PgConnectionPool(std::string conninfo, int size);

  // A connection, and whether it came from the idle list.
  struct Lease {
    std::unique_ptr<pqxx::connection> conn;
    bool reused = false;
  };
  absl::StatusOr<Lease> Acquire();
  void Release(std::unique_ptr<pqxx::connection> conn, bool broken);
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Open();

  const std::string conninfo_;
  const std::string redacted_;
  const int size_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // Idle plus lent out.
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_PG_CONNECTION_POOL_H_
