// Places natscope's tables on a Citus cluster (docs/scaling.md): the
// registry and admin tables as reference tables, everything that grows
// with the fleet distributed by `site` and co-located with ingest_ledger,
// a few small tables left on the coordinator. Internal to //server/store;
// PostgresStore::Migrate calls it after the migrations commit.
#ifndef NATSCOPE_SERVER_STORE_PG_DISTRIBUTE_H_
#define NATSCOPE_SERVER_STORE_PG_DISTRIBUTE_H_

#include <pqxx/connection>

#include "absl/status/status.h"

namespace natscope::server {

// On a database without the `citus` extension: one catalog query, nothing
// else. On a Citus worker, or where Citus is installed but no cluster is
// set up (no coordinator in its metadata): nothing but a log line.
// On the coordinator: in one transaction, under an advisory lock (servers
// that start together wait for each other), makes each table of the
// layout not placed yet a reference or distributed table, frees the
// coordinator's copies of the rows they held, and logs what it placed.
// Tables are those of the connection's search_path. Idempotent. The shard
// count is Citus's (citus.shard_count, settable per connection).
// Errors: an SQL error as StatusFromCurrentException maps it, naming the
// placement; Internal when a table of the layout is missing (migrations
// not applied). A lost connection throws (PgConnectionPool::Run maps it).
absl::Status DistributeOnCitus(pqxx::connection& conn);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_PG_DISTRIBUTE_H_
