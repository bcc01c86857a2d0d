// The conformance suite's SiteHealthStore tests: site health listing and
// paging, dirty marks, trends and finding trends.
#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/store/store_conformance.h"
#include "server/store/store_conformance_util.h"

namespace natscope::server {
namespace {

using namespace conformance;  // NOLINT: the suite's builders.

TEST_P(SiteHealthStoreConformance, SiteHealthListsWorstFirstOrByName) {
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

TEST_P(SiteHealthStoreConformance, SiteHealthPagesFollowTheListingOrder) {
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

TEST_P(SiteHealthStoreConformance, NewerSiteHealthWinsAndEmptySiteIsRemoved) {
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

TEST_P(SiteHealthStoreConformance, IngestAndEnrollmentMarkTheSite) {
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
  EXPECT_EQ(CountRecords("a1"), 2);
}

TEST_P(SiteHealthStoreConformance, MarkAllSitesDirtyMarksEverySiteWithAnAgent) {
  Register(*store_, Agent("a1", "paris", natscope::v1::ROLE_CLIENT));
  Register(*store_, Agent("b1", "berlin", natscope::v1::ROLE_CONNECTOR));
  ASSERT_TRUE(store_->ClaimDirtySites(10).ok());
  ASSERT_TRUE(store_->MarkSitesDirty({}, kT0).ok());
  ASSERT_TRUE(store_->MarkSitesDirty({"lyon"}, kT0).ok());
  auto pending = store_->CountDirtySites();
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(*pending, 3);
  auto claimed = store_->ClaimDirtySites(2);
  ASSERT_TRUE(claimed.ok());
  EXPECT_EQ(claimed->size(), 2u);
  EXPECT_EQ(*store_->CountDirtySites(), 1);
  auto rest = store_->ClaimDirtySites(10);
  ASSERT_TRUE(rest.ok());
  claimed->insert(claimed->end(), rest->begin(), rest->end());
  EXPECT_EQ(Sorted(*claimed), (std::vector<std::string>{"berlin", "lyon", "paris"}));
  EXPECT_EQ(*store_->CountDirtySites(), 0);
}

TEST_P(SiteHealthStoreConformance, TrendKeepsTheLatestPointPerHourAndSumsTheFleet) {
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

// `summary` with `agents` agents carrying each finding code.
SiteSummary WithFindings(
    SiteSummary summary,
    const std::vector<std::pair<natscope::v1::FindingCode, int>>& agents) {
  for (const auto& [code, n] : agents) {
    natscope::v1::FindingCount* count = summary.add_finding_counts();
    count->set_code(code);
    count->set_agents(n);
  }
  return summary;
}

using FindingAgents = std::map<natscope::v1::FindingCode, int64_t>;
constexpr auto kUdp = natscope::v1::FINDING_UDP_BLOCKED;
constexpr auto kDoubleNat = natscope::v1::FINDING_DOUBLE_NAT;
constexpr auto kCgnat = natscope::v1::FINDING_CGNAT;

TEST_P(SiteHealthStoreConformance, FindingTrendFollowsTheLatestPointOfEachHour) {
  const absl::Time hour = absl::FromUnixSeconds(1700000000 / 3600 * 3600);
  ASSERT_TRUE(store_
                  ->PutSiteHealth({WithFindings(Summary("a", 1, 4, 1, 1),
                                                {{kUdp, 2}, {kDoubleNat, 1}})},
                                  hour + absl::Minutes(5))
                  .ok());
  // The later analysis of the hour replaces the findings, dropped codes
  // included; an older one arriving late changes nothing.
  ASSERT_TRUE(store_
                  ->PutSiteHealth({WithFindings(Summary("a", 1, 4, 1, 1), {{kUdp, 3}})},
                                  hour + absl::Minutes(50))
                  .ok());
  ASSERT_TRUE(store_
                  ->PutSiteHealth({WithFindings(Summary("a", 1, 4, 1, 1),
                                                {{kCgnat, 9}})},
                                  hour + absl::Minutes(30))
                  .ok());
  ASSERT_TRUE(store_
                  ->PutSiteHealth({WithFindings(Summary("b", 1, 6, 6, 1),
                                                {{kUdp, 1}, {kCgnat, 4}})},
                                  hour + absl::Minutes(20))
                  .ok());
  // The next hour: no finding at all.
  ASSERT_TRUE(store_
                  ->PutSiteHealth({Summary("a", 1, 4, 4, 1)},
                                  hour + absl::Hours(1) + absl::Minutes(1))
                  .ok());

  auto site = store_->SiteTrend("a", hour, hour + absl::Hours(2), false);
  ASSERT_TRUE(site.ok()) << site.status();
  ASSERT_EQ(site->size(), 2u);
  EXPECT_EQ((*site)[0].finding_agents, (FindingAgents{{kUdp, 3}}));
  EXPECT_TRUE((*site)[1].finding_agents.empty());

  auto fleet = store_->SiteTrend("", hour, hour, false);
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  ASSERT_EQ(fleet->size(), 1u);
  EXPECT_EQ((*fleet)[0].finding_agents, (FindingAgents{{kUdp, 4}, {kCgnat, 4}}));
}

TEST_P(SiteHealthStoreConformance, DailyFindingTrendIsTheMeanOfTheDaysHours) {
  const absl::Time day = absl::FromUnixSeconds(1700000000 / 86400 * 86400);
  // Three hours with points: UDP blocked on 3, 0 and 2 agents (mean 5/3,
  // rounded to 2); double NAT on 1 agent in one hour (1/3, rounded to 0).
  ASSERT_TRUE(store_
                  ->PutSiteHealth({WithFindings(Summary("a", 1, 4, 1, 1),
                                                {{kUdp, 3}, {kDoubleNat, 1}})},
                                  day + absl::Minutes(10))
                  .ok());
  ASSERT_TRUE(
      store_->PutSiteHealth({Summary("a", 1, 4, 1, 1)}, day + absl::Hours(1)).ok());
  ASSERT_TRUE(store_
                  ->PutSiteHealth({WithFindings(Summary("a", 1, 4, 1, 1), {{kUdp, 2}})},
                                  day + absl::Hours(5))
                  .ok());
  // The next day: one hour, 7 agents.
  ASSERT_TRUE(store_
                  ->PutSiteHealth({WithFindings(Summary("a", 1, 4, 1, 1), {{kUdp, 7}})},
                                  day + absl::Hours(30))
                  .ok());

  auto daily = store_->SiteTrend("a", day, day + absl::Hours(47), true);
  ASSERT_TRUE(daily.ok()) << daily.status();
  ASSERT_EQ(daily->size(), 2u);
  EXPECT_EQ((*daily)[0].bucket, day);
  EXPECT_EQ((*daily)[0].finding_agents, (FindingAgents{{kUdp, 2}}));
  EXPECT_EQ((*daily)[1].finding_agents, (FindingAgents{{kUdp, 7}}));
  auto fleet = store_->SiteTrend("", day, day + absl::Hours(47), true);
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  ASSERT_EQ(fleet->size(), 2u);
  EXPECT_EQ((*fleet)[0].finding_agents, (FindingAgents{{kUdp, 2}}));
}

TEST_P(SiteHealthStoreConformance, RetentionPrunesFindingTrendsWithTheirPoints) {
  const absl::Time old_hour = absl::FromUnixSeconds(1700000000 / 3600 * 3600);
  const absl::Time now = old_hour + absl::Hours(24 * 500);
  ASSERT_TRUE(store_
                  ->PutSiteHealth({WithFindings(Summary("a", 1, 4, 1, 1), {{kUdp, 3}})},
                                  old_hour)
                  .ok());
  ASSERT_TRUE(store_
                  ->PutSiteHealth({WithFindings(Summary("a", 1, 4, 1, 1), {{kCgnat, 1}})},
                                  now)
                  .ok());
  auto dropped = store_->ApplyRetention(now - absl::Hours(24 * 30),
                                        now - absl::Hours(24 * 400));
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(dropped->trend_rows_deleted, 1);
  // The old hour's point is gone with its findings: written again, it has
  // only what is written now.
  ASSERT_TRUE(
      store_->PutSiteHealth({Summary("a", 1, 4, 1, 1)}, old_hour + absl::Minutes(1)).ok());
  auto trend = store_->SiteTrend("a", old_hour, now, false);
  ASSERT_TRUE(trend.ok()) << trend.status();
  ASSERT_EQ(trend->size(), 2u);
  EXPECT_TRUE((*trend)[0].finding_agents.empty());
  EXPECT_EQ((*trend)[1].finding_agents, (FindingAgents{{kCgnat, 1}}));
}

}  // namespace
}  // namespace natscope::server
