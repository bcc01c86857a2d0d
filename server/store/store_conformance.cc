#include "server/store/store_conformance.h"

namespace natscope::server {

std::string StoreConformanceTestName(
    const ::testing::TestParamInfo<StoreConformanceParams>& info) {
  return info.param.name;
}

void PrintTo(const StoreConformanceParams& params, std::ostream* os) {
  *os << params.name;
}

void StoreConformanceTest::SetUp() {
  store_ = GetParam().factory();
  ASSERT_NE(store_, nullptr);
  const absl::Status migrated = store_->Migrate();
  ASSERT_TRUE(migrated.ok()) << migrated;
}

int64_t StoreConformanceTest::CountRecords(const std::string& agent_id) const {
  return GetParam().count_records(agent_id);
}

}  // namespace natscope::server
