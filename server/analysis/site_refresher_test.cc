// SiteRefresher on the in-memory store: every marked site gets its health,
// and one site that cannot be analysed does not hold back the others.
#include "server/analysis/site_refresher.h"

#include <atomic>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "common/sim_clock.h"
#include "common/periodic.h"
#include "server/store/memory_store.h"

namespace natscope::server {
namespace {

// A store on which one site's log activity cannot be read.
class OneBadSite final : public MemoryStore {
 public:
  absl::StatusOr<std::map<std::string, analyzer::AgentActivity>> RecentActivity(
      absl::string_view site, absl::Time since) override {
    if (site == "bad") return absl::UnavailableError("disk on fire");
    return MemoryStore::RecentActivity(site, since);
  }
};

void AddAgent(AgentRegistry& store, const std::string& site, const std::string& id) {
  v1::AgentIdentity agent;
  agent.set_agent_id(id);
  agent.set_site(site);
  agent.set_role(v1::ROLE_CLIENT);
  ASSERT_TRUE(store.EnrollAgent(agent, "hash-" + id, "", "").ok());
}

TEST(SiteRefresherTest, EveryMarkedSiteGetsItsHealthWithComputedAt) {
  MemoryStore store;
  ASSERT_TRUE(store.Migrate().ok());
  for (int i = 0; i < 12; ++i) AddAgent(store, absl::StrCat("site-", i), absl::StrCat("a", i));
  SimClock clock{absl::FromUnixSeconds(1700000000)};
  SiteRefresherOptions options;
  options.batch = 5;
  SiteRefresher refresher(&store, &store, &clock, options);
  auto stored = refresher.RefreshDirty();
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(*stored, 12);
  auto sites = store.ListSiteHealth(true);
  ASSERT_TRUE(sites.ok());
  ASSERT_EQ(sites->size(), 12u);
  EXPECT_EQ((*sites)[0].computed_at().seconds(), 1700000000);
  EXPECT_EQ(*refresher.RefreshDirty(), 0);  // Nothing left marked.
}

TEST(SiteRefresherTest, AFailingSiteDoesNotHoldBackItsBatch) {
  OneBadSite store;
  ASSERT_TRUE(store.Migrate().ok());
  AddAgent(store, "bad", "b0");
  for (int i = 0; i < 9; ++i) AddAgent(store, absl::StrCat("good-", i), absl::StrCat("g", i));
  SimClock clock{absl::FromUnixSeconds(1700000000)};
  SiteRefresherOptions options;
  options.batch = 5;
  SiteRefresher refresher(&store, &store, &clock, options);
  // Each call stops at the batch with the failure; a few calls store every
  // good site although "bad" keeps failing.
  for (int round = 0; round < 4; ++round) {
    auto stored = refresher.RefreshDirty();
    if (!stored.ok()) {
      EXPECT_EQ(stored.status().code(), absl::StatusCode::kUnavailable);
    }
    clock.Advance(absl::Seconds(2));
  }
  auto sites = store.ListSiteHealth(true);
  ASSERT_TRUE(sites.ok());
  EXPECT_EQ(sites->size(), 9u);
  for (const v1::SiteSummary& site : *sites) EXPECT_NE(site.site(), "bad");
  // The bad site is still marked, to be retried.
  auto left = store.ClaimDirtySites(10);
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(*left, std::vector<std::string>{"bad"});
}

TEST(PeriodicTest, PokeRunsNowAndStopDoesNotWaitOutTheInterval) {
  std::atomic<int> runs{0};
  {
    Periodic periodic("test", absl::Hours(1), absl::Hours(1), [&] {
      ++runs;
      return absl::ZeroDuration();
    });
    periodic.Poke();
    while (runs.load() == 0) absl::SleepFor(absl::Milliseconds(10));
    EXPECT_EQ(runs.load(), 1);
  }  // Destructor: stops without waiting out the hour (else the test's
     // own timeout fails it).
}

}  // namespace
}  // namespace natscope::server
