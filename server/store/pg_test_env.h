// A PostgreSQL cluster for a whole test binary (EmbeddedPostgres in a
// scratch directory, removed at the end) and a fresh database per test.
// Test-only.
#ifndef NATSCOPE_SERVER_STORE_PG_TEST_ENV_H_
#define NATSCOPE_SERVER_STORE_PG_TEST_ENV_H_

#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/embedded_postgres/embedded_postgres.h"
#include "server/embedded_postgres/test_scratch_dir.h"
#include "server/store/postgres_store.h"

namespace natscope::server {

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

// The binary's cluster, registered with gtest on first use.
PostgresEnvironment* PgTestEnv();

// A PostgresStore over a new empty database (not migrated),
// or nullptr (with a test failure) when the cluster did not start.
std::unique_ptr<PostgresStore> FreshPostgresStore(int pool_size = 4);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_PG_TEST_ENV_H_
