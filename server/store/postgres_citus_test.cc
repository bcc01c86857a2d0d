// Runs the store conformance suite against a Citus cluster (a coordinator
// and two workers, citus_test_env.h), one schema per test, with the tables
// placed by Migrate itself (pg_distribute.h); and checks that placement.
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "server/store/citus_test_env.h"
#include "server/store/migrations.h"
#include "server/store/postgres_store.h"
#include "server/store/store_conformance.h"

namespace natscope::server {
namespace {

CitusEnvironment* const env = CitusTestEnv();

std::unique_ptr<ServerStore> FreshStore() { return FreshCitusStore(4); }

absl::Status SetSchemaVersion(int version) {
  pqxx::connection conn(env->last_conninfo());
  pqxx::work tx(conn);
  tx.exec_params(
      "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())",
      version);
  tx.commit();
  return absl::OkStatus();
}

int64_t CountRecords(const std::string& agent_id) {
  pqxx::connection conn(env->last_conninfo());
  pqxx::read_transaction tx(conn);
  const pqxx::result site =
      tx.exec_params("SELECT site FROM agents WHERE agent_id = $1", agent_id);
  if (site.empty()) return 0;
  // With the site as a constant, each count is a single-shard query.
  return tx
      .exec_params1(
          "SELECT (SELECT count(*) FROM log_events WHERE agent_id = $1 AND "
          "site = $2) + (SELECT count(*) FROM probe_reports WHERE "
          "agent_id = $1 AND site = $2)",
          agent_id, site[0][0].as<std::string>())[0]
      .as<int64_t>();
}

NATSCOPE_INSTANTIATE_STORE_CONFORMANCE(Citus,
                                       (StoreConformanceParams{
                                           "Citus", &FreshStore,
                                           &SetSchemaVersion, &CountRecords}));

// "table:placement" for every table of the schema, placement one of
// reference, site (hash-distributed by site), local (not in Citus's
// metadata) or other; partitions left out.
std::string Layout(const std::string& conninfo) {
  pqxx::connection conn(conninfo);
  pqxx::read_transaction tx(conn);
  const pqxx::result rows = tx.exec(
      "SELECT c.relname || ':' || CASE "
      "WHEN p.partmethod = 'n' AND p.repmodel = 't' THEN 'reference' "
      "WHEN p.partmethod = 'h' AND column_to_column_name(p.logicalrelid, "
      "p.partkey) = 'site' THEN 'site' "
      "WHEN p.logicalrelid IS NULL THEN 'local' ELSE 'other' END "
      "FROM pg_class c LEFT JOIN pg_dist_partition p ON p.logicalrelid = c.oid "
      "WHERE c.relnamespace = current_schema()::regnamespace "
      "AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1");
  std::vector<std::string> tables;
  for (const pqxx::row& row : rows) tables.push_back(row[0].as<std::string>());
  return absl::StrJoin(tables, " ");
}

constexpr char kLayout[] =
    "agent_activity:site agent_state:site agents:reference "
    "api_tokens:reference auth_generation:local enrollment_tokens:reference "
    "ingest_ledger:site intake_seen:local log_events:site "
    "probe_reports:site report_runs:reference report_schedules:reference "
    "schema_migrations:reference site_dirty:local site_finding_trend:site "
    "site_health:site site_trend:site";

TEST(PostgresCitusTest, MigratePlacesTablesAsDocsScalingSays) {
  std::unique_ptr<PostgresStore> store = FreshCitusStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Migrate().ok());
  EXPECT_EQ(Layout(env->last_conninfo()), kLayout);
  // Every distributed table is co-located with ingest_ledger.
  pqxx::connection conn(env->last_conninfo());
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(DISTINCT colocationid) FROM "
                     "pg_dist_partition WHERE partmethod = 'h' AND "
                     "logicalrelid IN (SELECT oid FROM pg_class WHERE "
                     "relnamespace = current_schema()::regnamespace)")[0]
                .as<int>(),
            1);
}

