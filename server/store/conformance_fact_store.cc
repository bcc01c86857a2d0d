// The conformance suite's FactStore tests: ingest exactly once, the latest state, paging, probe history, conflicts, clock skew and recent activity.
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

natscope::v1::Record LogLine(absl::Time t, const std::string& kind,
                             const std::string& key, const std::string& value) {
  natscope::v1::Record record = NatLog(t, "x");
  record.mutable_log()->set_kind(kind);
  record.mutable_log()->mutable_fields()->clear();
  (*record.mutable_log()->mutable_fields())[key] = value;
  return record;
}

TEST_P(FactStoreConformance, IngestStoresEveryRecord) {
  const AgentIdentity agent = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, agent);
  Register(*store_, Agent("a2", "paris", natscope::v1::ROLE_CLIENT));
  const IngestResult result = MustIngest(
      *store_, agent,
      Batch(7, 1,
            {NatLog(kT0, "endpoint-independent"), OtherLog(kT0),
             Probe(kT0, true, natscope::v1::MAPPING_ENDPOINT_INDEPENDENT),
             Record()}),
      kT0);
  EXPECT_EQ(result.records_committed, 3u) << "the empty record is skipped";
  EXPECT_FALSE(result.duplicate);
  EXPECT_EQ(CountRecords("a1"), 3);
  EXPECT_EQ(CountRecords("a2"), 0);
  EXPECT_EQ(CountRecords("nobody"), 0);
}

TEST_P(FactStoreConformance, SameBatchTwiceIsADuplicateStoredOnce) {
  const AgentIdentity agent = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, agent);
  const IngestRequest batch = Batch(7, 1, {OtherLog(kT0), OtherLog(kT0)});
  EXPECT_FALSE(MustIngest(*store_, agent, batch, kT0).duplicate);
  const IngestResult again = MustIngest(*store_, agent, batch, kT0);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.records_committed, 0u);
  EXPECT_EQ(CountRecords("a1"), 2);
}

TEST_P(FactStoreConformance, NewEpochRestartingAtSequenceOneIsStored) {
  const AgentIdentity agent = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, agent);
  EXPECT_FALSE(
      MustIngest(*store_, agent, Batch(7, 1, {OtherLog(kT0)}), kT0).duplicate);
  EXPECT_FALSE(
      MustIngest(*store_, agent, Batch(UINT64_MAX, 1, {OtherLog(kT0)}), kT0)
          .duplicate);
  EXPECT_EQ(CountRecords("a1"), 2);
}

TEST_P(FactStoreConformance, SameBatchNumberOfAnotherAgentIsNotADuplicate) {
  const AgentIdentity a1 = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  const AgentIdentity a2 = Agent("a2", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, a1);
  Register(*store_, a2);
  EXPECT_FALSE(
      MustIngest(*store_, a1, Batch(7, 1, {OtherLog(kT0)}), kT0).duplicate);
  EXPECT_FALSE(
      MustIngest(*store_, a2, Batch(7, 1, {OtherLog(kT0)}), kT0).duplicate);
}

