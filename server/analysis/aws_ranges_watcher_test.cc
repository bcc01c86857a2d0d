// AwsRangesWatcher on real files in the test's temp directory: a file
// renamed over the watched one is picked up, a broken one is logged and
// skipped, snapshots outlive reloads, and every site is marked for a new
// analysis after a reload.
#include "server/analysis/aws_ranges_watcher.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "common/metrics/metrics.h"
#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "server/store/memory_store.h"

namespace natscope::server {
namespace {

constexpr char kOld[] = "2026-08-22-15-17-05";
constexpr char kNew[] = "2026-12-01-00-00-00";

std::string RangesJson(const std::string& date, const std::string& prefix) {
  return absl::Substitute(
      R"({"createDate": "$0", "prefixes": [{"ip_prefix": "$1",
          "region": "us-east-1", "service": "EC2",
          "network_border_group": "us-east-1"}], "ipv6_prefixes": []})",
      date, prefix);
}

net::SocketAddress Ip(const char* text) {
  return *net::SocketAddress::FromIp(text, 0);
}

double Reloads(const std::string& result) {
  return metrics::DefaultRegistry()
      .ValueOf("natscope_aws_ranges_reloads_total", {result})
      .value_or(-1);
}

// A store whose first `failures` MarkSitesDirty calls fail.
class FlakyMarks final : public MemoryStore {
 public:
  int failures = 0;
  absl::Status MarkSitesDirty(const std::vector<std::string>& sites,
                              absl::Time now) override {
    if (failures > 0) {
      --failures;
      return absl::UnavailableError("database restarting");
    }
    return MemoryStore::MarkSitesDirty(sites, now);
  }
};

class AwsRangesWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = absl::StrCat(
        std::getenv("TEST_TMPDIR"), "/",
        ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        ".json");
    Replace(RangesJson(kOld, "198.51.100.0/24"));
    ASSERT_TRUE(store_.Migrate().ok());
  }

  // What a download job does: write a temp file, rename it over the path.
  void Replace(const std::string& text) {
    const std::string temp = path_ + ".tmp";
    std::ofstream(temp, std::ios::trunc) << text;
    ASSERT_EQ(std::rename(temp.c_str(), path_.c_str()), 0);
  }

  std::unique_ptr<AwsRangesWatcher> Watch(const std::string& path) {
    auto watcher = AwsRangesWatcher::Create({path, absl::Minutes(1)}, &clock_);
    EXPECT_TRUE(watcher.ok()) << watcher.status();
    return watcher.ok() ? *std::move(watcher) : nullptr;
  }

  // Two sites, with nothing left marked.
  void AddSites() {
    for (const char* site : {"paris", "lyon"}) {
      v1::AgentIdentity agent;
      agent.set_agent_id(absl::StrCat(site, "-1"));
      agent.set_site(site);
      agent.set_role(v1::ROLE_CLIENT);
      ASSERT_TRUE(
          store_.EnrollAgent(agent, absl::StrCat("hash-", site), "", "").ok());
    }
    ASSERT_TRUE(store_.ClaimDirtySites(100).ok());
  }

  int64_t Dirty() { return store_.CountDirtySites().value_or(-1); }

  std::string path_;
  SimClock clock_{absl::FromUnixSeconds(1800000000)};
  FlakyMarks store_;
};

TEST_F(AwsRangesWatcherTest,
       WithoutAFileTheBuiltInCopyIsUsedAndNothingWatched) {
  std::unique_ptr<AwsRangesWatcher> watcher = Watch("");
  ASSERT_NE(watcher, nullptr);
  EXPECT_EQ(watcher->Current()->source(), "built-in");
  EXPECT_EQ(watcher->CheckNow(&store_), AwsRangesCheck::kUnchanged);
  watcher->Start(&store_);  // No thread to start.
  watcher->Stop();
}

TEST_F(AwsRangesWatcherTest, ABadFileAtStartIsRefusedNamingIt) {
  auto missing = AwsRangesWatcher::Create({path_ + ".none"}, &clock_);
  EXPECT_TRUE(absl::IsNotFound(missing.status())) << missing.status();
  EXPECT_NE(missing.status().message().find(path_ + ".none"),
            std::string::npos);
  Replace("{\"createDate\": ");
  auto broken = AwsRangesWatcher::Create({path_}, &clock_);
  EXPECT_TRUE(absl::IsInvalidArgument(broken.status())) << broken.status();
}

TEST_F(AwsRangesWatcherTest, AFileRenamedOverTheOldOneIsPickedUpOnce) {
  std::unique_ptr<AwsRangesWatcher> watcher = Watch(path_);
  ASSERT_NE(watcher, nullptr);
  EXPECT_EQ(watcher->Current()->create_date(), kOld);
  EXPECT_EQ(watcher->Current()->source(), path_);
  EXPECT_EQ(watcher->CheckNow(&store_), AwsRangesCheck::kUnchanged);
  const double ok_before = Reloads("ok");

  Replace(RangesJson(kNew, "203.0.113.0/24"));
  EXPECT_EQ(watcher->CheckNow(&store_), AwsRangesCheck::kReloaded);
  EXPECT_EQ(watcher->Current()->create_date(), kNew);
  EXPECT_TRUE(watcher->Current()->Lookup(Ip("203.0.113.9")).has_value());
  EXPECT_FALSE(watcher->Current()->Lookup(Ip("198.51.100.9")).has_value());
  EXPECT_EQ(watcher->CheckNow(&store_), AwsRangesCheck::kUnchanged);
  EXPECT_EQ(Reloads("ok"), ok_before + 1);
  EXPECT_EQ(metrics::DefaultRegistry().ValueOf(
                "natscope_aws_ranges_created_timestamp_seconds"),
            1796083200.0);  // 2026-12-01T00:00:00Z
}

