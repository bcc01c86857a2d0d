#include "server/store/store_conformance.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/store/store_conformance_util.h"

namespace natscope::server {

using natscope::v1::AgentIdentity;
using natscope::v1::AgentState;
using natscope::v1::IngestRequest;
using natscope::v1::Record;
using natscope::v1::SiteSummary;

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

namespace {

using namespace conformance;  // NOLINT: the suite's builders.

Record OtherLog(absl::Time t) {
  Record record = NatLog(t, "x");
  record.mutable_log()->set_kind("tunnel_relayed");
  record.mutable_log()->mutable_fields()->clear();
  return record;
}

AgentState StateOf(Store& store, const std::string& agent_id) {
  absl::StatusOr<std::vector<AgentState>> agents =
      store.ListAgents("", "", 1000);
  EXPECT_TRUE(agents.ok()) << agents.status();
  for (const AgentState& state : agents.value_or(std::vector<AgentState>())) {
    if (state.identity().agent_id() == agent_id) return state;
  }
  ADD_FAILURE() << "no agent " << agent_id;
  return AgentState();
}

}  // namespace

TEST_P(StoreConformanceTest, MigrateTwiceIsIdempotent) {
  ASSERT_TRUE(store_->Migrate().ok());
  ASSERT_TRUE(store_->Migrate().ok());
  Register(*store_, Agent("a1", "paris", natscope::v1::ROLE_CLIENT));
  EXPECT_TRUE(store_->AgentByCredentialHash("hash-a1").ok());
}

TEST_P(StoreConformanceTest, UpsertedAgentIsFoundByItsCredentialHash) {
  const AgentIdentity agent = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, agent);
  absl::StatusOr<AgentIdentity> found =
      store_->AgentByCredentialHash("hash-a1");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*found, agent))
      << found->DebugString();
}

TEST_P(StoreConformanceTest, UpsertReplacesIdentityAndCredential) {
  Register(*store_, Agent("a1", "paris", natscope::v1::ROLE_CLIENT));
  const AgentIdentity moved = Agent("a1", "lyon", natscope::v1::ROLE_CONNECTOR);
  ASSERT_TRUE(store_->UpsertAgent(moved, "new-hash").ok());
  EXPECT_EQ(store_->AgentByCredentialHash("hash-a1").status().code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<AgentIdentity> found =
      store_->AgentByCredentialHash("new-hash");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->site(), "lyon");
  EXPECT_EQ(found->role(), natscope::v1::ROLE_CONNECTOR);
}

TEST_P(StoreConformanceTest, UnknownCredentialHashIsNotFound) {
  Register(*store_, Agent("a1", "paris", natscope::v1::ROLE_CLIENT));
  EXPECT_EQ(store_->AgentByCredentialHash("no-such-hash").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, IngestStoresEveryRecord) {
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
  EXPECT_EQ(store_->CountRecords("a1").value_or(-1), 3);
  EXPECT_EQ(store_->CountRecords("a2").value_or(-1), 0);
  EXPECT_EQ(store_->CountRecords("nobody").value_or(-1), 0);
}

TEST_P(StoreConformanceTest, SameBatchTwiceIsADuplicateStoredOnce) {
  const AgentIdentity agent = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, agent);
  const IngestRequest batch = Batch(7, 1, {OtherLog(kT0), OtherLog(kT0)});
  EXPECT_FALSE(MustIngest(*store_, agent, batch, kT0).duplicate);
  const IngestResult again = MustIngest(*store_, agent, batch, kT0);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.records_committed, 0u);
  EXPECT_EQ(store_->CountRecords("a1").value_or(-1), 2);
}

TEST_P(StoreConformanceTest, NewEpochRestartingAtSequenceOneIsStored) {
  const AgentIdentity agent = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, agent);
  EXPECT_FALSE(
      MustIngest(*store_, agent, Batch(7, 1, {OtherLog(kT0)}), kT0).duplicate);
  EXPECT_FALSE(
      MustIngest(*store_, agent, Batch(UINT64_MAX, 1, {OtherLog(kT0)}), kT0)
          .duplicate);
  EXPECT_EQ(store_->CountRecords("a1").value_or(-1), 2);
}

TEST_P(StoreConformanceTest, SameBatchNumberOfAnotherAgentIsNotADuplicate) {
  const AgentIdentity a1 = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  const AgentIdentity a2 = Agent("a2", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, a1);
  Register(*store_, a2);
  EXPECT_FALSE(
      MustIngest(*store_, a1, Batch(7, 1, {OtherLog(kT0)}), kT0).duplicate);
  EXPECT_FALSE(
      MustIngest(*store_, a2, Batch(7, 1, {OtherLog(kT0)}), kT0).duplicate);
}

TEST_P(StoreConformanceTest, IngestForAnUnregisteredAgentIsNotFound) {
  EXPECT_EQ(store_
                ->Ingest(Agent("ghost", "paris", natscope::v1::ROLE_CLIENT),
                         Batch(1, 1, {OtherLog(kT0)}), kT0)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, AwkwardTextIsStored) {
  const AgentIdentity agent = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, agent);
  Record record = NatLog(kT0, "it's \"quoted\" \\ and\ttabbed");
  record.mutable_log()->set_raw_line(std::string("nul\0byte \xFF bad", 14));
  (*record.mutable_log()->mutable_fields())["\x01key"] = "\xE2\x82";
  EXPECT_EQ(
      MustIngest(*store_, agent, Batch(1, 1, {record}), kT0).records_committed,
      1u);
  EXPECT_EQ(StateOf(*store_, "a1").reported_nat_type(),
            "it's \"quoted\" \\ and\ttabbed");
}

