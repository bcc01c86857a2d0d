// Forgotten agents (--forget_after) over a MemoryStore and a simulated
// clock: they leave site summaries, analyses, findings and agent lists,
// stay listable with include_forgotten and by id, and come back when they
// report again.
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

constexpr absl::Duration kForgetAfter = absl::Hours(24 * 30);

class QueryServiceForgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Migrate().ok());
    for (const char* id : {"paris-1", "paris-2", "paris-3"}) {
      v1::AgentIdentity agent = Agent(id);
      ASSERT_TRUE(store_.EnrollAgent(agent, std::string("hash-") + id, "", "").ok());
      Report(agent);
    }
  }

  static v1::AgentIdentity Agent(const std::string& id) {
    v1::AgentIdentity agent;
    agent.set_agent_id(id);
    agent.set_site("paris");
    agent.set_role(id == "paris-3" ? v1::ROLE_CONNECTOR : v1::ROLE_CLIENT);
    return agent;
  }

  // One batch of `agent` now: a UDP-blocked probe.
  void Report(const v1::AgentIdentity& agent) {
    v1::IngestRequest batch;
    batch.set_epoch(1);
    batch.set_sequence(++sequence_);
    v1::ProbeReport* probe = batch.add_records()->mutable_probe();
    *probe->mutable_time() = ToProtoTime(clock_.Now());
    v1::Finding* finding = probe->add_findings();
    finding->set_code(v1::FINDING_UDP_BLOCKED);
    finding->set_severity(v1::SEVERITY_CRITICAL);
    ASSERT_TRUE(store_.Ingest(agent, batch, clock_.Now()).ok());
  }

  // The stored summary of paris after a refresh (every site marked).
  v1::SiteSummary Summary() {
    SiteRefresherOptions options;
    options.forget_after = kForgetAfter;
    SiteRefresher refresher(&store_, &store_, &clock_, options);
    EXPECT_TRUE(store_.MarkSitesDirty({}, clock_.Now()).ok());
    EXPECT_TRUE(refresher.RefreshDirty().ok());
    auto sites = core_.ListSites(v1::ListSitesRequest());
    EXPECT_TRUE(sites.ok() && sites->sites_size() == 1);
    return sites.ok() && sites->sites_size() == 1 ? sites->sites(0)
                                                  : v1::SiteSummary();
  }

  std::vector<std::string> Listed(bool include_forgotten) {
    v1::ListAgentsRequest request;
    request.set_include_forgotten(include_forgotten);
    auto response = core_.ListAgents(request, clock_.Now());
    EXPECT_TRUE(response.ok()) << response.status();
    std::vector<std::string> ids;
    if (!response.ok()) return ids;
    for (const auto& agent : response->agents()) {
      ids.push_back(agent.identity().agent_id());
    }
    return ids;
  }

  SimClock clock_{absl::FromUnixSeconds(1800000000)};
  MemoryStore store_;
  QueryServiceCore core_{&store_, &store_, &store_, nullptr, kForgetAfter};
  uint64_t sequence_ = 0;
};

TEST(IsForgottenTest, OnlyAnAgentSilentForLongerThanForgetAfter) {
  const absl::Time now = absl::FromUnixSeconds(1800000000);
  v1::AgentState agent;
  EXPECT_FALSE(IsForgotten(agent, now, absl::Hours(1))) << "never seen";
  *agent.mutable_last_seen() = ToProtoTime(now - absl::Hours(1));
  EXPECT_FALSE(IsForgotten(agent, now, absl::Hours(1)));
  EXPECT_TRUE(IsForgotten(agent, now + absl::Seconds(1), absl::Hours(1)));
  EXPECT_FALSE(IsForgotten(agent, now + absl::Hours(24 * 365),
                           absl::InfiniteDuration()));
}

TEST_F(QueryServiceForgetTest, SilentAgentsLeaveEveryCountAndComeBack) {
  EXPECT_EQ(Summary().clients(), 2u);
  clock_.Advance(kForgetAfter - absl::Hours(1));
  Report(Agent("paris-2"));
  Report(Agent("paris-3"));
  EXPECT_EQ(Summary().clients(), 2u) << "paris-1 is silent, not forgotten";

  clock_.Advance(absl::Hours(2));  // paris-1: over 30 days.
  Report(Agent("paris-2"));
  Report(Agent("paris-3"));
  const v1::SiteSummary summary = Summary();
  EXPECT_EQ(summary.clients(), 1u);
  EXPECT_EQ(summary.connectors(), 1u);
  EXPECT_EQ(summary.unhealthy_agents(), 0u) << "paris-1 is not counted";
  for (const v1::FindingCount& count : summary.finding_counts()) {
    if (count.code() == v1::FINDING_UDP_BLOCKED) {
      EXPECT_EQ(count.agents(), 2u);
    }
  }

  v1::GetSiteHealthRequest site;
  site.set_site("paris");
  auto analysis = core_.GetSiteAnalysis(site, clock_.Now());
  ASSERT_TRUE(analysis.ok()) << analysis.status();
  EXPECT_EQ(analysis->clients(), 1u);
  v1::ListFindingsRequest findings_request;
  findings_request.set_site("paris");
  auto findings = core_.ListFindings(findings_request, clock_.Now());
  ASSERT_TRUE(findings.ok()) << findings.status();
  for (const v1::AgentFinding& finding : findings->findings()) {
    EXPECT_NE(finding.agent_id(), "paris-1");
  }

  EXPECT_EQ(Listed(false), (std::vector<std::string>{"paris-2", "paris-3"}));
  EXPECT_EQ(Listed(true),
            (std::vector<std::string>{"paris-1", "paris-2", "paris-3"}));
  v1::GetAgentRequest one;
  one.set_agent_id("paris-1");
  EXPECT_TRUE(core_.GetAgent(one, clock_.Now()).ok()) << "still there by id";

  // paris-1 reports again (a check-in is enough).
  v1::IngestRequest check_in;
  check_in.set_epoch(1);
  ASSERT_TRUE(store_.Ingest(Agent("paris-1"), check_in, clock_.Now()).ok());
  EXPECT_EQ(Summary().clients(), 2u);
  EXPECT_EQ(Listed(false).size(), 3u);
}

TEST_F(QueryServiceForgetTest, SiteWithOnlyForgottenAgentsSaysSo) {
  clock_.Advance(kForgetAfter + absl::Hours(1));
  v1::GetSiteHealthRequest site;
  site.set_site("paris");
  auto analysis = core_.GetSiteAnalysis(site, clock_.Now());
  EXPECT_TRUE(absl::IsNotFound(analysis.status()));
  EXPECT_TRUE(absl::StrContains(analysis.status().message(), "--all"))
      << analysis.status();
  // Its summary goes, as that of a site whose agents were removed.
  SiteRefresherOptions options;
  options.forget_after = kForgetAfter;
  SiteRefresher refresher(&store_, &store_, &clock_, options);
  ASSERT_TRUE(store_.MarkSitesDirty({}, clock_.Now()).ok());
  ASSERT_TRUE(refresher.RefreshDirty().ok());
  auto sites = core_.ListSites(v1::ListSitesRequest());
  ASSERT_TRUE(sites.ok()) << sites.status();
  EXPECT_EQ(sites->sites_size(), 0);
}

TEST_F(QueryServiceForgetTest, UnlimitedForgetAfterForgetsNobody) {
  core_ = QueryServiceCore(&store_, &store_, &store_, nullptr);
  clock_.Advance(absl::Hours(24 * 400));
  EXPECT_EQ(Listed(false).size(), 3u);
}

}  // namespace
}  // namespace natscope::server