TEST_F(AwsRangesWatcherTest, ASnapshotTakenBeforeAReloadStaysValid) {
  std::unique_ptr<AwsRangesWatcher> watcher = Watch(path_);
  ASSERT_NE(watcher, nullptr);
  const AwsRangesSnapshot before = SnapshotOf(watcher->Provider());
  Replace(RangesJson(kNew, "203.0.113.0/24"));
  ASSERT_EQ(watcher->CheckNow(&store_), AwsRangesCheck::kReloaded);
  EXPECT_EQ(before->create_date(), kOld);
  EXPECT_TRUE(before->Lookup(Ip("198.51.100.9")).has_value());
  EXPECT_EQ(SnapshotOf(watcher->Provider())->create_date(), kNew);
}

TEST_F(AwsRangesWatcherTest, ABrokenFileKeepsTheRangesUntilItIsFixed) {
  std::unique_ptr<AwsRangesWatcher> watcher = Watch(path_);
  ASSERT_NE(watcher, nullptr);
  const double errors_before = Reloads("error");
  Replace(R"({"createDate": "2026-12-01-00-00-00", "prefixes": [)");
  EXPECT_EQ(watcher->CheckNow(&store_), AwsRangesCheck::kFailed);
  EXPECT_EQ(watcher->Current()->create_date(), kOld);
  // Tried (and logged) once per version of the file.
  EXPECT_EQ(watcher->CheckNow(&store_), AwsRangesCheck::kUnchanged);
  EXPECT_EQ(Reloads("error"), errors_before + 1);

  Replace(RangesJson(kNew, "203.0.113.0/24"));
  EXPECT_EQ(watcher->CheckNow(&store_), AwsRangesCheck::kReloaded);
  EXPECT_EQ(watcher->Current()->create_date(), kNew);

  ASSERT_EQ(std::remove(path_.c_str()), 0);  // Gone: still the ranges in use.
  EXPECT_EQ(watcher->CheckNow(&store_), AwsRangesCheck::kFailed);
  EXPECT_EQ(watcher->CheckNow(&store_), AwsRangesCheck::kUnchanged);
  EXPECT_EQ(watcher->Current()->create_date(), kNew);
  Replace(RangesJson(kOld, "198.51.100.0/24"));
  EXPECT_EQ(watcher->CheckNow(&store_), AwsRangesCheck::kReloaded);
  EXPECT_EQ(watcher->Current()->create_date(), kOld);
}

TEST_F(AwsRangesWatcherTest, EverySiteIsMarkedAfterAReloadOnly) {
  AddSites();
  std::unique_ptr<AwsRangesWatcher> watcher = Watch(path_);
  ASSERT_NE(watcher, nullptr);
  EXPECT_EQ(watcher->CheckNow(&store_), AwsRangesCheck::kUnchanged);
  Replace("not json");
  EXPECT_EQ(watcher->CheckNow(&store_), AwsRangesCheck::kFailed);
  EXPECT_EQ(Dirty(), 0);

  Replace(RangesJson(kNew, "203.0.113.0/24"));
  EXPECT_EQ(watcher->CheckNow(&store_), AwsRangesCheck::kReloaded);
  EXPECT_EQ(Dirty(), 2);
}

TEST_F(AwsRangesWatcherTest, MarkingThatFailedIsRetriedAtTheNextCheck) {
  AddSites();
  std::unique_ptr<AwsRangesWatcher> watcher = Watch(path_);
  ASSERT_NE(watcher, nullptr);
  store_.failures = 1;
  Replace(RangesJson(kNew, "203.0.113.0/24"));
  EXPECT_EQ(watcher->CheckNow(&store_), AwsRangesCheck::kReloaded);
  EXPECT_EQ(Dirty(), 0);
  EXPECT_EQ(watcher->CheckNow(&store_), AwsRangesCheck::kUnchanged);
  EXPECT_EQ(Dirty(), 2);
}

TEST_F(AwsRangesWatcherTest, TheBackgroundCheckPicksUpAReplacedFile) {
  AddSites();
  std::unique_ptr<AwsRangesWatcher> watcher = Watch(path_);
  ASSERT_NE(watcher, nullptr);
  watcher->Start(&store_);
  Replace(RangesJson(kNew, "203.0.113.0/24"));
  // The first step wakes the check; the second returns once it is done
  // and the thread sleeps again.
  const absl::Time limit = clock_.Now() + absl::Hours(1);
  ASSERT_TRUE(clock_.AdvanceToNextWake(1, limit));
  ASSERT_TRUE(clock_.AdvanceToNextWake(1, limit));
  EXPECT_EQ(watcher->Current()->create_date(), kNew);
  EXPECT_EQ(Dirty(), 2);
  watcher->Stop();
}

TEST_F(AwsRangesWatcherTest, StopDoesNotWaitOutTheInterval) {
  auto watcher =
      AwsRangesWatcher::Create({path_, absl::Hours(24)}, &RealClock::Get());
  ASSERT_TRUE(watcher.ok()) << watcher.status();
  (*watcher)->Start(&store_);
  (*watcher)->Stop();  // Would hang the test for a day otherwise.
  (*watcher)->Stop();  // Idempotent.
}

}  // namespace
}  // namespace natscope::server
