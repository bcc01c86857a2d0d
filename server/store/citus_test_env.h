// A Citus cluster for a whole test binary: a coordinator and two workers
// started with tools/citus_cluster.sh (a data dependency) in a scratch
// directory on free loopback ports, and a fresh schema per test. The
// cluster is stopped and the directory removed at the end, and also when
// the binary dies (a watchdog process). Test-only.
#ifndef NATSCOPE_SERVER_STORE_CITUS_TEST_ENV_H_
#define NATSCOPE_SERVER_STORE_CITUS_TEST_ENV_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "server/embedded_postgres/test_scratch_dir.h"
#include "server/store/postgres_store.h"

namespace natscope::server {

class CitusEnvironment : public ::testing::Environment {
 public:
  // Starts the cluster; fails (and the tests then fail) when Citus is not
  // installed (tools/build_citus.sh) or no node starts.
  void SetUp() override;
  void TearDown() override;

  // Whether the cluster is up.
  bool running() const { return !coordinator_uri_.empty(); }
  // The coordinator, database natscope (libpq URI).
  const std::string& coordinator_uri() const { return coordinator_uri_; }
  // Creates an empty schema t_N on the cluster and returns a conninfo whose
  // search_path is that schema, with 4 shards a distributed table.
  std::string NewSchema();
  // The conninfo NewSchema returned last.
  const std::string& last_conninfo() const { return last_conninfo_; }

 private:
  bool TryStart(int port, std::string* output);
  void StartWatchdog();
  void StopCluster();

  std::string script_;
  std::unique_ptr<TestScratchDir> scratch_;
  std::string cluster_dir_;
  std::string coordinator_uri_;
  std::string last_conninfo_;
  int schemas_ = 0;
  pid_t watchdog_pid_ = -1;
  int watchdog_fd_ = -1;  // Our end of the watchdog's stdin.
};

// The binary's cluster, registered with gtest on first use.
CitusEnvironment* CitusTestEnv();

// A PostgresStore over a new empty schema (not migrated), or nullptr (with
// a test failure) when the cluster did not start.
std::unique_ptr<PostgresStore> FreshCitusStore(int pool_size = 4);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_CITUS_TEST_ENV_H_
