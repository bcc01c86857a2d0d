// QueryServiceCore's findings and trends against a real PostgreSQL (one
// database per test): the fleet's findings, a site's (site-level ones
// included), the --finding filter, and the trend of shares and findings.
#include "server/service/query_service.h"

#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analyzer/evidence/aws_ranges.h"
#include "common/clock.h"
#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "server/analysis/site_refresher.h"
#include "server/service/query_service_test_fixture.h"
#include "server/store/pg_test_env.h"

namespace natscope::server {
namespace {

TEST_F(QueryServiceTest, FleetFindingsCountSitesAndAgents) {
  core_ = QueryServiceCore(store_.get(), store_.get(), store_.get(), nullptr);
  AddAgent("a", "a1", v1::ROLE_CLIENT, true);
  AddAgent("a", "a2", v1::ROLE_CONNECTOR, true);
  AddAgent("b", "b1", v1::ROLE_CLIENT, true);
  AddAgent("c", "c1", v1::ROLE_CLIENT, false);
  Refresh();
  auto fleet = core_.ListFindings(v1::ListFindingsRequest(), clock_.Now());
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  ASSERT_GE(fleet->fleet_size(), 1);
  const v1::FleetFinding& udp = fleet->fleet(0);
  EXPECT_EQ(udp.code(), v1::FINDING_UDP_BLOCKED);
  EXPECT_EQ(udp.sites(), 2u);
  EXPECT_EQ(udp.agents(), 3u);
  ASSERT_EQ(udp.worst_sites_size(), 2);
  EXPECT_EQ(udp.worst_sites(0), "a");
  EXPECT_FALSE(udp.remediation().empty());
  EXPECT_TRUE(fleet->findings().empty());

  v1::ListFindingsRequest one;
  one.set_site("a");
  auto site = core_.ListFindings(one, clock_.Now());
  ASSERT_TRUE(site.ok());
  // Both probes' UDP_BLOCKED, and the analyzer's own finding for the
  // connector whose STUN discovery cannot work.
  ASSERT_EQ(site->findings_size(), 3);
  int derived = 0;
  for (const v1::AgentFinding& f : site->findings()) {
    if (f.finding().code() == v1::FINDING_STUN_DISCOVERY_UNAVAILABLE) {
      ++derived;
      EXPECT_EQ(f.agent_id(), "a2");
    }
  }
  EXPECT_EQ(derived, 1);
  EXPECT_TRUE(site->fleet().empty());
  one.set_site("nowhere");
  EXPECT_EQ(core_.ListFindings(one, clock_.Now()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(QueryServiceTest, TrendHasTheHoursPointAndRefusesBadWindows) {
  core_ = QueryServiceCore(store_.get(), store_.get(), store_.get(), nullptr);
  AddAgent("a", "a1", v1::ROLE_CLIENT, false);
  AddAgent("a", "a2", v1::ROLE_CONNECTOR, false);
  Refresh();
  v1::GetTrendRequest request;
  request.set_site("a");
  auto trend = core_.GetTrend(request, clock_.Now());
  ASSERT_TRUE(trend.ok()) << trend.status();
  ASSERT_EQ(trend->points_size(), 1);
  EXPECT_EQ(trend->points(0).clients(), 1u);
  EXPECT_DOUBLE_EQ(trend->points(0).p2p_capable_share(), 1.0);
  EXPECT_EQ(trend->granularity(), v1::TREND_GRANULARITY_HOURLY);

  request.set_granularity(v1::TREND_GRANULARITY_DAILY);
  trend = core_.GetTrend(request, clock_.Now());
  ASSERT_TRUE(trend.ok());
  EXPECT_EQ(trend->points_size(), 1);

  request.set_site("nowhere");
  EXPECT_EQ(core_.GetTrend(request, clock_.Now()).status().code(),
            absl::StatusCode::kNotFound);
  request.set_site("a");
  request.mutable_from()->set_seconds(2000000000);
  request.mutable_to()->set_seconds(1000000000);
  EXPECT_EQ(core_.GetTrend(request, clock_.Now()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// GetTrend gives, beside the share, the agents per finding code at the
// same times, summed over the sites: what the refresher stored.
TEST_F(QueryServiceTest, TrendCountsAgentsPerFindingAtEachPoint) {
  core_ = QueryServiceCore(store_.get(), store_.get(), store_.get(), nullptr);
  AddAgent("a", "a1", v1::ROLE_CLIENT, true);
  AddAgent("a", "a2", v1::ROLE_CONNECTOR, true);
  AddAgent("b", "b1", v1::ROLE_CLIENT, true);
  Refresh();
  for (const char* site : {"b", ""}) {
    v1::GetTrendRequest request;
    request.set_site(site);
    auto trend = core_.GetTrend(request, clock_.Now());
    ASSERT_TRUE(trend.ok()) << trend.status();
    ASSERT_EQ(trend->points_size(), 1);
    ASSERT_GE(trend->findings_size(), 1);
    EXPECT_EQ(trend->findings(0).code(), v1::FINDING_UDP_BLOCKED);  // First to check.
    ASSERT_EQ(trend->findings(0).points_size(), 1);
    EXPECT_EQ(trend->findings(0).points(0).agents(), *site ? 1u : 3u) << site;
    EXPECT_EQ(trend->findings(0).points(0).time().seconds(),
              trend->points(0).time().seconds());
  }
}

// The product's analytics lines reach the analyzer through the store: a
// client whose tunnels are relayed although every pair looks compatible.
TEST_F(QueryServiceTest, RelayedTunnelsDespiteCompatibleNatsAreFound) {
  core_ = QueryServiceCore(store_.get(), store_.get(), store_.get(), nullptr);
  AddAgent("lyon", "lyon-client", v1::ROLE_CLIENT, false);
  AddAgent("lyon", "lyon-connector", v1::ROLE_CONNECTOR, false);
  v1::AgentIdentity client;
  client.set_agent_id("lyon-client");
  client.set_site("lyon");
  client.set_role(v1::ROLE_CLIENT);
  v1::IngestRequest batch;
  batch.set_epoch(1);
  batch.set_sequence(2);
  for (int i = 0; i < 3; ++i) {
    v1::LogEvent* line = batch.add_records()->mutable_log();
    line->set_kind("analytics");
    line->mutable_time()->set_seconds(absl::ToUnixSeconds(clock_.Now()) - 60 * i);
    (*line->mutable_fields())["tunnel_path"] = "relayed";
  }
  ASSERT_TRUE(store_->Ingest(client, batch, clock_.Now()).ok());

  v1::GetSiteHealthRequest request;
  request.set_site("lyon");
  auto view = core_.GetSiteAnalysis(request, clock_.Now());
  ASSERT_TRUE(view.ok()) << view.status();
  bool found = false;
  for (const v1::SiteFinding& f : view->findings()) {
    if (f.code() != v1::FINDING_RELAYED_DESPITE_COMPATIBLE) continue;
    found = true;
    ASSERT_EQ(f.agent_ids_size(), 1);
    EXPECT_EQ(f.agent_ids(0), "lyon-client");
    EXPECT_TRUE(absl::StrContains(absl::StrJoin(f.evidence(), "; "), "3 of 3"))
        << absl::StrJoin(f.evidence(), "; ");
  }
  EXPECT_TRUE(found) << view->DebugString();

  // `natscope findings lyon` lists it too, with the agent and its evidence.
  v1::ListFindingsRequest findings_request;
  findings_request.set_site("lyon");
  auto findings = core_.ListFindings(findings_request, clock_.Now());
  ASSERT_TRUE(findings.ok()) << findings.status();
  int listed = 0;
  for (const v1::AgentFinding& f : findings->findings()) {
    if (f.finding().code() != v1::FINDING_RELAYED_DESPITE_COMPATIBLE) continue;
    ++listed;
    EXPECT_EQ(f.agent_id(), "lyon-client");
    EXPECT_EQ(f.role(), v1::ROLE_CLIENT);
    EXPECT_FALSE(f.finding().remediation().empty());
    EXPECT_TRUE(absl::StrContains(absl::StrJoin(f.finding().evidence(), "; "), "3 of 3"));
  }
  EXPECT_EQ(listed, 1) << findings->DebugString();

  // And `natscope agents --finding relayed-despite-compatible` finds it.
  v1::ListAgentsRequest agents_request;
  agents_request.set_finding(v1::FINDING_RELAYED_DESPITE_COMPATIBLE);
  auto agents = core_.ListAgents(agents_request, clock_.Now());
  ASSERT_TRUE(agents.ok()) << agents.status();
  ASSERT_EQ(agents->agents_size(), 1);
  EXPECT_EQ(agents->agents(0).identity().agent_id(), "lyon-client");
  agents_request.set_finding(v1::FINDING_AWS_NAT_GATEWAY);
  agents = core_.ListAgents(agents_request, clock_.Now());
  ASSERT_TRUE(agents.ok());
  EXPECT_EQ(agents->agents_size(), 0);
}

}  // namespace
}  // namespace natscope::server
