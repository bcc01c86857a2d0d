// The fixture of the QueryServiceCore tests on a real PostgreSQL (one
// database per test): agents enrolled with one probe each, the site
// refresher run by hand, and paging through every agent.
#ifndef NATSCOPE_SERVER_SERVICE_QUERY_SERVICE_TEST_FIXTURE_H_
#define NATSCOPE_SERVER_SERVICE_QUERY_SERVICE_TEST_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "server/analysis/site_refresher.h"
#include "server/service/query_service.h"
#include "server/store/pg_test_env.h"

namespace natscope::server {

class QueryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = FreshPostgresStore();
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->Migrate().ok());
  }

  // Registers an agent and ingests one probe (UDP blocked when
  // `udp_blocked`, else endpoint-independent) at the clock's time.
  void AddAgent(const std::string& site, const std::string& id, v1::Role role,
                bool udp_blocked) {
    v1::AgentIdentity agent;
    agent.set_agent_id(id);
    agent.set_site(site);
    agent.set_role(role);
    ASSERT_TRUE(store_->EnrollAgent(agent, "hash-" + id, "", "").ok());
    v1::IngestRequest batch;
    batch.set_epoch(1);
    batch.set_sequence(1);
    v1::ProbeReport* probe = batch.add_records()->mutable_probe();
    probe->mutable_time()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
    probe->set_udp_reachable(!udp_blocked);
    if (udp_blocked) {
      v1::Finding* finding = probe->add_findings();
      finding->set_code(v1::FINDING_UDP_BLOCKED);
      finding->set_severity(v1::SEVERITY_CRITICAL);
    } else {
      probe->set_mapping_behavior(v1::MAPPING_ENDPOINT_INDEPENDENT);
      probe->set_filtering_behavior(v1::FILTERING_ENDPOINT_INDEPENDENT);
      probe->set_public_address("203.0.113.9:4000");
    }
    auto result = store_->Ingest(agent, batch, clock_.Now());
    ASSERT_TRUE(result.ok()) << result.status();
  }

  void Refresh() {
    SiteRefresher refresher(store_.get(), store_.get(), &clock_);
    auto refreshed = refresher.RefreshDirty();
    ASSERT_TRUE(refreshed.ok()) << refreshed.status();
  }

  // Every agent id the request yields, page after page.
  std::vector<std::string> AllPages(v1::ListAgentsRequest request) {
    std::vector<std::string> ids;
    for (int page = 0; page < 100; ++page) {
      auto response = core_.ListAgents(request);
      EXPECT_TRUE(response.ok()) << response.status();
      if (!response.ok()) break;
      EXPECT_LE(response->agents_size(), request.page_size());
      for (const auto& a : response->agents()) ids.push_back(a.identity().agent_id());
      if (response->next_page_token().empty()) break;
      request.set_page_token(response->next_page_token());
    }
    return ids;
  }

  SimClock clock_{absl::Now()};
  std::unique_ptr<PostgresStore> store_;
  QueryServiceCore core_{nullptr, nullptr, nullptr, nullptr};
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_SERVICE_QUERY_SERVICE_TEST_FIXTURE_H_
