#include "server/reports/report_data.h"

#include "gtest/gtest.h"

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
      {TrendSample{now - absl::Hours(24), 10, 5, 4}, TrendSample{now, 10, 8, 4}}, now);
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

}  // namespace
}  // namespace natscope::server
