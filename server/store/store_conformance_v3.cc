// The conformance suite's tests of schema 3: site health, trends, dirty
// marks, partitions and retention.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/store/store_conformance.h"
#include "server/store/store_conformance_util.h"

namespace natscope::server {
namespace {

using namespace conformance;  // NOLINT: the suite's builders.
using natscope::v1::SiteSummary;

SiteSummary Summary(const std::string& site, int64_t severity, int clients,
                    int p2p_clients, int connectors = 1) {
  SiteSummary summary;
  summary.set_site(site);
  summary.set_severity_score(severity);
  summary.set_clients(clients);
  summary.set_p2p_capable_clients(p2p_clients);
  summary.set_connectors(connectors);
  return summary;
}

std::vector<std::string> Names(const std::vector<SiteSummary>& sites) {
  std::vector<std::string> names;
  for (const SiteSummary& site : sites) names.push_back(site.site());
  return names;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST_P(StoreConformanceTest, SiteHealthListsWorstFirstOrByName) {
  ASSERT_TRUE(store_
                  ->PutSiteHealth({Summary("b", 10, 2, 1), Summary("a", 10, 1, 1),
                                   Summary("c", 99, 3, 0)},
                                  kT0)
                  .ok());
  auto worst = store_->ListSiteHealth(false);
  ASSERT_TRUE(worst.ok()) << worst.status();
  EXPECT_EQ(Names(*worst), (std::vector<std::string>{"c", "a", "b"}));
  EXPECT_EQ((*worst)[0].clients(), 3u);
  auto by_name = store_->ListSiteHealth(true);
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(Names(*by_name), (std::vector<std::string>{"a", "b", "c"}));
}

TEST_P(StoreConformanceTest, SiteHealthPagesFollowTheListingOrder) {
  std::vector<SiteSummary> all;
  for (int i = 0; i < 25; ++i) {
    all.push_back(Summary("site-" + std::to_string(100 + i), i % 4, 1, 0));
  }
  ASSERT_TRUE(store_->PutSiteHealth(all, kT0).ok());
  for (const bool by_name : {false, true}) {
    auto whole = store_->ListSiteHealth(by_name);
    ASSERT_TRUE(whole.ok());
    std::vector<std::string> paged;
    SiteCursor after;
    for (int i = 0; i < 20; ++i) {
      auto page = store_->ListSiteHealthPage(by_name, after, 7);
      ASSERT_TRUE(page.ok()) << page.status();
      for (const SiteSummary& s : *page) paged.push_back(s.site());
      if (page->size() < 7) break;
      after.site = page->back().site();
      after.severity_score = page->back().severity_score();
    }
    EXPECT_EQ(paged, Names(*whole)) << (by_name ? "by name" : "worst first");
  }
  EXPECT_EQ(store_->ListSiteHealthPage(false, SiteCursor(), 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, NewerSiteHealthWinsAndEmptySiteIsRemoved) {
  ASSERT_TRUE(store_->PutSiteHealth({Summary("a", 5, 1, 0)}, kT0).ok());
  // An older analysis arriving late does not replace the newer one.
  ASSERT_TRUE(
      store_->PutSiteHealth({Summary("a", 7, 1, 1)}, kT0 - absl::Minutes(1)).ok());
  auto sites = store_->ListSiteHealth(false);
  ASSERT_TRUE(sites.ok());
  ASSERT_EQ(sites->size(), 1u);
  EXPECT_EQ((*sites)[0].severity_score(), 5);
  ASSERT_TRUE(
      store_->PutSiteHealth({Summary("a", 0, 0, 0, 0)}, kT0 + absl::Minutes(1)).ok());
  sites = store_->ListSiteHealth(false);
  ASSERT_TRUE(sites.ok());
  EXPECT_TRUE(sites->empty());
}

TEST_P(StoreConformanceTest, IngestAndEnrollmentMarkTheSite) {
  const auto agent = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, agent);
  auto claimed = store_->ClaimDirtySites(10);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  EXPECT_EQ(*claimed, std::vector<std::string>{"paris"});
  claimed = store_->ClaimDirtySites(10);
  ASSERT_TRUE(claimed.ok());
  EXPECT_TRUE(claimed->empty());

  MustIngest(*store_, agent, Batch(1, 1, {NatLog(kT0, "endpoint-dependent")}), kT0);
  MustIngest(*store_, agent, Batch(1, 2, {NatLog(kT0, "endpoint-dependent")}), kT0);
  claimed = store_->ClaimDirtySites(10);
  ASSERT_TRUE(claimed.ok());
  EXPECT_EQ(*claimed, std::vector<std::string>{"paris"});
  // A duplicate stores nothing but marks the site again: its first
  // delivery may have committed and then lost its mark.
  MustIngest(*store_, agent, Batch(1, 2, {NatLog(kT0, "endpoint-dependent")}), kT0);
  claimed = store_->ClaimDirtySites(10);
  ASSERT_TRUE(claimed.ok());
  EXPECT_EQ(*claimed, std::vector<std::string>{"paris"});
  EXPECT_EQ(*store_->CountRecords("a1"), 2);
}

TEST_P(StoreConformanceTest, MarkAllSitesDirtyMarksEverySiteWithAnAgent) {
  Register(*store_, Agent("a1", "paris", natscope::v1::ROLE_CLIENT));
  Register(*store_, Agent("b1", "berlin", natscope::v1::ROLE_CONNECTOR));
  ASSERT_TRUE(store_->ClaimDirtySites(10).ok());
  ASSERT_TRUE(store_->MarkSitesDirty({}, kT0).ok());
  ASSERT_TRUE(store_->MarkSitesDirty({"lyon"}, kT0).ok());
  auto claimed = store_->ClaimDirtySites(2);
  ASSERT_TRUE(claimed.ok());
  EXPECT_EQ(claimed->size(), 2u);
  auto rest = store_->ClaimDirtySites(10);
  ASSERT_TRUE(rest.ok());
  claimed->insert(claimed->end(), rest->begin(), rest->end());
  EXPECT_EQ(Sorted(*claimed), (std::vector<std::string>{"berlin", "lyon", "paris"}));
}

TEST_P(StoreConformanceTest, TrendKeepsTheLatestPointPerHourAndSumsTheFleet) {
  const absl::Time hour = absl::FromUnixSeconds(1700000000 / 3600 * 3600);
  ASSERT_TRUE(store_->PutSiteHealth({Summary("a", 1, 4, 1)}, hour + absl::Minutes(5)).ok());
  ASSERT_TRUE(store_->PutSiteHealth({Summary("a", 1, 4, 3)}, hour + absl::Minutes(50)).ok());
  ASSERT_TRUE(store_->PutSiteHealth({Summary("b", 1, 6, 6)}, hour + absl::Minutes(20)).ok());
  ASSERT_TRUE(store_
                  ->PutSiteHealth({Summary("a", 1, 4, 4)},
                                  hour + absl::Hours(1) + absl::Minutes(1))
                  .ok());

  auto site = store_->SiteTrend("a", hour - absl::Hours(1), hour + absl::Hours(2), false);
  ASSERT_TRUE(site.ok()) << site.status();
  ASSERT_EQ(site->size(), 2u);
  EXPECT_EQ((*site)[0].bucket, hour);
  EXPECT_EQ((*site)[0].p2p_clients, 3);  // The later point of the hour.
  EXPECT_EQ((*site)[1].p2p_clients, 4);

  auto fleet = store_->SiteTrend("", hour, hour, false);
  ASSERT_TRUE(fleet.ok());
  ASSERT_EQ(fleet->size(), 1u);
  EXPECT_EQ((*fleet)[0].clients, 10);
  EXPECT_EQ((*fleet)[0].p2p_clients, 9);
  EXPECT_EQ((*fleet)[0].connectors, 2);

  auto daily = store_->SiteTrend("a", hour - absl::Hours(1), hour + absl::Hours(2), true);
  ASSERT_TRUE(daily.ok()) << daily.status();
  ASSERT_GE(daily->size(), 1u);
  int64_t total = 0;
  for (const TrendSample& day : *daily) total += day.clients;
  EXPECT_EQ(total / static_cast<int64_t>(daily->size()), 4);
}

TEST_P(StoreConformanceTest, RetentionDropsOldHistoryButKeepsLatestState) {
  const auto agent = Agent("a1", "paris", natscope::v1::ROLE_CONNECTOR);
  Register(*store_, agent);
  const absl::Time old_day = kT0 - absl::Hours(24 * 40);
  MustIngest(*store_, agent,
             Batch(1, 1, {NatLog(old_day, "endpoint-dependent"),
                          Probe(old_day, true, natscope::v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT)}),
             old_day);
  MustIngest(*store_, agent, Batch(1, 2, {NatLog(kT0, "endpoint-independent")}), kT0);
  ASSERT_TRUE(store_->PutSiteHealth({Summary("paris", 1, 1, 1)}, old_day).ok());
  ASSERT_EQ(*store_->CountRecords("a1"), 3);

  auto dropped = store_->ApplyRetention(kT0 - absl::Hours(24 * 30),
                                        kT0 - absl::Hours(24 * 30));
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(dropped->ledger_rows_deleted, 1);
  EXPECT_EQ(dropped->trend_rows_deleted, 1);
  EXPECT_EQ(*store_->CountRecords("a1"), 1);
  // The latest state survives, including the old probe.
  auto agents = store_->ListAgents("paris", "", 10);
  ASSERT_TRUE(agents.ok());
  ASSERT_EQ(agents->size(), 1u);
  EXPECT_TRUE((*agents)[0].has_latest_probe());
  EXPECT_EQ((*agents)[0].log_nat_type(), "endpoint-independent");
  // Site health is kept whatever its age.
  EXPECT_EQ(store_->ListSiteHealth(false)->size(), 1u);
  // Ingest still works for today after retention ran, and even for a day
  // retention dropped (a clock set back): nothing is refused.
  MustIngest(*store_, agent, Batch(1, 3, {NatLog(kT0, "endpoint-independent")}), kT0);
  EXPECT_EQ(*store_->CountRecords("a1"), 2);
  MustIngest(*store_, agent, Batch(1, 4, {NatLog(old_day, "endpoint-independent")}),
             old_day);
  EXPECT_EQ(*store_->CountRecords("a1"), 3);
}

TEST_P(StoreConformanceTest, AgentMovedToAnotherSiteLeavesItsOldStateBehind) {
  auto agent = Agent("a1", "paris", natscope::v1::ROLE_CLIENT);
  Register(*store_, agent);
  MustIngest(*store_, agent, Batch(1, 1, {NatLog(kT0, "endpoint-dependent")}), kT0);
  agent.set_site("berlin");
  Register(*store_, agent);
  auto paris = store_->ListAgents("paris", "", 10);
  ASSERT_TRUE(paris.ok());
  EXPECT_TRUE(paris->empty());
  auto berlin = store_->ListAgents("berlin", "", 10);
  ASSERT_TRUE(berlin.ok());
  ASSERT_EQ(berlin->size(), 1u);
  EXPECT_EQ((*berlin)[0].log_nat_type(), "");  // Nothing sent from berlin yet.
  MustIngest(*store_, agent, Batch(2, 1, {NatLog(kT0, "endpoint-independent")}), kT0);
  berlin = store_->ListAgents("berlin", "", 10);
  ASSERT_TRUE(berlin.ok());
  EXPECT_EQ((*berlin)[0].log_nat_type(), "endpoint-independent");
}

natscope::v1::Record LogLine(absl::Time t, const std::string& kind,
                             const std::string& key, const std::string& value) {
  natscope::v1::Record record = NatLog(t, "x");
  record.mutable_log()->set_kind(kind);
  record.mutable_log()->mutable_fields()->clear();
  (*record.mutable_log()->mutable_fields())[key] = value;
  return record;
}

TEST_P(StoreConformanceTest, RecentActivityCountsTunnelsAndRelayErrorsInTheWindow) {
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
  const AgentActivity& quiet = activity->at("b1");
  EXPECT_EQ(quiet.direct + quiet.relayed + quiet.relay_unavailable, 0u);
  EXPECT_EQ(quiet.sdwan_state, "Online");
  EXPECT_EQ(quiet.sdwan_state_time, old);
  const AgentActivity& got = activity->at("a1");
  EXPECT_EQ(got.relayed, 2u);  // Not the 30-hour-old one.
  EXPECT_EQ(got.direct, 1u);
  EXPECT_EQ(got.relay_unavailable, 1u);
  EXPECT_EQ(got.last_tunnel, kT0 - absl::Minutes(2));
  EXPECT_EQ(got.sdwan_state, "Offline User");
  EXPECT_EQ(got.sdwan_state_time, kT0 - absl::Minutes(4));
}

}  // namespace
}  // namespace natscope::server
