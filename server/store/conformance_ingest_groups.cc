// The conformance suite's FactStore tests of concurrent Ingest calls: a
// store may store concurrent batches together (PostgresStore's group
// commit), and each must still be stored once, answered for itself, and
// leave each agent's own latest state.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/store/store_conformance.h"
#include "server/store/store_conformance_util.h"

namespace natscope::server {
namespace {

using namespace conformance;  // NOLINT: the suite's builders.

constexpr int kAgents = 12;
constexpr int kBatches = 4;

AgentIdentity GroupAgent(int i) {
  return Agent(absl::StrCat("g", i), absl::StrCat("site-", i % 3),
               i % 2 == 0 ? natscope::v1::ROLE_CLIENT
                          : natscope::v1::ROLE_CONNECTOR);
}

// Agent i's batch s: two lines, its NAT type named after it and the batch.
IngestRequest GroupBatch(int i, int s) {
  return Batch(1, static_cast<uint64_t>(s),
               {NatLog(kT0 + absl::Seconds(s), absl::StrCat("nat-", i, "-", s)),
                OtherLog(kT0 + absl::Seconds(s))});
}

TEST_P(FactStoreConformance, ConcurrentBatchesOfManyAgentsAreEachStoredOnce) {
  for (int i = 0; i < kAgents; ++i) Register(*store_, GroupAgent(i));
  std::atomic<int> duplicates{0}, stored{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kAgents; ++i) {
    threads.emplace_back([&, i] {
      const AgentIdentity agent = GroupAgent(i);
      for (int s = 1; s <= kBatches; ++s) {
        absl::StatusOr<IngestResult> result =
            store_->Ingest(agent, GroupBatch(i, s), kT0);
        ASSERT_TRUE(result.ok()) << result.status();
        EXPECT_FALSE(result->duplicate);
        EXPECT_EQ(result->records_committed, 2u);
        ++stored;
      }
      // A resend of batch 2 (its acknowledgement was lost): a duplicate.
      absl::StatusOr<IngestResult> again =
          store_->Ingest(agent, GroupBatch(i, 2), kT0);
      ASSERT_TRUE(again.ok()) << again.status();
      if (again->duplicate) ++duplicates;
      // A check-in stores nothing and is no duplicate.
      absl::StatusOr<IngestResult> check_in =
          store_->Ingest(agent, Batch(1, 0, {}), kT0 + absl::Minutes(1));
      ASSERT_TRUE(check_in.ok()) << check_in.status();
      EXPECT_FALSE(check_in->duplicate);
    });
  }
  // Meanwhile, an agent no one enrolled, and another site's claim.
  threads.emplace_back([&] {
    for (int s = 1; s <= kBatches; ++s) {
      if (absl::IsNotFound(
              store_->Ingest(Agent("ghost", "site-0", natscope::v1::ROLE_CLIENT),
                             GroupBatch(99, s), kT0)
                  .status())) {
        ++refused;
      }
      AgentIdentity moved = GroupAgent(0);
      moved.set_site("elsewhere");
      if (absl::IsNotFound(
              store_->Ingest(moved, GroupBatch(0, 100 + s), kT0).status())) {
        ++refused;
      }
    }
  });
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(stored.load(), kAgents * kBatches);
  EXPECT_EQ(duplicates.load(), kAgents);
  EXPECT_EQ(refused.load(), 2 * kBatches);
  for (int i = 0; i < kAgents; ++i) {
    const AgentState state = StateOf(*store_, absl::StrCat("g", i));
    EXPECT_EQ(CountRecords(absl::StrCat("g", i)), 2 * kBatches) << i;
    // Each agent's own newest line, whatever group stored it.
    EXPECT_EQ(state.log_nat_type(), absl::StrCat("nat-", i, "-", kBatches));
    EXPECT_EQ(state.last_seen().seconds(),
              absl::ToUnixSeconds(kT0 + absl::Minutes(1)));
  }
  EXPECT_EQ(CountRecords("ghost"), 0);
}

// A conflict (another batch under a stored key) fails only that call.
TEST_P(FactStoreConformance, AConflictAmongConcurrentBatchesFailsOnlyItself) {
  for (int i = 0; i < kAgents; ++i) Register(*store_, GroupAgent(i));
  MustIngest(*store_, GroupAgent(0), GroupBatch(0, 1), kT0);
  std::atomic<int> conflicts{0}, stored{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kAgents; ++i) {
    threads.emplace_back([&, i] {
      // Agent 0's batch 1 again, with other records: a conflict.
      const IngestRequest batch = i == 0 ? GroupBatch(7, 1) : GroupBatch(i, 1);
      absl::StatusOr<IngestResult> result =
          store_->Ingest(GroupAgent(i), batch, kT0);
      if (result.ok()) {
        ++stored;
      } else if (absl::IsAlreadyExists(result.status())) {
        ++conflicts;
      } else {
        ADD_FAILURE() << result.status();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(conflicts.load(), 1);
  EXPECT_EQ(stored.load(), kAgents - 1);
  EXPECT_EQ(CountRecords("g0"), 2);
  EXPECT_EQ(StateOf(*store_, "g0").batch_conflicts(), 1u);
}

// A backfill whose tunnel lines span more hours than one statement's
// parameters could carry (8 a row): stored, every hour counted.
TEST_P(FactStoreConformance, ABatchSpanningThousandsOfHoursIsStored) {
  const AgentIdentity agent = GroupAgent(0);
  Register(*store_, agent);
  constexpr int kHours = 9000;
  std::vector<natscope::v1::Record> records;
  for (int h = 0; h < kHours; ++h) {
    natscope::v1::Record record = NatLog(kT0 - absl::Hours(h), "x");
    record.mutable_log()->set_kind("relay_unavailable");
    record.mutable_log()->mutable_fields()->clear();
    (*record.mutable_log()->mutable_fields())["relay"] = "192.0.2.1";
    records.push_back(record);
  }
  EXPECT_EQ(MustIngest(*store_, agent, Batch(1, 1, records), kT0)
                .records_committed,
            static_cast<uint32_t>(kHours));
  EXPECT_EQ(CountRecords("g0"), kHours);
}

}  // namespace
}  // namespace natscope::server
