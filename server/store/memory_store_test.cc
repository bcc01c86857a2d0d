// Runs the store conformance suite against MemoryStore, and checks what
// MemoryStore adds of its own.
#include "server/store/memory_store.h"

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/store/migrations.h"
#include "server/store/store_conformance.h"

namespace natscope::server {
namespace {

// The store the factory made last; the fixture owns it.
MemoryStore* last_store = nullptr;

std::unique_ptr<ServerStore> FreshStore() {
  auto store = std::make_unique<MemoryStore>();
  last_store = store.get();
  return store;
}

absl::Status SetSchemaVersion(int version) {
  last_store->SetSchemaVersionForTest(version);
  return absl::OkStatus();
}

int64_t CountRecords(const std::string& agent_id) {
  return last_store->CountRecordsForTest(agent_id);
}

NATSCOPE_INSTANTIATE_STORE_CONFORMANCE(
    Memory, (StoreConformanceParams{"Memory", &FreshStore, &SetSchemaVersion,
                                    &CountRecords}));

TEST(MemoryStoreTest, NewerSchemaMessageNamesTheKnownVersion) {
  MemoryStore store;
  const int known = AllMigrations().back().version;
  store.SetSchemaVersionForTest(known);
  EXPECT_TRUE(store.Migrate().ok());
  store.SetSchemaVersionForTest(known + 1);
  EXPECT_EQ(store.Migrate().message(),
            absl::StrCat("database schema version ", known + 1,
                         " is newer than this natscope-server knows (", known,
                         "): upgrade natscope-server"));
}

TEST(MemoryStoreTest, DuplicateCredentialHashIsAlreadyExists) {
  MemoryStore store;
  ASSERT_TRUE(store.Migrate().ok());
  natscope::v1::AgentIdentity a, b;
  a.set_agent_id("a");
  b.set_agent_id("b");
  ASSERT_TRUE(store.EnrollAgent(a, "same", "", "").ok());
  EXPECT_EQ(store.EnrollAgent(b, "same", "", "").code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store.EnrollAgent(b, "", "", "").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MemoryStoreTest, TimesAreKeptToTheMicrosecondAsPostgresKeepsThem) {
  MemoryStore store;
  ASSERT_TRUE(store.Migrate().ok());
  natscope::v1::AgentIdentity agent;
  agent.set_agent_id("a1");
  agent.set_site("paris");
  ASSERT_TRUE(store.EnrollAgent(agent, "h", "", "").ok());
  const absl::Time received =
      absl::FromUnixSeconds(1700000000) + absl::Nanoseconds(1999);
  natscope::v1::IngestRequest batch;
  batch.set_epoch(1);
  batch.set_sequence(1);
  batch.add_records()->mutable_log()->set_kind("k");
  ASSERT_TRUE(store.Ingest(agent, batch, received).ok());
  auto agents = store.ListAgents("", "", 1);
  ASSERT_TRUE(agents.ok()) << agents.status();
  ASSERT_EQ(agents->size(), 1u);
  EXPECT_EQ((*agents)[0].last_seen().nanos(), 1000);
}

TEST(MemoryStoreTest, DailyTrendRoundsHalvesAwayFromZero) {
  MemoryStore store;
  ASSERT_TRUE(store.Migrate().ok());
  const absl::Time day = absl::FromUnixSeconds(1700000000 / 86400 * 86400);
  natscope::v1::SiteSummary summary;
  summary.set_site("a");
  summary.set_connectors(1);
  summary.set_clients(1);
  ASSERT_TRUE(store.PutSiteHealth({summary}, day).ok());
  summary.set_clients(2);
  ASSERT_TRUE(store.PutSiteHealth({summary}, day + absl::Hours(1)).ok());
  auto daily = store.SiteTrend("", day, day + absl::Hours(23), true);
  ASSERT_TRUE(daily.ok()) << daily.status();
  ASSERT_EQ(daily->size(), 1u);
  EXPECT_EQ((*daily)[0].bucket, day);
  EXPECT_EQ((*daily)[0].clients, 2);  // round(1.5)
  EXPECT_EQ((*daily)[0].connectors, 1);
}

TEST(MemoryStoreTest, RetentionCountsTheDailyPartitionsItDrops) {
  MemoryStore store;
  ASSERT_TRUE(store.Migrate().ok());
  const absl::Time day =
      absl::FromCivil(absl::CivilDay(2024, 5, 1), absl::UTCTimeZone());
  ASSERT_TRUE(store.EnsurePartitions(day, day + absl::Hours(24 * 3)).ok());
  // Cut off mid-way through 3 May: 1 and 2 May go, in both tables.
  auto dropped = store.ApplyRetention(day + absl::Hours(60), day);
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(dropped->partitions_dropped, 4);
}

}  // namespace
}  // namespace natscope::server
