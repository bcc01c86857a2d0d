// The conformance suite every ServerStore implementation must pass,
// organised by role (store.h): one test suite per role, each run against
// a fresh, migrated store.
//
// Instantiate it next to the implementation's test:
//
//   NATSCOPE_INSTANTIATE_STORE_CONFORMANCE(
//       Postgres, (StoreConformanceParams{"Postgres", factory, hooks...}));
//
// and link //server/store:store_conformance into the test.
#ifndef NATSCOPE_SERVER_STORE_STORE_CONFORMANCE_H_
#define NATSCOPE_SERVER_STORE_STORE_CONFORMANCE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "server/store/store.h"

namespace natscope::server {

struct StoreConformanceParams {
  // Test-name suffix, e.g. "Postgres". Letters, digits and _ only.
  std::string name;
  // Returns a store over fresh, empty storage, not yet migrated; nullptr
  // fails the test. Called once per test.
  std::function<std::unique_ptr<ServerStore>()> factory;
  // Marks schema version `version` as applied in the storage of the store
  // `factory` returned last, as a newer natscope-server would.
  std::function<absl::Status(int version)> set_schema_version;
  // Log events plus probe reports held for `agent_id` at its current site
  // in the storage of the store `factory` returned last (0 when unknown):
  // what the tests of ingest and retention count. Not a store method: no
  // caller of a store needs it.
  std::function<int64_t(const std::string& agent_id)> count_records;
};

// Names instantiations after StoreConformanceParams::name.
std::string StoreConformanceTestName(
    const ::testing::TestParamInfo<StoreConformanceParams>& info);

void PrintTo(const StoreConformanceParams& params, std::ostream* os);

class StoreConformanceTest
    : public ::testing::TestWithParam<StoreConformanceParams> {
 protected:
  // Makes store_ with the factory and migrates it.
  void SetUp() override;
  // GetParam().count_records.
  int64_t CountRecords(const std::string& agent_id) const;

  std::unique_ptr<ServerStore> store_;
};

// One suite per role (conformance_<role>.cc).
class MaintenanceConformance : public StoreConformanceTest {};
class AgentRegistryConformance : public StoreConformanceTest {};
class TokenStoreConformance : public StoreConformanceTest {};
class FactStoreConformance : public StoreConformanceTest {};
class SiteHealthStoreConformance : public StoreConformanceTest {};
class ReportStoreConformance : public StoreConformanceTest {};

// Instantiates every role's suite with `params` (parenthesised).
#define NATSCOPE_INSTANTIATE_STORE_CONFORMANCE(prefix, params)             \
  INSTANTIATE_TEST_SUITE_P(prefix, MaintenanceConformance,                 \
                           ::testing::Values params,                       \
                           StoreConformanceTestName);                      \
  INSTANTIATE_TEST_SUITE_P(prefix, AgentRegistryConformance,               \
                           ::testing::Values params,                       \
                           StoreConformanceTestName);                      \
  INSTANTIATE_TEST_SUITE_P(prefix, TokenStoreConformance,                  \
                           ::testing::Values params,                       \
                           StoreConformanceTestName);                      \
  INSTANTIATE_TEST_SUITE_P(prefix, FactStoreConformance,                   \
                           ::testing::Values params,                       \
                           StoreConformanceTestName);                      \
  INSTANTIATE_TEST_SUITE_P(prefix, SiteHealthStoreConformance,             \
                           ::testing::Values params,                       \
                           StoreConformanceTestName);                      \
  INSTANTIATE_TEST_SUITE_P(prefix, ReportStoreConformance,                 \
                           ::testing::Values params, StoreConformanceTestName)

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_STORE_CONFORMANCE_H_
