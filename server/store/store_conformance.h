// A conformance suite every Store implementation must pass.
//
// Instantiate it next to the implementation's test:
//
//   INSTANTIATE_TEST_SUITE_P(
//       Postgres, StoreConformanceTest,
//       ::testing::Values(StoreConformanceParams{"Postgres", factory, hook}),
//       StoreConformanceTestName);
//
// and link //server/store:store_conformance into the test.
#ifndef NATSCOPE_SERVER_STORE_STORE_CONFORMANCE_H_
#define NATSCOPE_SERVER_STORE_STORE_CONFORMANCE_H_

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
  std::function<std::unique_ptr<Store>()> factory;
  // Marks schema version `version` as applied in the storage of the store
  // `factory` returned last, as a newer natscope-server would. Empty: the
  // newer-schema test is skipped.
  std::function<absl::Status(int version)> set_schema_version;
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

  std::unique_ptr<Store> store_;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_STORE_CONFORMANCE_H_