TEST_P(StoreConformanceTest, ListSitesCountsAgentsByRoleAndNatType) {
  using natscope::v1::ROLE_CLIENT;
  using natscope::v1::ROLE_CONNECTOR;
  const auto ingest = [this](const AgentIdentity& agent,
                             std::vector<Record> records, absl::Time at) {
    Register(*store_, agent);
    MustIngest(*store_, agent, Batch(1, 1, std::move(records)), at);
  };
  // The product's log wins over the probe.
  ingest(Agent("c1", "paris", ROLE_CLIENT),
         {NatLog(kT0, "endpoint-independent"),
          Probe(kT0, true, natscope::v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT)},
         kT0);
  ingest(Agent("c2", "paris", ROLE_CLIENT),
         {Probe(kT0, true, natscope::v1::MAPPING_ENDPOINT_INDEPENDENT)}, kT0);
  ingest(Agent("c3", "paris", ROLE_CLIENT), {Probe(kT0, false, {})},
         kT0 + absl::Minutes(5));
  ingest(Agent("k1", "paris", ROLE_CONNECTOR),
         {Probe(kT0, true, natscope::v1::MAPPING_ADDRESS_DEPENDENT)}, kT0);
  Register(*store_, Agent("k2", "paris", ROLE_CONNECTOR));  // Silent.
  ingest(Agent("b1", "berlin", ROLE_CLIENT),
         {Probe(kT0, true, natscope::v1::MAPPING_NO_NAT)}, kT0);

  absl::StatusOr<std::vector<SiteSummary>> sites = store_->ListSites();
  ASSERT_TRUE(sites.ok()) << sites.status();
  ASSERT_EQ(sites->size(), 2u);
  EXPECT_EQ((*sites)[0].site(), "berlin");
  const SiteSummary& paris = (*sites)[1];
  EXPECT_EQ(paris.site(), "paris");
  EXPECT_EQ(paris.clients(), 3u);
  EXPECT_EQ(paris.connectors(), 2u);
  std::vector<std::tuple<int, std::string, uint32_t>> counts;
  for (const natscope::v1::NatTypeCount& c : paris.nat_types()) {
    counts.emplace_back(c.role(), c.nat_type(), c.agents());
  }
  EXPECT_EQ(counts, (std::vector<std::tuple<int, std::string, uint32_t>>{
                        {ROLE_CLIENT, "endpoint-independent", 2},
                        {ROLE_CLIENT, "udp-blocked", 1},
                        {ROLE_CONNECTOR, "endpoint-dependent", 1},
                        {ROLE_CONNECTOR, "unknown", 1}}));
  EXPECT_EQ(paris.last_seen().seconds(),
            absl::ToUnixSeconds(kT0 + absl::Minutes(5)));
}

TEST_P(StoreConformanceTest, LatestStateFollowsRecordTimeThenArrival) {
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
  EXPECT_EQ(state.reported_nat_type(), "endpoint-dependent");
  EXPECT_EQ(state.mapping_behavior(), natscope::v1::MAPPING_NO_NAT);
  EXPECT_EQ(state.last_seen().seconds(), absl::ToUnixSeconds(late));
  // ...but on a tie the later arrival wins, within a batch and across.
  MustIngest(
      *store_, agent,
      Batch(1, 3,
            {NatLog(late, "first"), NatLog(late, "second"),
             Probe(late, true, natscope::v1::MAPPING_ADDRESS_DEPENDENT)}),
      late);
  state = StateOf(*store_, "a1");
  EXPECT_EQ(state.reported_nat_type(), "second");
  EXPECT_EQ(state.mapping_behavior(), natscope::v1::MAPPING_ADDRESS_DEPENDENT);
}

TEST_P(StoreConformanceTest, ListAgentsReportsTheLatestProbe) {
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
  EXPECT_EQ(state.reported_nat_type(), "endpoint-dependent");
  EXPECT_EQ(state.mapping_behavior(), natscope::v1::MAPPING_ADDRESS_DEPENDENT);
  EXPECT_EQ(state.filtering_behavior(),
            natscope::v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  EXPECT_EQ(state.public_address(), "203.0.113.7:41641");
  EXPECT_EQ(state.last_seen().seconds(),
            absl::ToUnixSeconds(kT0 + absl::Seconds(3)));
  ASSERT_EQ(state.findings_size(), 1);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      state.findings(0), *finding));
}

TEST_P(StoreConformanceTest, ListAgentsPaginatesInAgentIdOrder) {
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
  EXPECT_EQ((*paris)[0].reported_nat_type(), "unknown");
  EXPECT_EQ(store_->ListAgents("", "", 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, ConcurrentDeliveriesOfOneBatchStoreItOnce) {
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
  EXPECT_EQ(store_->CountRecords("a1").value_or(-1), 2);
}

TEST_P(StoreConformanceTest, ProbeHistoryIsNewestFirstAndBounded) {
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

TEST_P(StoreConformanceTest, NewerSchemaIsRefused) {
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

}  // namespace natscope::server