TEST(PostgresCitusTest, MigrateTwiceChangesNothing) {
  std::unique_ptr<PostgresStore> store = FreshCitusStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Migrate().ok());
  const absl::Status again = store->Migrate();
  EXPECT_TRUE(again.ok()) << again;
  EXPECT_EQ(Layout(env->last_conninfo()), kLayout);
}

// Servers that start together: the advisory locks make one migrate and
// place, the others wait and find nothing left to do.
TEST(PostgresCitusTest, ConcurrentMigratesAllSucceed) {
  std::unique_ptr<PostgresStore> first = FreshCitusStore();
  ASSERT_NE(first, nullptr);
  absl::StatusOr<std::unique_ptr<PostgresStore>> second =
      PostgresStore::Connect(env->last_conninfo(), 1);
  ASSERT_TRUE(second.ok()) << second.status();
  absl::Status first_status, second_status;
  std::thread other([&] { second_status = (*second)->Migrate(); });
  first_status = first->Migrate();
  other.join();
  EXPECT_TRUE(first_status.ok()) << first_status;
  EXPECT_TRUE(second_status.ok()) << second_status;
  EXPECT_EQ(Layout(env->last_conninfo()), kLayout);
}

// A database that had data before Citus: the schema made by the plain
// migrations (no Citus placement) with rows in it, then Migrate.
TEST(PostgresCitusTest, MigrateDistributesAPopulatedSchemaWithItsRows) {
  const std::string conninfo = env->NewSchema();
  {
    pqxx::connection conn(conninfo);
    pqxx::work tx(conn);
    tx.exec("SET LOCAL client_min_messages = warning");
    tx.exec(
        "CREATE TABLE schema_migrations (version integer PRIMARY KEY, "
        "applied_at timestamptz NOT NULL)");
    for (const Migration& migration : AllMigrations()) {
      tx.exec(migration.sql);
      tx.exec_params("INSERT INTO schema_migrations VALUES ($1, now())",
                     migration.version);
    }
    tx.exec(
        "INSERT INTO agents (agent_id, site, role, hostname, version) "
        "SELECT 'a' || g, 's' || g % 7, 1, 'h', '1' "
        "FROM generate_series(1, 100) g");
    tx.exec(
        "INSERT INTO ingest_ledger (agent_id, site, epoch, sequence, "
        "records, received_at) SELECT agent_id, site, 1, s, 0, now() "
        "FROM agents, generate_series(1, 3) s");
    tx.exec(
        "INSERT INTO agent_state (agent_id, site, last_seen) "
        "SELECT agent_id, site, now() FROM agents");
    tx.commit();
  }
  absl::StatusOr<std::unique_ptr<PostgresStore>> store =
      PostgresStore::Connect(conninfo, 2);
  ASSERT_TRUE(store.ok()) << store.status();
  const absl::Status migrated = (*store)->Migrate();
  ASSERT_TRUE(migrated.ok()) << migrated;
  EXPECT_EQ(Layout(conninfo), kLayout);
  pqxx::connection conn(conninfo);
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT (SELECT count(*) FROM agents) || ' ' || "
                     "(SELECT count(*) FROM ingest_ledger) || ' ' || "
                     "(SELECT count(*) FROM agent_state)")[0]
                .as<std::string>(),
            "100 300 100");
  // The coordinator's copies of the rows were freed.
  EXPECT_EQ(tx.exec1("SELECT pg_relation_size('agents') + "
                     "pg_relation_size('ingest_ledger') + "
                     "pg_relation_size('agent_state')")[0]
                .as<int64_t>(),
            0);
  const absl::StatusOr<std::vector<natscope::v1::AgentState>> agents =
      (*store)->ListAgents("s3", "", 100);
  ASSERT_TRUE(agents.ok()) << agents.status();
  EXPECT_EQ(agents->size(), 14u);
}

}  // namespace
}  // namespace natscope::server
