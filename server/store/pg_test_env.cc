#include "server/store/pg_test_env.h"

#include "server/store/postgres_store.h"

namespace natscope::server {

PostgresEnvironment* PgTestEnv() {
  static PostgresEnvironment* const env = static_cast<PostgresEnvironment*>(
      ::testing::AddGlobalTestEnvironment(new PostgresEnvironment));
  return env;
}

// Registers the environment before main() runs the tests.
static PostgresEnvironment* const registered = PgTestEnv();

std::unique_ptr<PostgresStore> FreshPostgresStore(int pool_size) {
  if (PgTestEnv()->pg() == nullptr) {
    ADD_FAILURE() << "the test PostgreSQL cluster did not start";
    return nullptr;
  }
  absl::StatusOr<std::unique_ptr<PostgresStore>> store =
      PostgresStore::Connect(PgTestEnv()->NewDatabase(), pool_size);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

}  // namespace natscope::server
