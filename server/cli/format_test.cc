#include "server/cli/format.h"

#include "gtest/gtest.h"

namespace natscope::server {
namespace {

TEST(FormatTest, TableColumnsAlign) {
  EXPECT_EQ(RenderTable({{"A", "BB"}, {"ccc", "d"}}), "A    BB\nccc  d\n");
}

TEST(FormatTest, SitesShowOneLinePerSiteAndRole) {
  v1::ListSitesResponse response;
  v1::SiteSummary* site = response.add_sites();
  site->set_site("paris");
  site->set_clients(3);
  site->set_connectors(1);
  auto add = [&](v1::Role role, const char* type, int n) {
    v1::NatTypeCount* c = site->add_nat_types();
    c->set_role(role);
    c->set_nat_type(type);
    c->set_agents(n);
  };
  add(v1::ROLE_CLIENT, "endpoint-dependent", 1);
  add(v1::ROLE_CLIENT, "endpoint-independent", 2);
  add(v1::ROLE_CONNECTOR, "no-nat", 1);
  site->set_p2p_capable_clients(2);
  site->set_p2p_capable_share(2.0 / 3);
  site->set_worst_finding(v1::FINDING_ENDPOINT_DEPENDENT_MAPPING);
  EXPECT_EQ(FormatSites(response),
            "SITE   ROLE       AGENTS  NAT TYPES (agents)\n"
            "paris  client     3       endpoint-dependent: 1, endpoint-independent: 2\n"
            "paris  connector  1       no-nat: 1\n"
            "\n"
            "Peer-to-peer (worst first unless --by_name):\n"
            "  paris: 2 of 3 client(s) can reach a connector directly (67%); worst "
            "finding FINDING_ENDPOINT_DEPENDENT_MAPPING\n");
}

TEST(FormatTest, NoSitesSaysWhy) {
  EXPECT_NE(FormatSites({}).find("no agent has enrolled"), std::string::npos);
}

}  // namespace
TEST(FormatTest, FleetAgentsCarryTheirSite) {
  v1::ListAgentsResponse response;
  v1::AgentState* agent = response.add_agents();
  agent->mutable_identity()->set_agent_id("paris-1");
  agent->mutable_identity()->set_site("paris");
  agent->mutable_identity()->set_role(v1::ROLE_CLIENT);
  agent->set_reported_nat_type("no-nat");
  agent->set_mapping_behavior(v1::MAPPING_NO_NAT);
  const std::string fleet = FormatFleetAgents(response);
  EXPECT_EQ(fleet.substr(0, fleet.find('\n')).find("AGENT    SITE   ROLE"), 0u) << fleet;
  EXPECT_NE(fleet.find("paris-1  paris  client"), std::string::npos) << fleet;
  EXPECT_EQ(FormatAgents(response).find("SITE"), std::string::npos);
}

}  // namespace natscope::server
