// QueryServiceCore and the agents' own health, over a MemoryStore: GetAgent,
// ListAgents' unhealthy_only filter, and each site's unhealthy_agents.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/proto_time.h"
#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "server/analysis/site_refresher.h"
#include "server/service/query_service.h"
#include "server/store/memory_store.h"

namespace natscope::server {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

class QueryServiceHealthTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store_.Migrate().ok()); }

  // Enrols `id` at `site` (version 0.1.0) and, unless `at` is infinite
  // past, ingests at `at` one probe and a self-report of version 0.2.0
  // that lost `dropped` records.
  void AddAgent(const std::string& site, const std::string& id, absl::Time at,
                uint64_t dropped = 0) {
    v1::AgentIdentity agent;
    agent.set_agent_id(id);
    agent.set_site(site);
    agent.set_role(v1::ROLE_CLIENT);
    agent.set_version("0.1.0");
    ASSERT_TRUE(store_.EnrollAgent(agent, "hash-" + id, "", "").ok());
    if (at == absl::InfinitePast()) return;
    v1::IngestRequest batch;
    batch.set_epoch(1);
    batch.set_sequence(1);
    batch.mutable_agent()->set_version("0.2.0");
    *batch.mutable_sent() = ToProtoTime(at);
    batch.mutable_counters()->set_records_dropped(dropped);
    batch.mutable_counters()->set_spool_capacity_bytes(1 << 20);
    v1::ProbeReport* probe = batch.add_records()->mutable_probe();
    *probe->mutable_time() = ToProtoTime(at);
    probe->set_udp_reachable(true);
    probe->set_mapping_behavior(v1::MAPPING_ENDPOINT_INDEPENDENT);
    auto result = store_.Ingest(agent, batch, at);
    ASSERT_TRUE(result.ok()) << result.status();
  }

  // paris: "ok" reported a minute ago, "lossy" lost records, "quiet" has
  // been silent for two hours, "new" never sent a batch.
  void AddParis() {
    AddAgent("paris", "ok", kNow - absl::Minutes(1));
    AddAgent("paris", "lossy", kNow - absl::Minutes(1), /*dropped=*/4);
    AddAgent("paris", "quiet", kNow - absl::Hours(2));
    AddAgent("paris", "new", absl::InfinitePast());
    AddAgent("lyon", "lyon-1", kNow - absl::Minutes(1));
  }

  MemoryStore store_;
  QueryServiceCore core_{&store_, &store_, &store_, nullptr};
};

TEST_F(QueryServiceHealthTest, GetAgentDescribesAndJudgesOneAgent) {
  AddParis();
  v1::GetAgentRequest request;
  request.set_agent_id("ok");
  absl::StatusOr<v1::AgentState> ok = core_.GetAgent(request, kNow);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->identity().agent_id(), "ok");
  EXPECT_EQ(ok->reported_nat_type(), "endpoint-independent");  // Described.
  EXPECT_TRUE(ok->health().healthy());
  EXPECT_EQ(ok->health().version(), "0.2.0");
  EXPECT_EQ(ok->health().counters().spool_capacity_bytes(), 1u << 20);
  EXPECT_EQ(ok->health().last_probe_time().seconds(),
            absl::ToUnixSeconds(kNow - absl::Minutes(1)));

  request.set_agent_id("lossy");
  absl::StatusOr<v1::AgentState> lossy = core_.GetAgent(request, kNow);
  ASSERT_TRUE(lossy.ok()) << lossy.status();
  EXPECT_FALSE(lossy->health().healthy());
  ASSERT_EQ(lossy->health().problems_size(), 1);
  EXPECT_TRUE(
      absl::StrContains(lossy->health().problems(0), "lost 4 record(s)"));

  request.set_agent_id("nobody");
  absl::StatusOr<v1::AgentState> none = core_.GetAgent(request, kNow);
  EXPECT_TRUE(absl::IsNotFound(none.status())) << none.status();
  EXPECT_TRUE(absl::StrContains(none.status().message(), "natscope agents"));
  request.set_agent_id("");
  EXPECT_TRUE(absl::IsInvalidArgument(core_.GetAgent(request, kNow).status()));
}

TEST_F(QueryServiceHealthTest,
       ListAgentsUnhealthyOnlyPagesThroughTheUnhealthy) {
  AddParis();
  v1::ListAgentsRequest request;
  request.set_unhealthy_only(true);
  request.set_page_size(1);
  std::vector<std::string> ids;
  for (int page = 0; page < 10; ++page) {
    absl::StatusOr<v1::ListAgentsResponse> response =
        core_.ListAgents(request, kNow);
    ASSERT_TRUE(response.ok()) << response.status();
    for (const v1::AgentState& agent : response->agents()) {
      ids.push_back(agent.identity().agent_id());
      EXPECT_FALSE(agent.health().problems().empty())
          << agent.identity().agent_id();
    }
    if (response->next_page_token().empty()) break;
    request.set_page_token(response->next_page_token());
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"lossy", "new", "quiet"}));

  // Unfiltered, every agent carries its verdict.
  absl::StatusOr<v1::ListAgentsResponse> all =
      core_.ListAgents(v1::ListAgentsRequest(), kNow);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->agents_size(), 5);
  EXPECT_EQ(all->agents(1).identity().agent_id(), "lyon-1");
  EXPECT_TRUE(all->agents(1).health().healthy());
  EXPECT_FALSE(all->agents(2).health().healthy());  // new
}

TEST_F(QueryServiceHealthTest, SitesCountTheirUnhealthyAgents) {
  AddParis();
  v1::GetSiteHealthRequest paris;
  paris.set_site("paris");
  absl::StatusOr<v1::SiteHealth> live = core_.GetSiteHealth(paris, kNow);
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_EQ(live->summary().unhealthy_agents(), 3u);

  // The stored summaries (ListSites), computed by the refresher.
  SimClock clock(kNow);
  SiteRefresher refresher(&store_, &store_, &clock);
  ASSERT_TRUE(refresher.RefreshDirty().ok());
  absl::StatusOr<v1::ListSitesResponse> sites =
      core_.ListSites(v1::ListSitesRequest(), kNow);
  ASSERT_TRUE(sites.ok()) << sites.status();
  ASSERT_EQ(sites->sites_size(), 2);
  for (const v1::SiteSummary& site : sites->sites()) {
    EXPECT_EQ(site.unhealthy_agents(), site.site() == "paris" ? 3u : 0u)
        << site.site();
  }
}

}  // namespace
}  // namespace natscope::server
