// natscope-server's database: --postgres, else an embedded PostgreSQL
// cluster of its own in --data_dir.
#ifndef NATSCOPE_SERVER_STORAGE_H_
#define NATSCOPE_SERVER_STORAGE_H_

#include <memory>

#include "absl/status/status.h"
#include "server/embedded_postgres/embedded_postgres.h"
#include "server/server_flags.h"
#include "server/store/postgres_store.h"

namespace natscope::server {

// Destroyed in reverse order: the store's connections close before the
// cluster stops.
struct Storage {
  std::unique_ptr<EmbeddedPostgres> postgres;  // Null with --postgres.
  std::unique_ptr<PostgresStore> store;
};

// Starts the embedded cluster when there is no --postgres, connects and
// migrates the schema. What was started stays in `*storage` on failure too,
// for the caller to stop (CloseStorage) after logging the error.
absl::Status OpenStorage(const ServerFlags& flags, Storage* storage);

// Stops the store's connections, then the embedded cluster if any.
void CloseStorage(Storage& storage);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORAGE_H_
