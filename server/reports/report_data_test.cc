#include "server/reports/report_data.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "server/analysis/site_refresher.h"
#include "server/store/memory_store.h"

namespace natscope::server {
namespace {

v1::SiteSummary Site(const std::string& name, int clients, int p2p, int connectors,
                     v1::FindingCode finding = v1::FINDING_UNSPECIFIED, int affected = 0) {
  v1::SiteSummary site;
  site.set_site(name);
  site.set_clients(clients);
  site.set_p2p_capable_clients(p2p);
  site.set_p2p_capable_share(clients == 0 ? 0 : static_cast<double>(p2p) / clients);
  site.set_connectors(connectors);
  if (finding != v1::FINDING_UNSPECIFIED) {
    site.set_worst_finding(finding);
    v1::FindingCount* count = site.add_finding_counts();
    count->set_code(finding);
    count->set_agents(affected);
  }
  return site;
}

TEST(ReportDataTest, TotalsWeighTheShareByClients) {
  v1::ReportScope fleet;
  fleet.set_fleet(true);
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  const v1::ReportData data = AssembleReport(
      "weekly", fleet,
      {Site("paris", 8, 8, 2), Site("aws", 2, 0, 1, v1::FINDING_AWS_NAT_GATEWAY, 1),
       Site("berlin", 0, 0, 1, v1::FINDING_AWS_NAT_GATEWAY, 1)},
      {TrendSample{now - absl::Hours(24), 10, 5, 4, {}}, TrendSample{now, 10, 8, 4, {}}},
      now);
  EXPECT_EQ(data.title(), "weekly");
  EXPECT_EQ(data.scope_description(), "all sites");
  ASSERT_EQ(data.sites_size(), 3);
  EXPECT_EQ(data.totals().sites(), 3u);
  EXPECT_EQ(data.totals().clients(), 10u);
  EXPECT_EQ(data.totals().connectors(), 4u);
  EXPECT_DOUBLE_EQ(data.totals().p2p_capable_share(), 0.8);  // Not the mean 0.5.
  ASSERT_EQ(data.totals().finding_counts_size(), 1);
  EXPECT_EQ(data.totals().finding_counts(0).agents(), 2u);
  ASSERT_EQ(data.trend_size(), 2);
  EXPECT_DOUBLE_EQ(data.trend(0).p2p_capable_share(), 0.5);
  EXPECT_DOUBLE_EQ(data.trend(1).p2p_capable_share(), 0.8);
  EXPECT_EQ(data.generated_at().seconds(), 1700000000);
}

TEST(ReportDataTest, NoClientsIsAZeroShareNotADivisionByZero) {
  v1::ReportScope fleet;
  fleet.set_fleet(true);
  const v1::ReportData data = AssembleReport("t", fleet, {}, {TrendSample{}}, absl::Now());
  EXPECT_EQ(data.totals().p2p_capable_share(), 0.0);
  EXPECT_EQ(data.trend(0).p2p_capable_share(), 0.0);
}

TEST(ReportDataTest, ScopeIsDescribedAndApplied) {
  v1::ReportScope scope;
  scope.mutable_sites()->add_sites("paris");
  scope.mutable_sites()->add_sites("lyon");
  EXPECT_EQ(DescribeScope(scope), "sites lyon, paris");
  EXPECT_TRUE(InScope(scope, "paris"));
  EXPECT_FALSE(InScope(scope, "berlin"));
  v1::ReportScope one;
  one.mutable_sites()->add_sites("paris");
  EXPECT_EQ(DescribeScope(one), "site paris");
  EXPECT_TRUE(InScope(v1::ReportScope(), "anything"));
}

TEST(ReportDataTest, FindingTrendsHaveAPointAtEverySampleInTroubleshootingOrder) {
  const absl::Time day = absl::FromUnixSeconds(1700006400);
  TrendSample first{day, 4, 2, 1, {{v1::FINDING_DOUBLE_NAT, 1}}};
  TrendSample second{day + absl::Hours(24), 4, 2, 1, {}};
  TrendSample third{day + absl::Hours(48), 4, 2, 1,
                    {{v1::FINDING_DOUBLE_NAT, 2}, {v1::FINDING_UDP_BLOCKED, 3}}};
  const std::vector<v1::FindingTrend> trends = FindingTrendsOf({first, second, third});
  ASSERT_EQ(trends.size(), 2u);
  EXPECT_EQ(trends[0].code(), v1::FINDING_UDP_BLOCKED);  // UDP is checked first.
  EXPECT_EQ(trends[1].code(), v1::FINDING_DOUBLE_NAT);
  ASSERT_EQ(trends[1].points_size(), 3);
  EXPECT_EQ(trends[1].points(0).agents(), 1u);
  EXPECT_EQ(trends[1].points(1).agents(), 0u);
  EXPECT_EQ(trends[1].points(2).agents(), 2u);
  EXPECT_EQ(trends[1].points(1).time().seconds(), 1700006400 + 86400);
  EXPECT_EQ(trends[0].points(0).agents(), 0u);

  v1::ReportScope fleet;
  fleet.set_fleet(true);
  const v1::ReportData data =
      AssembleReport("t", fleet, {}, {first, second, third}, day + absl::Hours(48));
  ASSERT_EQ(data.finding_trends_size(), 2);
  EXPECT_EQ(data.finding_trends(0).points(2).agents(), 3u);
  EXPECT_TRUE(FindingTrendsOf({}).empty());
}

TEST(ReportDataTest, FindingsListAtMostTwentyHostsAndTenShortEvidenceLines) {
  v1::SiteHealthView view;
  v1::SiteFinding* udp = view.add_findings();
  udp->set_code(v1::FINDING_UDP_BLOCKED);
  udp->set_severity(v1::SEVERITY_CRITICAL);
  udp->set_summary("UDP is blocked on 25 clients");
  udp->set_remediation("Allow outbound UDP.");
  udp->set_affected_clients(25);
  std::vector<v1::AgentState> agents;
  for (int i = 0; i < 25; ++i) {
    const std::string id = absl::StrCat("client-", 10 + i);
    udp->add_agent_ids(id);
    udp->add_evidence(absl::StrCat(id, ": no answer from 192.0.2.1:3478"));
    v1::AgentState& agent = agents.emplace_back();
    agent.mutable_identity()->set_agent_id(id);
    agent.mutable_identity()->set_hostname("host-" + id);
    agent.mutable_identity()->set_role(v1::ROLE_CLIENT);
  }
  // A long line of two-byte characters is cut between characters.
  std::string accents;
  for (int i = 0; i < 200; ++i) accents += "\xC3\xA9";  // "é"
  udp->set_evidence(0, "client-10: " + accents);

  const std::vector<v1::ReportFinding> findings = ReportFindingsOf(view, agents);
  ASSERT_EQ(findings.size(), 1u);
  const v1::ReportFinding& f = findings[0];
  EXPECT_EQ(f.code(), v1::FINDING_UDP_BLOCKED);
  EXPECT_EQ(f.severity(), v1::SEVERITY_CRITICAL);
  EXPECT_EQ(f.remediation(), "Allow outbound UDP.");
  EXPECT_EQ(f.affected_clients(), 25u);
  ASSERT_EQ(f.hosts_size(), kMaxReportHosts);
  EXPECT_EQ(f.more_hosts(), 5u);
  EXPECT_EQ(f.hosts(0).agent_id(), "client-10");
  EXPECT_EQ(f.hosts(0).hostname(), "host-client-10");
  EXPECT_EQ(f.hosts(0).role(), v1::ROLE_CLIENT);
  ASSERT_EQ(f.evidence_size(), kMaxReportEvidence);
  EXPECT_EQ(f.more_evidence(), 15u);
  const std::string& cut = f.evidence(0);
  EXPECT_LE(cut.size(), kMaxEvidenceBytes);
  EXPECT_TRUE(absl::EndsWith(cut, "\xC3\xA9...")) << cut;
  EXPECT_EQ(f.evidence(1), "client-11: no answer from 192.0.2.1:3478");
}

// An agent of `site` whose probe found UDP blocked (or not).
void AddAgent(MemoryStore& store, const std::string& site, const std::string& id,
              v1::Role role, bool udp_blocked, absl::Time now) {
  v1::AgentIdentity agent;
  agent.set_agent_id(id);
  agent.set_site(site);
  agent.set_role(role);
  agent.set_hostname(id + ".example");
  ASSERT_TRUE(store.EnrollAgent(agent, "hash-" + id, "", "").ok());
  v1::IngestRequest batch;
  batch.set_epoch(1);
  batch.set_sequence(1);
  v1::ProbeReport* probe = batch.add_records()->mutable_probe();
  probe->mutable_time()->set_seconds(absl::ToUnixSeconds(now));
  probe->set_udp_reachable(!udp_blocked);
  if (udp_blocked) {
    v1::Finding* finding = probe->add_findings();
    finding->set_code(v1::FINDING_UDP_BLOCKED);
    finding->set_severity(v1::SEVERITY_CRITICAL);
    finding->add_evidence("no answer from 192.0.2.1:3478");
  } else {
    probe->set_mapping_behavior(v1::MAPPING_ENDPOINT_INDEPENDENT);
    probe->set_filtering_behavior(v1::FILTERING_ENDPOINT_INDEPENDENT);
    probe->set_public_address("203.0.113.9:4000");
  }
  ASSERT_TRUE(store.Ingest(agent, batch, now).ok());
}

TEST(ReportDataTest, LoadedRowsCarryTheSiteAnalysisFindingsAndTheirTrend) {
  MemoryStore store;
  const absl::Time now = absl::Now();
  AddAgent(store, "lyon", "lyon-client", v1::ROLE_CLIENT, true, now);
  AddAgent(store, "lyon", "lyon-connector", v1::ROLE_CONNECTOR, false, now);
  AddAgent(store, "paris", "paris-client", v1::ROLE_CLIENT, false, now);
  SiteRefresher refresher(&store, &store, &RealClock::Get());
  ASSERT_TRUE(refresher.RefreshDirty().ok());

  v1::ReportScope lyon;
  lyon.mutable_sites()->add_sites("lyon");
  auto data = LoadReportData(store, ReportAnalysis{&store, {}}, "t", lyon, now);
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_EQ(data->sites_size(), 1);
  const v1::ReportSiteRow& row = data->sites(0);
  ASSERT_EQ(row.findings_size(), 1);
  const v1::ReportFinding& udp = row.findings(0);
  EXPECT_EQ(udp.code(), v1::FINDING_UDP_BLOCKED);
  ASSERT_EQ(udp.hosts_size(), 1);
  EXPECT_EQ(udp.hosts(0).agent_id(), "lyon-client");
  EXPECT_EQ(udp.hosts(0).hostname(), "lyon-client.example");
  EXPECT_EQ(udp.hosts(0).role(), v1::ROLE_CLIENT);
  ASSERT_GE(udp.evidence_size(), 1);
  EXPECT_EQ(udp.evidence(0), "lyon-client: no answer from 192.0.2.1:3478");
  EXPECT_FALSE(udp.remediation().empty());
  EXPECT_EQ(row.finding_counts_size(), 1);
  // The refresher's hourly point carries the count: today's daily point.
  ASSERT_EQ(data->finding_trends_size(), 1);
  EXPECT_EQ(data->finding_trends(0).code(), v1::FINDING_UDP_BLOCKED);
  ASSERT_EQ(data->finding_trends(0).points_size(), data->trend_size());
  EXPECT_EQ(data->finding_trends(0).points(0).agents(), 1u);

  // Without the analysis: the stored rows, no findings listed.
  auto counts = LoadReportData(store, ReportAnalysis{}, "t", lyon, now);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->sites(0).findings_size(), 0);
  EXPECT_EQ(counts->sites(0).finding_counts_size(), 1);
}

}  // namespace
}  // namespace natscope::server
