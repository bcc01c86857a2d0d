// Runs the store conformance suite, and PostgreSQL-specific tests, against
// a real cluster started with EmbeddedPostgres (one database per test).
#include "server/store/postgres_store.h"

#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/store/pg_test_env.h"
#include "server/store/migrations.h"
#include "server/store/store_conformance.h"

namespace natscope::server {
namespace {

PostgresEnvironment* const env = PgTestEnv();

std::unique_ptr<ServerStore> FreshStore() { return FreshPostgresStore(4); }

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
  return tx
      .exec_params1(
          "SELECT (SELECT count(*) FROM log_events WHERE agent_id = $1 AND "
          "site = (SELECT site FROM agents WHERE agent_id = $1)) + (SELECT "
          "count(*) FROM probe_reports WHERE agent_id = $1 AND site = "
          "(SELECT site FROM agents WHERE agent_id = $1))",
          agent_id)[0]
      .as<int64_t>();
}

NATSCOPE_INSTANTIATE_STORE_CONFORMANCE(
    Postgres, (StoreConformanceParams{"Postgres", &FreshStore,
                                      &SetSchemaVersion, &CountRecords}));

TEST(PostgresStoreTest, ConnectFailureIsOneLineNamingTheServerNotPassword) {
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Connect(
      "host=/nonexistent-natscope-dir port=5432 dbname=db user=u "
      "password=s3cret",
      2);
  ASSERT_FALSE(store.ok());
  const absl::Status& status = store.status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(
      absl::StrContains(status.message(), "cannot connect to PostgreSQL at "))
      << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "/nonexistent-natscope-dir"));
  EXPECT_FALSE(absl::StrContains(status.message(), "s3cret")) << status;
  EXPECT_EQ(status.message().find('\n'), absl::string_view::npos) << status;

  store = PostgresStore::Connect(
      "postgresql://u:s3cret@%2Fnonexistent-natscope-dir/db", 2);
  ASSERT_FALSE(store.ok());
  EXPECT_FALSE(absl::StrContains(store.status().message(), "s3cret"))
      << store.status();
}

