// Runs the Store conformance suite, and PostgreSQL-specific tests, against
// a real cluster started with EmbeddedPostgres (one database per test).
#include "server/store/postgres_store.h"

#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/embedded_postgres/embedded_postgres.h"
#include "server/embedded_postgres/test_scratch_dir.h"
#include "server/store/store_conformance.h"

namespace natscope::server {
namespace {

// One cluster for the whole test binary, removed at the end.
class PostgresEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    scratch_ = std::make_unique<TestScratchDir>();
    EmbeddedPostgres::Options options;
    options.data_dir = scratch_->path() + "/pgdata";
    options.settings = {{"fsync", "off"}, {"max_connections", "200"}};
    absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> pg =
        EmbeddedPostgres::Start(options);
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = *std::move(pg);
  }
  void TearDown() override {
    if (pg_ != nullptr) {
      EXPECT_TRUE(pg_->Stop().ok());
    }
    pg_.reset();
    scratch_.reset();
  }

  // Creates an empty database and returns its conninfo.
  std::string NewDatabase() {
    const std::string name = absl::StrCat("t_", ++databases_);
    pqxx::connection admin(pg_->ConnectionUri());
    pqxx::nontransaction tx(admin);
    tx.exec("CREATE DATABASE " + name);
    last_database_ = name;
    return pg_->ConnectionUri(name);
  }
  // The database NewDatabase made last.
  const std::string& last_database() const { return last_database_; }
  std::string last_conninfo() const {
    return pg_->ConnectionUri(last_database_);
  }
  EmbeddedPostgres* pg() const { return pg_.get(); }

 private:
  std::unique_ptr<TestScratchDir> scratch_;
  std::unique_ptr<EmbeddedPostgres> pg_;
  int databases_ = 0;
  std::string last_database_;
};

PostgresEnvironment* const env = static_cast<PostgresEnvironment*>(
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment));

std::unique_ptr<Store> FreshStore() {
  if (env->pg() == nullptr) return nullptr;
  absl::StatusOr<std::unique_ptr<Store>> store =
      PostgresStore::Connect(env->NewDatabase(), 4);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

absl::Status SetSchemaVersion(int version) {
  pqxx::connection conn(env->last_conninfo());
  pqxx::work tx(conn);
  tx.exec_params(
      "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())",
      version);
  tx.commit();
  return absl::OkStatus();
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest,
                         ::testing::Values(StoreConformanceParams{
                             "Postgres", &FreshStore, &SetSchemaVersion}),
                         StoreConformanceTestName);

TEST(PostgresStoreTest, ConnectFailureIsOneLineNamingTheServerNotPassword) {
  absl::StatusOr<std::unique_ptr<Store>> store = PostgresStore::Connect(
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
  std::unique_ptr<Store> store = FreshStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Migrate().ok());
  ASSERT_TRUE(store->CountRecords("a").ok());
  {
    pqxx::connection admin(env->pg()->ConnectionUri());
    pqxx::nontransaction tx(admin);
    const pqxx::result killed = tx.exec_params(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = $1 AND pid <> pg_backend_pid()",
        env->last_database());
    ASSERT_GE(killed.size(), 1u);
  }
  absl::StatusOr<int64_t> count = store->CountRecords("a");
  EXPECT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(store->AgentByCredentialHash("x").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(PostgresStoreTest, DuplicateCredentialHashIsAlreadyExists) {
  std::unique_ptr<Store> store = FreshStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Migrate().ok());
  natscope::v1::AgentIdentity a, b;
  a.set_agent_id("a");
  b.set_agent_id("b");
  ASSERT_TRUE(store->UpsertAgent(a, "same").ok());
  EXPECT_EQ(store->UpsertAgent(b, "same").code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(PostgresStoreTest, FailedMigrationIsInternalWithSqlstate) {
  std::unique_ptr<Store> store = FreshStore();
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

}  // namespace
}  // namespace natscope::server