TEST_P(FactStoreConformance, IngestForAnUnregisteredAgentIsNotFound) {
  EXPECT_EQ(store_
                ->Ingest(Agent("ghost", "paris", natscope::v1::ROLE_CLIENT),
                         Batch(1, 1, {OtherLog(kT0)}), kT0)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_P(FactStoreConformance, AwkwardTextIsStored) {
  const AgentIdentity agent = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, agent);
  Record record = NatLog(kT0, "it's \"quoted\" \\ and\ttabbed");
  record.mutable_log()->set_raw_line(std::string("nul\0byte \xFF bad", 14));
  (*record.mutable_log()->mutable_fields())["\x01key"] = "\xE2\x82";
  EXPECT_EQ(
      MustIngest(*store_, agent, Batch(1, 1, {record}), kT0).records_committed,
      1u);
  EXPECT_EQ(StateOf(*store_, "a1").log_nat_type(),
            "it's \"quoted\" \\ and\ttabbed");
}

TEST_P(FactStoreConformance, LatestStateFollowsRecordTimeThenArrival) {
  const AgentIdentity agent = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, agent);
  const absl::Time late = kT0 + absl::Hours(1);
  MustIngest(*store_, agent,
             Batch(1, 1,
                   {NatLog(late, "endpoint-dependent"),
                    Probe(late, true, natscope::v1::MAPPING_NO_NAT)}),
             late);
  // Older facts arriving later do not replace newer ones...
  MustIngest(*store_, agent,
             Batch(1, 2,
                   {NatLog(kT0, "endpoint-independent"),
                    Probe(kT0, false, natscope::v1::MAPPING_UNKNOWN)}),
             late);
  AgentState state = StateOf(*store_, "a1");
  EXPECT_EQ(state.log_nat_type(), "endpoint-dependent");
  EXPECT_EQ(state.log_nat_type_time().seconds(), absl::ToUnixSeconds(late));
  EXPECT_EQ(state.latest_probe().mapping_behavior(), natscope::v1::MAPPING_NO_NAT);
  EXPECT_EQ(state.last_seen().seconds(), absl::ToUnixSeconds(late));
  // ...but on a tie the later arrival wins, within a batch and across.
  MustIngest(
      *store_, agent,
      Batch(1, 3,
            {NatLog(late, "first"), NatLog(late, "second"),
             Probe(late, true, natscope::v1::MAPPING_ADDRESS_DEPENDENT)}),
      late);
  state = StateOf(*store_, "a1");
  EXPECT_EQ(state.log_nat_type(), "second");
  EXPECT_EQ(state.latest_probe().mapping_behavior(),
            natscope::v1::MAPPING_ADDRESS_DEPENDENT);
}

TEST_P(FactStoreConformance, ListAgentsReportsTheLatestProbe) {
  const AgentIdentity agent = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, agent);
  Record probe = Probe(kT0, true, natscope::v1::MAPPING_ADDRESS_DEPENDENT,
                       natscope::v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  natscope::v1::Finding* finding = probe.mutable_probe()->add_findings();
  finding->set_code(natscope::v1::FINDING_ENDPOINT_DEPENDENT_MAPPING);
  finding->set_severity(natscope::v1::SEVERITY_CRITICAL);
  finding->add_evidence("mapped port differs per destination");
  MustIngest(*store_, agent, Batch(1, 1, {probe}), kT0 + absl::Seconds(3));

  const AgentState state = StateOf(*store_, "a1");
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      state.identity(), agent));
  // The probe as the agent sent it; the derived fields are the analysis's.
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      state.latest_probe(), probe.probe()));
  EXPECT_EQ(state.last_seen().seconds(),
            absl::ToUnixSeconds(kT0 + absl::Seconds(3)));
  EXPECT_EQ(state.reported_nat_type(), "");
  EXPECT_EQ(state.mapping_behavior(), natscope::v1::MAPPING_UNKNOWN);
  EXPECT_EQ(state.findings_size(), 0);
  EXPECT_FALSE(state.has_log_nat_type_time());
}

