// The conformance suite's intake tests (FactStore::IngestIntake): hosts
// registered as log-only agents, each record stored once whatever the
// shipper resends, and no way into another site.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/store/store_conformance.h"
#include "server/store/store_conformance_util.h"

namespace natscope::server {
namespace {

using namespace conformance;  // NOLINT: the suite's builders.

IngestRequest Lines(const std::vector<Record>& records) {
  return Batch(0, 0, records);
}

IngestResult MustIngestIntake(FactStore& store, const AgentIdentity& host,
                              const IngestRequest& batch,
                              const std::vector<std::string>& digests,
                              absl::Time received) {
  absl::StatusOr<IngestResult> result =
      store.IngestIntake(host, batch, digests, received);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : IngestResult();
}

TEST_P(FactStoreConformance, IntakeRegistersTheHostAsALogOnlyAgent) {
  const AgentIdentity host = Agent("laptop-7", "paris", natscope::v1::ROLE_CLIENT);
  const IngestResult result = MustIngestIntake(
      *store_, host,
      Lines({NatLog(kT0, "endpoint-dependent"), OtherLog(kT0)}), {"d1", "d2"},
      kT0 + absl::Seconds(1));
  EXPECT_EQ(result.records_committed, 2u);
  EXPECT_EQ(result.duplicate_records, 0u);
  EXPECT_EQ(CountRecords("laptop-7"), 2);
  const AgentState state = StateOf(*store_, "laptop-7");
  EXPECT_TRUE(state.intake());
  EXPECT_EQ(state.identity().site(), "paris");
  EXPECT_EQ(state.identity().role(), natscope::v1::ROLE_CLIENT);
  EXPECT_EQ(state.log_nat_type(), "endpoint-dependent");
  EXPECT_EQ(store_->AgentById("laptop-7")->site(), "paris");
  // No credential: nothing authenticates as it.
  EXPECT_FALSE(store_->AgentByCredentialHash("").ok());
}

TEST_P(FactStoreConformance, IntakeStoresEachDigestOnce) {
  const AgentIdentity host = Agent("laptop-7", "paris", natscope::v1::ROLE_CLIENT);
  const IngestRequest first = Lines({OtherLog(kT0), OtherLog(kT0)});
  MustIngestIntake(*store_, host, first, {"d1", "d2"}, kT0);
  // The shipper resends both with a new one; the same digest twice in one
  // submission counts once.
  const IngestResult again = MustIngestIntake(
      *store_, host,
      Lines({OtherLog(kT0), OtherLog(kT0), OtherLog(kT0), OtherLog(kT0)}),
      {"d1", "d2", "d3", "d3"}, kT0 + absl::Minutes(1));
  EXPECT_EQ(again.records_committed, 1u);
  EXPECT_EQ(again.duplicate_records, 3u);
  EXPECT_EQ(CountRecords("laptop-7"), 3);
  // A digest names one agent's line (it covers the agent id): another
  // host's lines have digests of their own.
  MustIngestIntake(*store_, Agent("laptop-8", "paris", natscope::v1::ROLE_CLIENT),
                   Lines({OtherLog(kT0)}), {"e1"}, kT0);
  EXPECT_EQ(CountRecords("laptop-8"), 1);
}

TEST_P(FactStoreConformance, IntakeCannotReachAHostOfAnotherSite) {
  Register(*store_, Agent("shared-name", "berlin", natscope::v1::ROLE_CLIENT));
  MustIngestIntake(*store_, Agent("laptop-9", "berlin", natscope::v1::ROLE_CLIENT),
                   Lines({OtherLog(kT0)}), {"d1"}, kT0);
  for (const char* id : {"shared-name", "laptop-9"}) {
    const absl::StatusOr<IngestResult> refused = store_->IngestIntake(
        Agent(id, "paris", natscope::v1::ROLE_CLIENT),
        Lines({NatLog(kT0, "endpoint-dependent")}), {"d9"}, kT0);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied)
        << id << ": " << refused.status();
    EXPECT_EQ(StateOf(*store_, id).identity().site(), "berlin");
    EXPECT_EQ(StateOf(*store_, id).log_nat_type(), "") << id;
  }
  EXPECT_EQ(CountRecords("shared-name"), 0);
}

TEST_P(FactStoreConformance, IntakeForAnEnrolledAgentOfTheSiteUsesIt) {
  const AgentIdentity agent = Agent("conn-1", "paris", natscope::v1::ROLE_CONNECTOR);
  Register(*store_, agent);
  MustIngestIntake(*store_, Agent("conn-1", "paris", natscope::v1::ROLE_CLIENT),
                   Lines({NatLog(kT0, "endpoint-independent")}), {"d1"}, kT0);
  const AgentState state = StateOf(*store_, "conn-1");
  EXPECT_FALSE(state.intake());
  EXPECT_EQ(state.identity().role(), natscope::v1::ROLE_CONNECTOR);
  EXPECT_EQ(state.log_nat_type(), "endpoint-independent");
}

TEST_P(FactStoreConformance, EnrollingAnIntakeHostMakesItAnAgent) {
  const AgentIdentity host = Agent("laptop-7", "paris", natscope::v1::ROLE_CLIENT);
  MustIngestIntake(*store_, host, Lines({OtherLog(kT0)}), {"d1"}, kT0);
  Register(*store_, host);
  EXPECT_FALSE(StateOf(*store_, "laptop-7").intake());
  EXPECT_EQ(CountRecords("laptop-7"), 1);
}

TEST_P(FactStoreConformance, IntakeDigestsGoWithRetentionAndRemoval) {
  const AgentIdentity host = Agent("laptop-7", "paris", natscope::v1::ROLE_CLIENT);
  MustIngestIntake(*store_, host, Lines({OtherLog(kT0)}), {"d1"}, kT0);
  ASSERT_TRUE(store_->ApplyRetention(kT0 + absl::Hours(72), kT0).ok());
  EXPECT_EQ(MustIngestIntake(*store_, host, Lines({OtherLog(kT0)}), {"d1"},
                             kT0 + absl::Hours(72))
                .records_committed,
            1u)
      << "a digest older than retention is forgotten with its record";
  ASSERT_TRUE(store_->RemoveAgent("laptop-7").ok());
  EXPECT_EQ(MustIngestIntake(*store_, host, Lines({OtherLog(kT0)}), {"d1"},
                             kT0 + absl::Hours(72))
                .records_committed,
            1u)
      << "a removed host starts afresh";
}

TEST_P(FactStoreConformance, IntakeRefusesMalformedCalls) {
  const AgentIdentity host = Agent("laptop-7", "paris", natscope::v1::ROLE_CLIENT);
  EXPECT_EQ(store_->IngestIntake(host, Lines({OtherLog(kT0)}), {}, kT0)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_
                ->IngestIntake(host,
                               Lines({Probe(kT0, true,
                                            natscope::v1::MAPPING_ENDPOINT_INDEPENDENT)}),
                               {"d1"}, kT0)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(store_->AgentById("laptop-7").ok()) << "nothing registered";
}

}  // namespace
}  // namespace natscope::server
