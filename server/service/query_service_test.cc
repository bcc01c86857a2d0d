// QueryServiceCore against a real PostgreSQL (one database per test): agent
// filters with page tokens, sites from stored health, the server's
// re-decision and the errors a dashboard developer sees (findings and
// trends: query_findings_test.cc).
#include "server/service/query_service.h"

#include <memory>
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
#include "server/service/endpoint_dependent_batch.h"
#include "server/service/query_service_test_fixture.h"
#include "server/store/pg_test_env.h"

namespace natscope::server {
namespace {


TEST_F(QueryServiceTest, AgentFiltersPageThroughEveryMatchOnce) {
  core_ = QueryServiceCore(store_.get(), store_.get(), store_.get(), nullptr);
  std::set<std::string> clients, blocked;
  for (int i = 0; i < 30; ++i) {
    const std::string id = absl::StrCat("agent-", i < 10 ? "0" : "", i);
    const bool client = i % 2 == 0;
    const bool udp_blocked = i % 3 == 0;
    AddAgent("paris", id, client ? v1::ROLE_CLIENT : v1::ROLE_CONNECTOR, udp_blocked);
    if (client) clients.insert(id);
    if (udp_blocked) blocked.insert(id);
  }
  AddAgent("berlin", "other-client", v1::ROLE_CLIENT, true);

  v1::ListAgentsRequest request;
  request.set_site("paris");
  request.set_page_size(4);
  request.set_role(v1::ROLE_CLIENT);
  const std::vector<std::string> by_role = AllPages(request);
  EXPECT_EQ(std::set<std::string>(by_role.begin(), by_role.end()), clients);
  EXPECT_EQ(by_role.size(), clients.size());  // Each once.

  request.clear_role();
  request.set_finding(v1::FINDING_UDP_BLOCKED);
  request.set_page_size(3);
  const std::vector<std::string> by_finding = AllPages(request);
  EXPECT_EQ(std::set<std::string>(by_finding.begin(), by_finding.end()), blocked);
  EXPECT_EQ(by_finding.size(), blocked.size());

  request.clear_finding();
  request.set_nat_type("udp-blocked");
  request.set_role(v1::ROLE_CONNECTOR);
  for (const std::string& id : AllPages(request)) {
    EXPECT_TRUE(blocked.count(id) == 1 && clients.count(id) == 0) << id;
  }

  // Unfiltered pages cover the site exactly.
  v1::ListAgentsRequest all;
  all.set_site("paris");
  all.set_page_size(7);
  EXPECT_EQ(AllPages(all).size(), 30u);
}

TEST_F(QueryServiceTest, BadPagingIsInvalidArgumentWithAHint) {
  core_ = QueryServiceCore(store_.get(), store_.get(), store_.get(), nullptr);
  v1::ListAgentsRequest request;
  request.set_page_token("not-a-token");
  auto response = core_.ListAgents(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(response.status().message(), "next_page_token"));
  request.clear_page_token();
  request.set_page_size(5000);
  EXPECT_EQ(core_.ListAgents(request).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(QueryServiceTest, SitesComeFromStoredHealthWorstFirst) {
  core_ = QueryServiceCore(store_.get(), store_.get(), store_.get(), nullptr);
  AddAgent("good", "good-client", v1::ROLE_CLIENT, false);
  AddAgent("good", "good-connector", v1::ROLE_CONNECTOR, false);
  AddAgent("bad", "bad-client", v1::ROLE_CLIENT, true);
  AddAgent("bad", "bad-connector", v1::ROLE_CONNECTOR, true);
  auto before = core_.ListSites(v1::ListSitesRequest());
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->sites_size(), 0);  // Nothing analysed yet.
  Refresh();
  auto sites = core_.ListSites(v1::ListSitesRequest());
  ASSERT_TRUE(sites.ok()) << sites.status();
  ASSERT_EQ(sites->sites_size(), 2);
  EXPECT_EQ(sites->sites(0).site(), "bad");
  EXPECT_EQ(sites->sites(0).worst_finding(), v1::FINDING_UDP_BLOCKED);
  EXPECT_EQ(sites->sites(1).site(), "good");
  EXPECT_EQ(sites->sites(1).p2p_capable_clients(), 1u);
  EXPECT_DOUBLE_EQ(sites->sites(1).p2p_capable_share(), 1.0);
  v1::ListSitesRequest by_name;
  by_name.set_sort_by_name(true);
  EXPECT_EQ(core_.ListSites(by_name)->sites(0).site(), "bad");
  EXPECT_EQ(core_.ListSites(by_name)->sites(1).site(), "good");

  // One site's health is live: a new agent shows before any refresh.
  AddAgent("good", "good-client-2", v1::ROLE_CLIENT, false);
  v1::GetSiteHealthRequest good;
  good.set_site("good");
  auto health = core_.GetSiteHealth(good, clock_.Now());
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->summary().clients(), 2u);
}

TEST_F(QueryServiceTest, SitesPageWithTokensInEitherOrder) {
  core_ = QueryServiceCore(store_.get(), store_.get(), store_.get(), nullptr);
  for (int i = 0; i < 7; ++i) {
    AddAgent(absl::StrCat("site-", i), absl::StrCat("c", i), v1::ROLE_CLIENT, i % 2 == 0);
  }
  Refresh();
  for (const bool by_name : {false, true}) {
    v1::ListSitesRequest all;
    all.set_sort_by_name(by_name);
    auto whole = core_.ListSites(all);
    ASSERT_TRUE(whole.ok());
    ASSERT_EQ(whole->sites_size(), 7);
    v1::ListSitesRequest request = all;
    request.set_page_size(3);
    std::vector<std::string> paged;
    for (int page = 0; page < 10; ++page) {
      auto response = core_.ListSites(request);
      ASSERT_TRUE(response.ok()) << response.status();
      for (const auto& s : response->sites()) paged.push_back(s.site());
      if (response->next_page_token().empty()) break;
      request.set_page_token(response->next_page_token());
    }
    ASSERT_EQ(paged.size(), 7u);
    for (int i = 0; i < 7; ++i) EXPECT_EQ(paged[i], whole->sites(i).site());
    // A token of one sort is refused by the other.
    request.set_sort_by_name(!by_name);
    EXPECT_EQ(core_.ListSites(request).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  v1::ListSitesRequest too_big;
  too_big.set_page_size(10001);
  EXPECT_EQ(core_.ListSites(too_big).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(QueryServiceTest, SiteErrorsSayWhatToDo) {
  core_ = QueryServiceCore(store_.get(), store_.get(), store_.get(), nullptr);
  v1::GetSiteHealthRequest request;
  auto empty = core_.GetSiteAnalysis(request, clock_.Now());
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  request.set_site("nowhere");
  auto missing = core_.GetSiteHealth(request, clock_.Now());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "natscope sites"));
}

// An old agent without AWS ranges (and with a broken mapping rule) called
// a probe behind an AWS NAT gateway endpoint-independent. The server,
// with its own ranges, decides from the stored evidence: its verdict is
// shown, the agent's kept beside it, and the difference said.
TEST_F(QueryServiceTest, TheServerReDecidesStoredProbesWithItsOwnRanges) {
  absl::StatusOr<analyzer::AwsRanges> ranges = analyzer::AwsRanges::ParseJson(
      R"json({"createDate": "2026-12-01-00-00-00", "prefixes": [
        {"ip_prefix": "198.51.100.0/24", "region": "us-east-1",
         "service": "EC2", "network_border_group": "us-east-1"}],
       "ipv6_prefixes": []})json",
      "test ranges");
  ASSERT_TRUE(ranges.ok()) << ranges.status();
  core_ = QueryServiceCore(
      store_.get(), store_.get(), store_.get(),
      FixedAwsRanges(std::make_shared<const analyzer::AwsRanges>(*std::move(ranges))));
  v1::AgentIdentity agent;
  agent.set_agent_id("aws-connector");
  agent.set_site("aws");
  agent.set_role(v1::ROLE_CONNECTOR);
  ASSERT_TRUE(store_->EnrollAgent(agent, "hash-aws", "", "").ok());
  v1::IngestRequest batch = EndpointDependentBatch(clock_.Now());
  v1::ProbeReport* probe = batch.mutable_records(0)->mutable_probe();
  // The agent's own (wrong) verdict.
  probe->set_mapping_behavior(v1::MAPPING_ENDPOINT_INDEPENDENT);
  ASSERT_TRUE(store_->Ingest(agent, batch, clock_.Now()).ok());

