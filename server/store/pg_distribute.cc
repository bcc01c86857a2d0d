// The Citus layout of docs/scaling.md, applied by the server itself.
#include "server/store/pg_distribute.h"

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "server/store/pg_connection_pool.h"

namespace natscope::server {
namespace {

// Serialises placement between servers that start together (one more
// than the partition lock of pg_partitions.cc).
constexpr char kDistributeLock[] = "7953766774541184819";

enum class Placement { kReference, kBySite };

struct TablePlacement {
  const char* table;
  Placement placement;
};

// In dependency order: the reference table `agents` before the distributed
// tables whose foreign keys point at it, ingest_ledger (what the others are
// co-located with) first of the distributed ones, site_trend before
// site_finding_trend. The partitions of log_events and probe_reports follow
// their parent, now and when created later.
//
// Not listed, so plain tables on the coordinator:
//  - site_dirty: the refresher claims sites with FOR UPDATE SKIP LOCKED and
//    a LIMIT, which Citus refuses on a distributed table
//    (citusdata/citus#4647); at most one row a site.
//  - auth_generation: a single row.
//  - intake_seen: keyed by record digest, not site, and holds only the
//    intake's dedup window; small.
constexpr TablePlacement kLayout[] = {
    // The registry and the admin tables: small, read everywhere.
    {"agents", Placement::kReference},
    {"api_tokens", Placement::kReference},
    {"enrollment_tokens", Placement::kReference},
    {"report_schedules", Placement::kReference},
    {"report_runs", Placement::kReference},
    {"schema_migrations", Placement::kReference},
    // What grows with the fleet: by site, co-located.
    {"ingest_ledger", Placement::kBySite},
    {"agent_state", Placement::kBySite},
    {"log_events", Placement::kBySite},
    {"probe_reports", Placement::kBySite},
    {"agent_activity", Placement::kBySite},
    {"site_health", Placement::kBySite},
    {"site_trend", Placement::kBySite},
    {"site_finding_trend", Placement::kBySite},
};
constexpr char kColocationAnchor[] = "ingest_ledger";

// Whether this database is a Citus coordinator: the extension is installed
// (the one query a plain PostgreSQL pays) and the node is the coordinator
// in Citus's metadata: not a worker, and not a database where Citus is
// installed but no cluster was set up (citus_set_coordinator_host), which
// the log says.
bool IsCitusCoordinator(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  if (!tx.exec1("SELECT EXISTS (SELECT 1 FROM pg_extension "
                "WHERE extname = 'citus')")[0]
           .as<bool>()) {
    return false;
  }
  if (tx.exec1("SELECT citus_is_coordinator()")[0].as<bool>()) return true;
  LogEvent(LogLevel::kInfo,
           "the citus extension is installed but this database is not a "
           "Citus coordinator; tables left as they are (run "
           "citus_set_coordinator_host on the coordinator, then restart)");
  return false;
}

// The table's schema-qualified name in the search_path, or "" when absent.
std::string QualifiedName(pqxx::work& tx, const char* table) {
  const pqxx::row row = tx.exec_params1(
      "SELECT COALESCE((SELECT format('%I.%I', n.nspname, c.relname) "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.oid = to_regclass($1)), '')",
      std::string(table));
  return row[0].as<std::string>();
}

// Whether `name` already has `placement`. A table can be in pg_dist_partition
// in another form: a Citus local table (partmethod 'n', repmodel 's') is
// what Citus makes of a plain table with a foreign key to a reference
// table, and is distributed like a plain one.
bool AlreadyPlaced(pqxx::work& tx, const std::string& name,
                   Placement placement) {
  return tx
      .exec_params1(
          "SELECT EXISTS (SELECT 1 FROM pg_dist_partition "
          "WHERE logicalrelid = $1::regclass AND "
          "CASE WHEN $2 THEN partmethod = 'n' AND repmodel = 't' "
          "ELSE partmethod = 'h' END)",
          name, placement == Placement::kReference)[0]
      .as<bool>();
}

// Places each table of kLayout not placed yet; `reference` and `by_site`
// get the names of those it placed.
absl::Status PlaceTables(pqxx::work& tx, std::vector<std::string>* reference,
                         std::vector<std::string>* by_site) {
  std::string anchor;
  std::vector<std::string> placed;
  for (const TablePlacement& entry : kLayout) {
    const std::string name = QualifiedName(tx, entry.table);
    if (name.empty()) {
      return absl::InternalError(absl::StrCat(
          "cannot place table ", entry.table,
          " on Citus: it is not in the search_path; was the schema migrated?"));
    }
    if (entry.table == std::string(kColocationAnchor)) anchor = name;
    if (AlreadyPlaced(tx, name, entry.placement)) continue;
    if (entry.placement == Placement::kReference) {
      tx.exec_params("SELECT create_reference_table($1::regclass)", name);
      reference->push_back(entry.table);
      placed.push_back(name);
      continue;
    }
    if (name == anchor) {
      // A co-location group of natscope's own: Citus's default would join
      // any distributed table of the database with a text column of the
      // same shard count, and refuse when its collation is not "C".
      tx.exec_params(
          "SELECT create_distributed_table($1::regclass, 'site', "
          "colocate_with => 'none')",
          name);
    } else {
      tx.exec_params(
          "SELECT create_distributed_table($1::regclass, 'site', "
          "colocate_with => $2)",
          name, anchor);
    }
    by_site->push_back(entry.table);
    placed.push_back(name);
  }
  // Citus copies the rows of a table it places to the shards and leaves
  // them in the coordinator's table too, unread: free that space (a
  // database that had data before Citus).
  for (const std::string& name : placed) {
    tx.exec_params(
        "SELECT truncate_local_data_after_distributing_table($1::regclass)",
        name);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status DistributeOnCitus(pqxx::connection& conn) {
  if (!IsCitusCoordinator(conn)) return absl::OkStatus();
  std::vector<std::string> reference, by_site;
  try {
    pqxx::work tx(conn);
    tx.exec("SET LOCAL client_min_messages = warning");
    tx.exec(
        absl::StrCat("SELECT pg_advisory_xact_lock(", kDistributeLock, ")"));
    const absl::Status placed = PlaceTables(tx, &reference, &by_site);
    if (!placed.ok()) return placed;
    tx.commit();
  } catch (const pqxx::sql_error&) {
    return StatusFromCurrentException(
        "Migrate: placing the tables on Citus (docs/scaling.md) failed");
  }
  if (!reference.empty() || !by_site.empty()) {
    LogEvent(LogLevel::kInfo, "tables placed on Citus",
             {{"reference", absl::StrJoin(reference, ",")},
              {"by_site", absl::StrJoin(by_site, ",")}});
  }
  return absl::OkStatus();
}

}  // namespace natscope::server