TEST(PostgresStoreTest, MalformedConninfoIsInvalidArgument) {
  EXPECT_EQ(PostgresStore::Connect("host='unterminated", 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PostgresStore::Connect(env->NewDatabase(), 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PostgresStoreTest, BrokenConnectionsAreReplacedOnNextUse) {
  std::unique_ptr<ServerStore> store = FreshStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Migrate().ok());
  ASSERT_TRUE(store->ProbeHistory("a", 1).ok());
  {
    pqxx::connection admin(env->pg()->ConnectionUri());
    pqxx::nontransaction tx(admin);
    const pqxx::result killed = tx.exec_params(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = $1 AND pid <> pg_backend_pid()",
        env->last_database());
    ASSERT_GE(killed.size(), 1u);
  }
  const auto history = store->ProbeHistory("a", 1);
  EXPECT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(store->AgentByCredentialHash("x").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(PostgresStoreTest, DuplicateCredentialHashIsAlreadyExists) {
  std::unique_ptr<ServerStore> store = FreshStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Migrate().ok());
  natscope::v1::AgentIdentity a, b;
  a.set_agent_id("a");
  b.set_agent_id("b");
  ASSERT_TRUE(store->EnrollAgent(a, "same", "", "").ok());
  EXPECT_EQ(store->EnrollAgent(b, "same", "", "").code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(PostgresStoreTest, FailedMigrationIsInternalWithSqlstate) {
  std::unique_ptr<ServerStore> store = FreshStore();
  ASSERT_NE(store, nullptr);
  {
    pqxx::connection conn(env->last_conninfo());
    pqxx::work tx(conn);
    tx.exec0("CREATE TABLE agents (unrelated int)");
    tx.commit();
  }
  const absl::Status status = store->Migrate();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StrContains(status.message(), "0001_init.sql")) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "SQLSTATE 42P07")) << status;
  EXPECT_EQ(status.message().find('\n'), absl::string_view::npos) << status;
}

// A database at schema 2 holding data upgrades to 3 with nothing lost: the
// events move into daily partitions and take their agent's site.
TEST(PostgresStoreTest, UpgradeFromSchema2KeepsEveryRow) {
  std::unique_ptr<ServerStore> store = FreshStore();
  ASSERT_NE(store, nullptr);
  {
    pqxx::connection conn(env->last_conninfo());
    pqxx::work tx(conn);
    tx.exec("CREATE TABLE schema_migrations (version integer PRIMARY KEY, "
            "applied_at timestamptz NOT NULL)");
    for (const Migration& migration : AllMigrations()) {
      if (migration.version > 2) break;
      tx.exec(migration.sql);
      tx.exec_params("INSERT INTO schema_migrations VALUES ($1, now())",
                     migration.version);
    }
    tx.exec("INSERT INTO agents (agent_id, site, role, hostname, version, "
            "credential_hash) VALUES ('a1', 'paris', 1, 'h', 'v', 'x')");
    tx.exec("INSERT INTO ingest_ledger VALUES ('a1', 1, 1, 2, "
            "'2024-05-01 10:00+00'), ('a1', 1, 2, 1, '2024-05-03 10:00+00')");
    tx.exec("INSERT INTO log_events (agent_id, epoch, sequence, event_time, "
            "source_file, severity, component, kind, fields, raw_line, "
            "received_at) VALUES ('a1', 1, 1, now(), 'f', 1, 'c', 'k', '{}', "
            "'l', '2024-05-01 10:00+00'), ('a1', 1, 2, now(), 'f', 1, 'c', "
            "'k', '{}', 'l', '2024-05-03 10:00+00')");
    tx.exec("INSERT INTO probe_reports (agent_id, epoch, sequence, "
            "probe_time, mapping, filtering, udp_reachable, public_address, "
            "report, received_at) VALUES ('a1', 1, 1, now(), 2, 2, true, "
            "'a', '', '2024-05-01 10:00+00')");
    tx.exec("INSERT INTO agent_state (agent_id, last_seen) VALUES ('a1', now())");
    tx.commit();
  }
  const absl::Status migrated = store->Migrate();
  ASSERT_TRUE(migrated.ok()) << migrated;
  EXPECT_EQ(CountRecords("a1"), 3);
  pqxx::connection conn(env->last_conninfo());
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM ingest_ledger WHERE site = 'paris'")[0]
                .as<int>(),
            2);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM log_events_p20240503 WHERE site = "
                     "'paris'")[0]
                .as<int>(),
            1);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM probe_reports_p20240501")[0].as<int>(), 1);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM site_dirty")[0].as<int>(), 1);
  // A batch the ledger already holds is still a duplicate.
  natscope::v1::AgentIdentity agent;
  agent.set_agent_id("a1");
  agent.set_site("paris");
  natscope::v1::IngestRequest batch;
  batch.set_epoch(1);
  batch.set_sequence(2);
  batch.add_records()->mutable_log()->set_kind("k");
  auto result = store->Ingest(agent, batch, absl::Now());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->duplicate);
}

// Retention drops whole partitions (no row-by-row DELETE).
TEST(PostgresStoreTest, RetentionDropsDailyPartitions) {
  std::unique_ptr<ServerStore> store = FreshStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Migrate().ok());
  const absl::Time day = absl::FromCivil(absl::CivilDay(2024, 5, 1), absl::UTCTimeZone());
  ASSERT_TRUE(store->EnsurePartitions(day, day + absl::Hours(24 * 3)).ok());
  auto partitions = [] {
    pqxx::connection conn(env->last_conninfo());
    pqxx::read_transaction tx(conn);
    return tx.exec1("SELECT count(*) FROM pg_inherits i JOIN pg_class p ON "
                    "p.oid = i.inhparent WHERE p.relname IN ('log_events', "
                    "'probe_reports')")[0]
        .as<int>();
  };
  EXPECT_EQ(partitions(), 8);
  {
    // Partitions are attached (not created PARTITION OF) and still get the
    // parent's primary key and index.
    pqxx::connection conn(env->last_conninfo());
    pqxx::read_transaction tx(conn);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_indexes WHERE tablename = "
                       "'log_events_p20240501'")[0]
                  .as<int>(),
              2);
  }
  // Cut off mid-way through 3 May: 1 and 2 May go, 3 and 4 May stay.
  auto dropped = store->ApplyRetention(day + absl::Hours(60), day);
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(dropped->partitions_dropped, 4);
  EXPECT_EQ(partitions(), 4);
}

}  // namespace
}  // namespace natscope::server