  v1::ListAgentsRequest request;
  request.set_site("aws");
  auto listed = core_.ListAgents(request, clock_.Now());
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->agents_size(), 1);
  const v1::AgentState& state = listed->agents(0);
  EXPECT_EQ(state.mapping_behavior(), v1::MAPPING_ADDRESS_DEPENDENT);
  EXPECT_EQ(state.reported_nat_type(), "endpoint-dependent");
  EXPECT_EQ(state.agent_verdict().mapping_behavior(),
            v1::MAPPING_ENDPOINT_INDEPENDENT);
  const std::string differences = absl::StrJoin(state.verdict_differences(), "; ");
  EXPECT_TRUE(absl::StrContains(differences, "finding aws-nat-gateway: server only"))
      << differences;
  EXPECT_TRUE(absl::StrContains(differences, "mapping: agent said endpoint-independent"))
      << differences;

  // The site analysis uses the server's verdict too.
  v1::GetSiteHealthRequest site;
  site.set_site("aws");
  auto view = core_.GetSiteAnalysis(site, clock_.Now());
  ASSERT_TRUE(view.ok()) << view.status();
  bool aws = false;
  for (const v1::SiteFinding& f : view->findings()) {
    aws = aws || f.code() == v1::FINDING_AWS_NAT_GATEWAY;
  }
  EXPECT_TRUE(aws) << view->DebugString();
}

}  // namespace
}  // namespace natscope::server