TEST_P(FactStoreConformance, ListAgentsPaginatesInAgentIdOrder) {
  for (const char* id : {"d", "b", "e", "a", "c"}) {
    Register(*store_, Agent(id, id[0] < 'd' ? "paris" : "berlin",
                            natscope::v1::ROLE_CLIENT));
  }
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    absl::StatusOr<std::vector<AgentState>> agents =
        store_->ListAgents("", after, 2);
    ASSERT_TRUE(agents.ok()) << agents.status();
    if (agents->empty()) break;
    EXPECT_LE(agents->size(), 2u);
    for (const AgentState& state : *agents) {
      seen.push_back(state.identity().agent_id());
    }
    after = seen.back();
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e"}));

  absl::StatusOr<std::vector<AgentState>> paris =
      store_->ListAgents("paris", "a", 10);
  ASSERT_TRUE(paris.ok()) << paris.status();
  ASSERT_EQ(paris->size(), 2u);
  EXPECT_EQ((*paris)[0].identity().agent_id(), "b");
  EXPECT_EQ((*paris)[1].identity().agent_id(), "c");
  EXPECT_FALSE((*paris)[0].has_latest_probe());
  EXPECT_EQ(store_->ListAgents("", "", 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(FactStoreConformance, ConcurrentDeliveriesOfOneBatchStoreItOnce) {
  const AgentIdentity agent = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, agent);
  const IngestRequest batch = Batch(3, 9, {OtherLog(kT0), OtherLog(kT0)});
  std::atomic<int> stored{0}, duplicates{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      absl::StatusOr<IngestResult> result = store_->Ingest(agent, batch, kT0);
      ASSERT_TRUE(result.ok()) << result.status();
      ++(result->duplicate ? duplicates : stored);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(stored.load(), 1);
  EXPECT_EQ(duplicates.load(), 7);
  EXPECT_EQ(CountRecords("a1"), 2);
}

TEST_P(FactStoreConformance, ProbeHistoryIsNewestFirstAndBounded) {
  const AgentIdentity agent = Agent("gw-1", "paris", natscope::v1::ROLE_CONNECTOR);
  Register(*store_, agent);
  MustIngest(*store_, agent,
             Batch(1, 1, {Probe(kT0 + absl::Seconds(1), true, natscope::v1::MAPPING_NO_NAT),
                          Probe(kT0 + absl::Seconds(3), false, natscope::v1::MAPPING_UNKNOWN),
                          Probe(kT0 + absl::Seconds(2), true,
                                natscope::v1::MAPPING_ENDPOINT_INDEPENDENT)}),
             kT0);
  auto history = store_->ProbeHistory("gw-1", 2);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].time().seconds(), absl::ToUnixSeconds(kT0 + absl::Seconds(3)));
  EXPECT_EQ((*history)[1].mapping_behavior(), natscope::v1::MAPPING_ENDPOINT_INDEPENDENT);
  auto none = store_->ProbeHistory("nobody", 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(FactStoreConformance, SameKeyWithOtherRecordsIsAConflictNotADuplicate) {
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h1", "", "").ok());
  MustIngest(*store_, Paris1(), Batch(7, 1, {NatLog(kT0, "symmetric")}), kT0);
  // The same batch again (newer counters): a duplicate.
  v1::IngestRequest resent = Batch(7, 1, {NatLog(kT0, "symmetric")});
  resent.mutable_counters()->set_lines_read(99);
  IngestResult duplicate = MustIngest(*store_, Paris1(), resent, kT0);
  EXPECT_TRUE(duplicate.duplicate);
  // A clone's batch under the same key: refused, counted, not stored.
  auto clone = store_->Ingest(
      Paris1(), Batch(7, 1, {NatLog(kT0, "endpoint-independent")}), kT0);
  EXPECT_TRUE(absl::IsAlreadyExists(clone.status())) << clone.status();
  EXPECT_EQ(StateOf(*store_, "paris-1").batch_conflicts(), 1u);
  EXPECT_EQ(StateOf(*store_, "paris-1").log_nat_type(), "symmetric");
  EXPECT_EQ(CountRecords("paris-1"), 1);
}

TEST_P(FactStoreConformance, ClockSkewComesFromTheNewestBatch) {
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h1", "", "").ok());
  v1::IngestRequest batch = Batch(1, 1, {NatLog(kT0, "symmetric")});
  conformance::SetTime(kT0 + absl::Seconds(90), batch.mutable_sent());
  MustIngest(*store_, Paris1(), batch, kT0);
  EXPECT_EQ(StateOf(*store_, "paris-1").clock_skew_seconds(), 90);
  batch = Batch(1, 2, {});
  conformance::SetTime(kT0 - absl::Seconds(30), batch.mutable_sent());
  MustIngest(*store_, Paris1(), batch, kT0);
  EXPECT_EQ(StateOf(*store_, "paris-1").clock_skew_seconds(), -30);
}

TEST_P(FactStoreConformance, OneFutureDateDoesNotFreezeTheLatestNatType) {
  ASSERT_TRUE(store_->EnrollAgent(Paris1(), "h1", "", "").ok());
  const absl::Time far_future = absl::FromCivil(
      absl::CivilSecond(9999, 12, 30, 0, 0, 0), absl::UTCTimeZone());
  MustIngest(*store_, Paris1(), Batch(1, 1, {NatLog(far_future, "symmetric")}),
             kT0);
  MustIngest(*store_, Paris1(),
             Batch(1, 2, {NatLog(kT0 + absl::Minutes(5), "port-restricted")}),
             kT0 + absl::Minutes(5));
  EXPECT_EQ(StateOf(*store_, "paris-1").log_nat_type(), "port-restricted");
}

TEST_P(FactStoreConformance, RecentActivityCountsTunnelsAndRelayErrorsInTheWindow) {
  const auto a = Agent("a1", "paris", natscope::v1::ROLE_CONNECTOR);
  const auto b = Agent("b1", "paris", natscope::v1::ROLE_CLIENT);
  const auto other = Agent("c1", "berlin", natscope::v1::ROLE_CLIENT);
  Register(*store_, a);
  Register(*store_, b);
  Register(*store_, other);
  const absl::Time old = kT0 - absl::Hours(30);
  MustIngest(*store_, a,
             Batch(1, 1, {LogLine(old, "analytics", "tunnel_path", "relayed")}), old);
  MustIngest(*store_, a,
             Batch(1, 2, {LogLine(kT0 - absl::Minutes(3), "analytics", "tunnel_path", "relayed"),
                          LogLine(kT0 - absl::Minutes(2), "analytics", "tunnel_path", "relayed"),
                          LogLine(kT0 - absl::Minutes(9), "analytics", "tunnel_path", "direct"),
                          LogLine(kT0 - absl::Minutes(1), "analytics", "tunnel_proto", "udp"),
                          LogLine(kT0 - absl::Minutes(5), "relay_unavailable", "relay", "1.2.3.4"),
                          LogLine(kT0 - absl::Minutes(8), "sdwan_state", "state", "Online"),
                          LogLine(kT0 - absl::Minutes(4), "sdwan_state", "state", "Offline User")}),
             kT0);
  MustIngest(*store_, other,
             Batch(1, 1, {LogLine(kT0, "analytics", "tunnel_path", "relayed")}), kT0);
  // b1: a tunnel_proto-only line (counts nothing) and an old sdwan_state
  // (the newest is reported whatever its age).
  MustIngest(*store_, b,
             Batch(1, 1, {LogLine(kT0 - absl::Minutes(1), "analytics", "tunnel_proto", "udp"),
                          LogLine(old, "sdwan_state", "state", "Online")}),
             kT0);

  auto activity = store_->RecentActivity("paris", kT0 - absl::Hours(24));
  ASSERT_TRUE(activity.ok()) << activity.status();
  ASSERT_EQ(activity->size(), 2u);  // c1 is in berlin.
  const analyzer::AgentActivity& quiet = activity->at("b1");
  EXPECT_EQ(quiet.direct + quiet.relayed + quiet.relay_unavailable, 0u);
  EXPECT_EQ(quiet.sdwan_state, "Online");
  EXPECT_EQ(quiet.sdwan_state_time, old);
  const analyzer::AgentActivity& got = activity->at("a1");
  EXPECT_EQ(got.relayed, 2u);  // Not the 30-hour-old one.
  EXPECT_EQ(got.direct, 1u);
  EXPECT_EQ(got.relay_unavailable, 1u);
  EXPECT_EQ(got.last_tunnel, kT0 - absl::Minutes(2));
  EXPECT_EQ(got.sdwan_state, "Offline User");
  EXPECT_EQ(got.sdwan_state_time, kT0 - absl::Minutes(4));
  EXPECT_EQ(got.relay_listener_errors, 0u);
}

TEST_P(FactStoreConformance, RecentActivityCountsRelayListenerErrors) {
  const auto a = Agent("a1", "paris", natscope::v1::ROLE_CONNECTOR);
  Register(*store_, a);
  // Two batches in one hour add up; the line 30 hours old is outside the
  // window. An agent with only these lines is listed.
  MustIngest(*store_, a,
             Batch(1, 1, {LogLine(kT0 - absl::Hours(30), "relay_listener_failed",
                                  "listener", "ice://any"),
                          LogLine(kT0 - absl::Minutes(7), "relay_listener_failed",
                                  "listener", "ice://any")}),
             kT0 - absl::Minutes(6));
  MustIngest(*store_, a,
             Batch(1, 2, {LogLine(kT0 - absl::Minutes(2), "relay_listener_failed",
                                  "listener", "ice://any")}),
             kT0);
  auto activity = store_->RecentActivity("paris", kT0 - absl::Hours(24));
  ASSERT_TRUE(activity.ok()) << activity.status();
  ASSERT_EQ(activity->size(), 1u);
  const analyzer::AgentActivity& got = activity->at("a1");
  EXPECT_EQ(got.relay_listener_errors, 2u);
  EXPECT_EQ(got.direct + got.relayed + got.relay_unavailable, 0u);
}

}  // namespace
}  // namespace natscope::server
