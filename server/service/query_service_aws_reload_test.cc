// The server's re-decision follows a reloaded --aws_ip_ranges file: a
// probe from an address the old file does not list and the new one lists
// as EC2 is an AWS NAT gateway in every answer (QueryServiceCore, and the
// stored site health the SiteRefresher keeps) after the reload, not before.
// Over a MemoryStore with a real ranges file in the test's temp directory.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "server/analysis/aws_ranges_watcher.h"
#include "server/analysis/site_refresher.h"
#include "server/service/endpoint_dependent_batch.h"
#include "server/service/query_service.h"
#include "server/store/memory_store.h"

namespace natscope::server {
namespace {

constexpr char kOldDate[] = "2026-08-22-15-17-05";
constexpr char kNewDate[] = "2026-12-01-00-00-00";

std::string RangesJson(const std::string& date, const std::string& prefix) {
  return absl::Substitute(
      R"({"createDate": "$0", "prefixes": [{"ip_prefix": "$1",
          "region": "eu-west-3", "service": "EC2",
          "network_border_group": "eu-west-3"}], "ipv6_prefixes": []})",
      date, prefix);
}

bool HasAwsFinding(
    const google::protobuf::RepeatedPtrField<v1::Finding>& findings) {
  for (const v1::Finding& f : findings) {
    if (f.code() == v1::FINDING_AWS_NAT_GATEWAY) return true;
  }
  return false;
}

class QueryServiceAwsReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = absl::StrCat(std::getenv("TEST_TMPDIR"), "/ip-ranges.json");
    Replace(RangesJson(kOldDate, "192.0.2.0/24"));
    ASSERT_TRUE(store_.Migrate().ok());
    auto watcher = AwsRangesWatcher::Create({path_}, &clock_);
    ASSERT_TRUE(watcher.ok()) << watcher.status();
    watcher_ = *std::move(watcher);
    SiteRefresherOptions options;
    options.aws_ranges = watcher_->Provider();
    refresher_ =
        std::make_unique<SiteRefresher>(&store_, &store_, &clock_, options);
    core_ = std::make_unique<QueryServiceCore>(&store_, &store_, &store_,
                                               watcher_->Provider());
    AddAwsConnector();
  }

  void Replace(const std::string& text) {
    std::ofstream(path_ + ".tmp", std::ios::trunc) << text;
    ASSERT_EQ(std::rename((path_ + ".tmp").c_str(), path_.c_str()), 0);
  }

  // A connector in a private subnet whose mappings change with the
  // destination and do not keep its port: what an AWS NAT gateway does.
  void AddAwsConnector() {
    v1::AgentIdentity agent;
    agent.set_agent_id("aws-connector");
    agent.set_site("vpc");
    agent.set_role(v1::ROLE_CONNECTOR);
    ASSERT_TRUE(store_.EnrollAgent(agent, "hash", "", "").ok());
    const v1::IngestRequest batch = EndpointDependentBatch(clock_.Now());
    ASSERT_TRUE(store_.Ingest(agent, batch, clock_.Now()).ok());
  }

  v1::AgentState Agent() {
    v1::GetAgentRequest request;
    request.set_agent_id("aws-connector");
    absl::StatusOr<v1::AgentState> agent =
        core_->GetAgent(request, clock_.Now());
    EXPECT_TRUE(agent.ok()) << agent.status();
    return agent.ok() ? *agent : v1::AgentState();
  }

  // The stored summary of the site says an agent is behind an AWS NAT
  // gateway, after the refresher took every site marked.
  bool StoredSiteSaysAws() {
    EXPECT_TRUE(refresher_->RefreshDirty().ok());
    absl::StatusOr<std::vector<v1::SiteSummary>> sites =
        store_.ListSiteHealth(true);
    EXPECT_TRUE(sites.ok() && sites->size() == 1);
    if (!sites.ok() || sites->empty()) return false;
    for (const v1::FindingCount& count : (*sites)[0].finding_counts()) {
      if (count.code() == v1::FINDING_AWS_NAT_GATEWAY)
        return count.agents() == 1;
    }
    return false;
  }

  std::string path_;
  SimClock clock_{absl::FromUnixSeconds(1800000000)};
  MemoryStore store_;
  std::unique_ptr<AwsRangesWatcher> watcher_;
  std::unique_ptr<SiteRefresher> refresher_;
  std::unique_ptr<QueryServiceCore> core_;
};

TEST_F(QueryServiceAwsReloadTest,
       AProbeInTheNewFilesEc2PrefixIsAwsAfterReloadOnly) {
  const v1::AgentState before = Agent();
  EXPECT_FALSE(HasAwsFinding(before.findings())) << before.DebugString();
  EXPECT_EQ(before.latest_probe().aws_ranges_date(), kOldDate);
  EXPECT_FALSE(StoredSiteSaysAws());

  Replace(RangesJson(kNewDate, "198.51.100.0/24"));
  ASSERT_EQ(watcher_->CheckNow(&store_), AwsRangesCheck::kReloaded);

  const v1::AgentState after = Agent();
  EXPECT_TRUE(HasAwsFinding(after.findings())) << after.DebugString();
  EXPECT_EQ(after.latest_probe().aws().region(), "eu-west-3");
  EXPECT_EQ(after.latest_probe().aws_ranges_date(), kNewDate);
  EXPECT_EQ(after.latest_probe().aws_ranges_source(), path_);
  // Marked by the reload: the stored health follows without waiting for
  // the sweep.
  EXPECT_TRUE(StoredSiteSaysAws());
}

}  // namespace
}  // namespace natscope::server
