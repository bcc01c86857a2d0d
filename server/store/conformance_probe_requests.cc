// The conformance suite's tests of probe requests (AgentRegistry::
// RequestProbe, answered through FactStore::Ingest) and of check-ins, the
// batches without records an idle agent sends to hear those requests.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/store/store_conformance.h"
#include "server/store/store_conformance_util.h"

namespace natscope::server {
namespace {

using namespace conformance;  // NOLINT: the suite's builders.

std::vector<std::string> Ids(const std::vector<AgentIdentity>& agents) {
  std::vector<std::string> ids;
  for (const AgentIdentity& agent : agents) ids.push_back(agent.agent_id());
  return ids;
}

absl::Time RequestedAt(const IngestResult& result) {
  return result.probe_requested.value_or(absl::InfinitePast());
}

// A batch of one probe report started at `started` by the agent's clock,
// sent at `sent` by the agent's clock.
IngestRequest ProbeBatch(uint64_t sequence, absl::Time started,
                         absl::Time sent) {
  IngestRequest batch = Batch(
      1, sequence, {Probe(started, true, natscope::v1::MAPPING_ENDPOINT_INDEPENDENT)});
  SetTime(sent, batch.mutable_sent());
  return batch;
}

TEST_P(AgentRegistryConformance, RequestProbeAsksOneAgentOrASitesLiveAgents) {
  Register(*store_, Agent("paris-1", "paris", natscope::v1::ROLE_CLIENT));
  Register(*store_, Agent("paris-2", "paris", natscope::v1::ROLE_CLIENT));
  Register(*store_, Agent("paris-3", "paris", natscope::v1::ROLE_CONNECTOR));
  Register(*store_, Agent("lyon-1", "lyon", natscope::v1::ROLE_CLIENT));
  MustIngest(*store_, Agent("paris-1", "paris", natscope::v1::ROLE_CLIENT),
             Batch(1, 1, {OtherLog(kT0)}), kT0);
  MustIngest(*store_, Agent("paris-2", "paris", natscope::v1::ROLE_CLIENT),
             Batch(1, 1, {OtherLog(kT0)}), kT0 - absl::Hours(24 * 40));

  // paris-2 was last seen before `seen_since`; paris-3 never was.
  auto asked = store_->RequestProbe("paris", "", kT0 - absl::Hours(24 * 30),
                                    kT0 + absl::Minutes(1));
  ASSERT_TRUE(asked.ok()) << asked.status();
  EXPECT_EQ(Ids(*asked), (std::vector<std::string>{"paris-1", "paris-3"}));
  EXPECT_EQ(StateOf(*store_, "paris-1").probe_requested_at().seconds(),
            absl::ToUnixSeconds(kT0 + absl::Minutes(1)));
  EXPECT_FALSE(StateOf(*store_, "paris-2").has_probe_requested_at());
  EXPECT_FALSE(StateOf(*store_, "lyon-1").has_probe_requested_at());

  // One agent is asked whenever it was last seen.
  asked = store_->RequestProbe("", "paris-2", absl::InfiniteFuture(), kT0);
  ASSERT_TRUE(asked.ok()) << asked.status();
  EXPECT_EQ(Ids(*asked), std::vector<std::string>{"paris-2"});
  EXPECT_TRUE(StateOf(*store_, "paris-2").has_probe_requested_at());
}

TEST_P(AgentRegistryConformance, RequestProbeNeedsOneTargetThatExists) {
  Register(*store_, Paris1());
  EXPECT_TRUE(absl::IsInvalidArgument(
      store_->RequestProbe("", "", absl::InfinitePast(), kT0).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      store_->RequestProbe("paris", "paris-1", absl::InfinitePast(), kT0)
          .status()));
  EXPECT_TRUE(absl::IsNotFound(
      store_->RequestProbe("", "nobody", absl::InfinitePast(), kT0).status()));
  EXPECT_TRUE(absl::IsNotFound(
      store_->RequestProbe("berlin", "", absl::InfinitePast(), kT0).status()));
  EXPECT_FALSE(StateOf(*store_, "paris-1").has_probe_requested_at());
}

TEST_P(FactStoreConformance, ProbeRequestIsRepeatedUntilANewerProbeArrives) {
  Register(*store_, Paris1());
  EXPECT_FALSE(MustIngest(*store_, Paris1(), Batch(1, 1, {OtherLog(kT0)}), kT0)
                   .probe_requested.has_value());
  ASSERT_TRUE(store_->RequestProbe("", "paris-1", absl::InfinitePast(), kT0).ok());

  const absl::Time later = kT0 + absl::Minutes(1);
  EXPECT_EQ(RequestedAt(MustIngest(*store_, Paris1(),
                                   Batch(1, 2, {OtherLog(later)}), later)),
            kT0);
  // A probe that started before the request does not answer it, nor does
  // a duplicate of an earlier batch.
  EXPECT_EQ(RequestedAt(MustIngest(
                *store_, Paris1(),
                ProbeBatch(3, kT0 - absl::Seconds(30), later), later)),
            kT0);
  EXPECT_EQ(RequestedAt(MustIngest(*store_, Paris1(),
                                   Batch(1, 2, {OtherLog(later)}), later)),
            kT0);
  EXPECT_TRUE(StateOf(*store_, "paris-1").has_probe_requested_at());

  const IngestResult answered = MustIngest(
      *store_, Paris1(), ProbeBatch(4, kT0 + absl::Seconds(20), later), later);
  EXPECT_FALSE(answered.probe_requested.has_value());
  EXPECT_FALSE(StateOf(*store_, "paris-1").has_probe_requested_at());
  EXPECT_FALSE(MustIngest(*store_, Paris1(), Batch(1, 5, {OtherLog(later)}),
                          later)
                   .probe_requested.has_value());
}

TEST_P(FactStoreConformance, ProbeRequestIsAnsweredOnTheServersClock) {
  Register(*store_, Paris1());
  ASSERT_TRUE(store_->RequestProbe("paris", "", absl::InfinitePast(), kT0).ok());
  // The agent's clock runs 90 s ahead: its probe "at kT0 + 60s" started
  // 30 s before the request.
  const absl::Time arrival = kT0 + absl::Minutes(2);
  const absl::Time agent_now = arrival + absl::Seconds(90);
  EXPECT_EQ(RequestedAt(MustIngest(
                *store_, Paris1(),
                ProbeBatch(1, kT0 + absl::Seconds(60), agent_now), arrival)),
            kT0);
  EXPECT_FALSE(MustIngest(*store_, Paris1(),
                          ProbeBatch(2, kT0 + absl::Seconds(100), agent_now),
                          arrival)
                   .probe_requested.has_value());
}

TEST_P(FactStoreConformance, NewerProbeRequestReplacesThePendingOne) {
  Register(*store_, Paris1());
  ASSERT_TRUE(store_->RequestProbe("", "paris-1", absl::InfinitePast(), kT0).ok());
  const absl::Time second = kT0 + absl::Minutes(5);
  ASSERT_TRUE(
      store_->RequestProbe("", "paris-1", absl::InfinitePast(), second).ok());
  const absl::Time arrival = kT0 + absl::Minutes(6);
  // Newer than the first request, older than the second.
  EXPECT_EQ(RequestedAt(MustIngest(
                *store_, Paris1(),
                ProbeBatch(1, kT0 + absl::Minutes(1), arrival), arrival)),
            second);
}

TEST_P(FactStoreConformance, CheckInStoresTheAgentsLastContactOnly) {
  Register(*store_, Paris1());
  ASSERT_TRUE(store_->ClaimDirtySites(10).ok());  // The enrolment's mark.
  IngestRequest check_in = Batch(7, 0, {});
  SetTime(kT0 + absl::Seconds(30), check_in.mutable_sent());
  check_in.mutable_agent()->set_version("0.2.0");
  check_in.mutable_counters()->set_spool_bytes(123);
  for (int i = 0; i < 2; ++i) {
    const IngestResult result = MustIngest(*store_, Paris1(), check_in, kT0);
    EXPECT_FALSE(result.duplicate) << "a check-in has no ledger row";
    EXPECT_EQ(result.records_committed, 0u);
  }
  EXPECT_EQ(CountRecords("paris-1"), 0);
  const AgentState state = StateOf(*store_, "paris-1");
  EXPECT_EQ(state.last_seen().seconds(), absl::ToUnixSeconds(kT0));
  EXPECT_EQ(state.clock_skew_seconds(), 30);
  EXPECT_EQ(state.health().version(), "0.2.0");
  EXPECT_EQ(state.health().counters().spool_bytes(), 123u);
  EXPECT_FALSE(state.has_latest_probe());
  auto claimed = store_->ClaimDirtySites(10);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  EXPECT_TRUE(claimed->empty()) << "a check-in does not mark the site";

  // A check-in under a batch's key neither conflicts with it nor takes it.
  check_in.set_sequence(1);
  MustIngest(*store_, Paris1(), check_in, kT0 + absl::Minutes(1));
  const IngestResult batch = MustIngest(
      *store_, Paris1(), Batch(7, 1, {OtherLog(kT0)}), kT0 + absl::Minutes(2));
  EXPECT_FALSE(batch.duplicate);
  EXPECT_EQ(CountRecords("paris-1"), 1);
  EXPECT_FALSE(MustIngest(*store_, Paris1(), check_in, kT0 + absl::Minutes(3))
                   .duplicate);
  EXPECT_EQ(StateOf(*store_, "paris-1").last_seen().seconds(),
            absl::ToUnixSeconds(kT0 + absl::Minutes(3)));
}

TEST_P(FactStoreConformance, CheckInHearsAPendingProbeRequest) {
  Register(*store_, Paris1());
  ASSERT_TRUE(store_->RequestProbe("", "paris-1", absl::InfinitePast(), kT0).ok());
  EXPECT_EQ(RequestedAt(MustIngest(*store_, Paris1(), Batch(1, 0, {}),
                                   kT0 + absl::Minutes(5))),
            kT0);
}

TEST_P(FactStoreConformance, CheckInOfAnUnregisteredAgentIsNotFound) {
  EXPECT_TRUE(absl::IsNotFound(
      store_->Ingest(Paris1(), Batch(1, 0, {}), kT0).status()));
}

}  // namespace
}  // namespace natscope::server
