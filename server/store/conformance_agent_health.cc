// The conformance suite's FactStore tests of what agents say of themselves:
// the version and counters of an agent's newest batch (by send time, never
// later than arrival) replace older ones; duplicates, conflicts and older
// batches do not.
#include <string>

#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/store/store_conformance.h"
#include "server/store/store_conformance_util.h"

namespace natscope::server {
namespace {

using namespace conformance;  // NOLINT: the suite's builders.

// Batch `sequence` of one log line (the same for each sequence), saying of
// its agent: `version` and a spool of `spool_bytes`, sent at `sent`.
IngestRequest SelfReport(uint64_t sequence, absl::Time sent,
                         const std::string& version, uint64_t spool_bytes) {
  IngestRequest batch =
      Batch(1, sequence, {OtherLog(kT0 + absl::Seconds(sequence))});
  SetTime(sent, batch.mutable_sent());
  batch.mutable_agent()->set_version(version);
  batch.mutable_counters()->set_spool_bytes(spool_bytes);
  batch.mutable_counters()->set_spool_capacity_bytes(1000);
  batch.mutable_counters()->set_records_dropped(sequence);
  return batch;
}

TEST_P(FactStoreConformance, AgentWithoutBatchesHasItsEnrolledVersionOnly) {
  Register(*store_, Paris1());
  const AgentState state = StateOf(*store_, "paris-1");
  EXPECT_EQ(state.health().version(), "0.1.0");
  EXPECT_FALSE(state.health().has_counters());
  EXPECT_FALSE(state.health().has_last_batch_time());
}

TEST_P(FactStoreConformance, NewerBatchReplacesTheAgentsVersionAndCounters) {
  Register(*store_, Paris1());
  MustIngest(*store_, Paris1(), SelfReport(1, kT0, "0.1.0", 10), kT0);
  AgentState state = StateOf(*store_, "paris-1");
  EXPECT_EQ(state.health().counters().spool_bytes(), 10u);
  EXPECT_EQ(state.health().counters().spool_capacity_bytes(), 1000u);
  EXPECT_EQ(state.health().last_batch_time().seconds(),
            absl::ToUnixSeconds(kT0));

  const absl::Time later = kT0 + absl::Minutes(1);
  IngestRequest newer = SelfReport(2, later, "0.2.0", 20);
  newer.mutable_counters()->set_dead_letters(3);
  MustIngest(*store_, Paris1(), newer, later + absl::Seconds(2));
  state = StateOf(*store_, "paris-1");
  EXPECT_EQ(state.health().version(), "0.2.0");
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      state.health().counters(), newer.counters()));
  EXPECT_EQ(state.health().last_batch_time().seconds(),
            absl::ToUnixSeconds(later + absl::Seconds(2)));
  EXPECT_EQ(state.health().last_batch_time().seconds(),
            state.last_seen().seconds());
  // The enrolled identity is what the agent enrolled with.
  EXPECT_EQ(state.identity().version(), "0.1.0");
}

TEST_P(FactStoreConformance, OlderOrDuplicateBatchDoesNotRegressTheCounters) {
  Register(*store_, Paris1());
  const absl::Time later = kT0 + absl::Minutes(1);
  MustIngest(*store_, Paris1(), SelfReport(2, later, "0.2.0", 20), later);
  // Sent earlier, arriving later (a retry that lost the race).
  MustIngest(*store_, Paris1(), SelfReport(1, kT0, "0.1.0", 10),
             later + absl::Minutes(1));
  // The same batch again, with other counters: a duplicate stores nothing.
  IngestRequest resent = SelfReport(2, later + absl::Minutes(5), "0.3.0", 30);
  EXPECT_TRUE(MustIngest(*store_, Paris1(), resent, later + absl::Minutes(5))
                  .duplicate);
  // A clone's batch under the same key: refused, says nothing.
  IngestRequest clone = SelfReport(2, later + absl::Minutes(6), "9.9.9", 99);
  clone.add_records()->CopyFrom(OtherLog(kT0));
  EXPECT_TRUE(absl::IsAlreadyExists(
      store_->Ingest(Paris1(), clone, later + absl::Minutes(6)).status()));

  const AgentState state = StateOf(*store_, "paris-1");
  EXPECT_EQ(state.health().version(), "0.2.0");
  EXPECT_EQ(state.health().counters().spool_bytes(), 20u);
  EXPECT_EQ(state.health().counters().records_dropped(), 2u);
}

TEST_P(FactStoreConformance, AFutureSendTimeRanksAsTheArrival) {
  Register(*store_, Paris1());
  const absl::Time far_future = kT0 + absl::Hours(24 * 365);
  MustIngest(*store_, Paris1(), SelfReport(1, far_future, "0.1.0", 10), kT0);
  const absl::Time later = kT0 + absl::Minutes(1);
  MustIngest(*store_, Paris1(), SelfReport(2, later, "0.1.0", 20), later);
  EXPECT_EQ(StateOf(*store_, "paris-1").health().counters().spool_bytes(), 20u);
}

TEST_P(FactStoreConformance, ABatchSayingNothingOfItsAgentKeepsWhatWasSaid) {
  Register(*store_, Paris1());
  MustIngest(*store_, Paris1(), SelfReport(1, kT0, "0.2.0", 10), kT0);
  // No send time, no version, no counters (an older agent).
  const absl::Time later = kT0 + absl::Minutes(1);
  MustIngest(*store_, Paris1(), Batch(1, 2, {OtherLog(later)}), later);
  // Counters without a version: the version stays.
  IngestRequest counters_only = Batch(1, 3, {OtherLog(later)});
  counters_only.mutable_counters()->set_spool_bytes(30);
  MustIngest(*store_, Paris1(), counters_only, later + absl::Minutes(1));
  const AgentState state = StateOf(*store_, "paris-1");
  EXPECT_EQ(state.health().version(), "0.2.0");
  EXPECT_EQ(state.health().counters().spool_bytes(), 30u);
  EXPECT_EQ(state.health().last_batch_time().seconds(),
            absl::ToUnixSeconds(later + absl::Minutes(1)));
}

}  // namespace
}  // namespace natscope::server
