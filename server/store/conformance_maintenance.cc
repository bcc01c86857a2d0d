// The conformance suite's Maintenance tests: migrations, partitions and retention.
#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/store/store_conformance.h"
#include "server/store/store_conformance_util.h"

namespace natscope::server {
namespace {

using namespace conformance;  // NOLINT: the suite's builders.

TEST_P(MaintenanceConformance, MigrateTwiceIsIdempotent) {
  ASSERT_TRUE(store_->Migrate().ok());
  ASSERT_TRUE(store_->Migrate().ok());
  Register(*store_, Agent("a1", "paris", natscope::v1::ROLE_CLIENT));
  EXPECT_TRUE(store_->AgentByCredentialHash("hash-a1").ok());
}

TEST_P(MaintenanceConformance, NewerSchemaIsRefused) {
  if (!GetParam().set_schema_version) GTEST_SKIP() << "no schema hook";
  ASSERT_TRUE(GetParam().set_schema_version(999999).ok());
  const absl::Status status = store_->Migrate();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(status.message(),
                                "database schema version 999999 is newer than "
                                "this natscope-server knows"))
      << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "upgrade natscope-server"));
}

TEST_P(MaintenanceConformance, RetentionDropsOldHistoryButKeepsLatestState) {
  const auto agent = Agent("a1", "paris", natscope::v1::ROLE_CONNECTOR);
  Register(*store_, agent);
  const absl::Time old_day = kT0 - absl::Hours(24 * 40);
  MustIngest(*store_, agent,
             Batch(1, 1, {NatLog(old_day, "endpoint-dependent"),
                          Probe(old_day, true, natscope::v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT)}),
             old_day);
  MustIngest(*store_, agent, Batch(1, 2, {NatLog(kT0, "endpoint-independent")}), kT0);
  ASSERT_TRUE(store_->PutSiteHealth({Summary("paris", 1, 1, 1)}, old_day).ok());
  ASSERT_EQ(CountRecords("a1"), 3);

  auto dropped = store_->ApplyRetention(kT0 - absl::Hours(24 * 30),
                                        kT0 - absl::Hours(24 * 30));
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(dropped->ledger_rows_deleted, 1);
  EXPECT_EQ(dropped->trend_rows_deleted, 1);
  EXPECT_EQ(CountRecords("a1"), 1);
  // The latest state survives, including the old probe.
  auto agents = store_->ListAgents("paris", "", 10);
  ASSERT_TRUE(agents.ok());
  ASSERT_EQ(agents->size(), 1u);
  EXPECT_TRUE((*agents)[0].has_latest_probe());
  EXPECT_EQ((*agents)[0].log_nat_type(), "endpoint-independent");
  // Site health is kept whatever its age.
  EXPECT_EQ(store_->ListSiteHealth(false)->size(), 1u);
  // Ingest still works for today after retention ran, and even for a day
  // retention dropped (a clock set back): nothing is refused.
  MustIngest(*store_, agent, Batch(1, 3, {NatLog(kT0, "endpoint-independent")}), kT0);
  EXPECT_EQ(CountRecords("a1"), 2);
  MustIngest(*store_, agent, Batch(1, 4, {NatLog(old_day, "endpoint-independent")}),
             old_day);
  EXPECT_EQ(CountRecords("a1"), 3);
}

}  // namespace
}  // namespace natscope::server
