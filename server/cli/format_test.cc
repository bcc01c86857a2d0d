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
  site->set_unhealthy_agents(2);
  v1::SiteSummary* healthy = response.add_sites();
  healthy->set_site("lyon");
  healthy->set_connectors(1);
  EXPECT_EQ(FormatSites(response).substr(0, FormatSites(response).find("\n\n")),
            "SITE   ROLE       AGENTS  NAT TYPES (agents)                              "
            "UNHEALTHY\n"
            "paris  client     3       endpoint-dependent: 1, endpoint-independent: 2  2\n"
            "paris  connector  1       no-nat: 1\n"
            "lyon   connector  1       -");
  response.mutable_sites()->RemoveLast();
  site->set_unhealthy_agents(0);
  EXPECT_EQ(FormatSites(response),
            "SITE   ROLE       AGENTS  NAT TYPES (agents)                              "
            "UNHEALTHY\n"
            "paris  client     3       endpoint-dependent: 1, endpoint-independent: 2\n"
            "paris  connector  1       no-nat: 1\n"
            "\n"
            "Peer-to-peer (worst first unless --by_name):\n"
            "  paris: 2 of 3 client(s) can reach a connector directly (67%); worst "
            "finding endpoint-dependent-mapping\n");
}

TEST(FormatTest, NoSitesSaysWhy) {
  EXPECT_NE(FormatSites({}).find("no agent has enrolled"), std::string::npos);
}

v1::AgentState UnhealthyAgent() {
  v1::AgentState agent;
  agent.mutable_identity()->set_agent_id("paris-1");
  agent.mutable_identity()->set_site("paris");
  agent.mutable_identity()->set_role(v1::ROLE_CLIENT);
  agent.set_clock_skew_seconds(-400);
  v1::AgentHealth* health = agent.mutable_health();
  health->set_version("0.2.0");
  health->mutable_last_batch_time()->set_seconds(1800000000);
  health->add_problems("lost 3 record(s) from its spool");
  health->add_problems("clock 6m behind the server's");
  v1::AgentCounters* counters = health->mutable_counters();
  counters->set_spool_bytes(3 << 20);
  counters->set_spool_capacity_bytes(64 << 20);
  counters->set_records_dropped(3);
  counters->set_retries(12);
  return agent;
}

TEST(FormatTest, UnhealthyAgentsListTheirProblems) {
  v1::ListAgentsResponse response;
  *response.add_agents() = UnhealthyAgent();
  EXPECT_EQ(FormatAgentsHealth(response, /*with_site=*/false),
            "AGENT    ROLE    VERSION  LAST BATCH            PROBLEMS\n"
            "paris-1  client  0.2.0    2027-01-15T08:00:00Z  lost 3 record(s) from "
            "its spool; clock 6m behind the server's\n");
  EXPECT_NE(FormatAgentsHealth(response, /*with_site=*/true)
                .find("paris-1  paris  client"),
            std::string::npos);
  v1::ListAgentsResponse none;
  EXPECT_EQ(FormatAgentsHealth(none, true), "no unhealthy agents\n");
  none.set_next_page_token("abc");
  EXPECT_EQ(FormatAgentsHealth(none, true),
            "no unhealthy agents\n(more: --page_token=abc)\n");
}

TEST(FormatTest, AgentDetailShowsHealthBeforeProbes) {
  v1::AgentHistory history;
  *history.mutable_identity() = UnhealthyAgent().identity();
  history.mutable_identity()->set_hostname("pc-1");
  EXPECT_EQ(FormatAgentDetail(UnhealthyAgent(), history),
            "Agent paris-1 (client at site paris, host pc-1)\n"
            "Health: UNHEALTHY\n"
            "  - lost 3 record(s) from its spool\n"
            "  - clock 6m behind the server's\n"
            "  version 0.2.0, last batch 2027-01-15T08:00:00Z, last probe never, "
            "clock skew -400s\n"
            "  spool 3.0 MiB of 64.0 MiB, records dropped 3, retries 12, dead "
            "letters 0, backpressure pauses 0, batch conflicts 0\n"
            "\n"
            "no probe reports yet\n");
  v1::AgentState healthy;
  const std::string ok = FormatAgentDetail(healthy, history);
  EXPECT_NE(ok.find("Health: ok\n  version -, last batch never"), std::string::npos)
      << ok;
  EXPECT_NE(ok.find("no counters yet"), std::string::npos) << ok;
}

TEST(FormatTest, AgentDetailSaysWhatTheVerdictsRestOn) {
  v1::AgentState agent;
  agent.mutable_identity()->set_agent_id("gw-1");
  agent.mutable_identity()->set_role(v1::ROLE_CONNECTOR);
  agent.mutable_nat_class()->set_label(
      "endpoint-dependent (from the product's log)");
  agent.set_nat_class_source(v1::EVIDENCE_SOURCE_LOG);
  v1::StunDiscovery* stun = agent.mutable_stun_discovery();
  stun->set_state(v1::STUN_DISCOVERY_UNAVAILABLE);
  stun->set_source(v1::EVIDENCE_SOURCE_BOTH_DISAGREE);
  stun->add_evidence("the probe at T, got no STUN answer over UDP");
  v1::Finding* f = agent.add_findings();
  f->set_code(v1::FINDING_ENDPOINT_DEPENDENT_MAPPING);
  f->set_source(v1::EVIDENCE_SOURCE_LOG);
  f->set_summary("The product's own log says so");
  f->add_evidence("the product's log at T says stun_nat_type: endpoint-dependent");
  EXPECT_EQ(FormatAgentAnalysis(agent),
            "NAT class: endpoint-dependent (from the product's log)\n"
            "  rests on: log\n"
            "STUN discovery: unavailable (probe and log disagree)\n"
            "  evidence: the probe at T, got no STUN answer over UDP\n"
            "Findings:\n"
            "  endpoint-dependent-mapping (log): The product's own log says so\n"
            "      evidence: the product's log at T says stun_nat_type: "
            "endpoint-dependent\n");
  v1::AgentHistory history;
  *history.mutable_identity() = agent.identity();
  EXPECT_NE(FormatAgentDetail(agent, history).find("\n\nNAT class: "),
            std::string::npos);
  EXPECT_EQ(FormatAgentAnalysis(v1::AgentState()), "");
}

TEST(FormatTest, SiteAnalysisSaysWhatEachVerdictAndFindingRestsOn) {
  v1::SiteHealthView view;
  view.set_site("lyon");
  v1::ConnectorStunDiscovery* c = view.mutable_stun_discovery()->add_connectors();
  c->set_agent_id("gw-1");
  c->mutable_discovery()->set_state(v1::STUN_DISCOVERY_UNAVAILABLE);
  c->mutable_discovery()->set_source(v1::EVIDENCE_SOURCE_LOG);
  view.mutable_stun_discovery()->set_unavailable(1);
  v1::PairCell* cell = view.add_pair_matrix();
  cell->mutable_client_class()->set_label("endpoint-independent (from the product's log)");
  cell->mutable_connector_class()->set_label("endpoint-dependent (from the product's log)");
  cell->set_verdict(v1::PAIR_VERDICT_RELAY_ONLY);
  cell->set_source(v1::EVIDENCE_SOURCE_LOG);
  cell->set_reason("why");
  v1::SiteFinding* f = view.add_findings();
  f->set_code(v1::FINDING_ENDPOINT_DEPENDENT_MAPPING);
  f->add_agent_ids("gw-1");
  f->add_sources(v1::EVIDENCE_SOURCE_LOG);
  f->add_agent_ids("laptop-1");
  f->add_sources(v1::EVIDENCE_SOURCE_BOTH_AGREE);
  const std::string out = FormatSiteAnalysis(view);
  EXPECT_NE(out.find("unknown\n  gw-1: unavailable (log)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("VERDICT     RESTS ON  WHY\n"), std::string::npos) << out;
  EXPECT_NE(out.find("RELAY ONLY  log       why\n"), std::string::npos) << out;
  EXPECT_NE(out.find("affects: gw-1 (log), laptop-1 (probe and log agree)\n"),
            std::string::npos)
      << out;
}

TEST(FormatTest, AgentsTableEndsWithHealth) {
  v1::ListAgentsResponse response;
  *response.add_agents() = UnhealthyAgent();
  v1::AgentState* ok = response.add_agents();
  ok->mutable_identity()->set_agent_id("paris-2");
  const std::string table = FormatAgents(response);
  EXPECT_NE(table.find("LAST SEEN  HEALTH\n"), std::string::npos) << table;
  EXPECT_NE(table.find("UNHEALTHY (2)\n"), std::string::npos) << table;
  EXPECT_NE(table.find("  ok\n"), std::string::npos) << table;
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

namespace natscope::server {
namespace {

TEST(FormatTrendTest, ShowsAgentsPerFindingBesideTheShare) {
  v1::Trend trend;
  trend.set_site("lyon");
  trend.set_granularity(v1::TREND_GRANULARITY_DAILY);
  const int64_t may1 = 1714521600;  // 2024-05-01T00:00:00Z
  for (int day = 0; day < 2; ++day) {
    v1::TrendPoint* point = trend.add_points();
    point->mutable_time()->set_seconds(may1 + 86400 * day);
    point->set_clients(2);
    point->set_p2p_capable_clients(2 - day);
    point->set_p2p_capable_share(1.0 - 0.5 * day);
  }
  for (v1::FindingCode code : {v1::FINDING_UDP_BLOCKED, v1::FINDING_AWS_NAT_GATEWAY}) {
    v1::FindingTrend* series = trend.add_findings();
    series->set_code(code);
    for (int day = 0; day < 2; ++day) {
      v1::FindingTrendPoint* point = series->add_points();
      point->mutable_time()->set_seconds(may1 + 86400 * day);
      point->set_agents(code == v1::FINDING_UDP_BLOCKED ? day : 3);
    }
  }
  EXPECT_EQ(FormatTrend(trend),
            "Peer-to-peer-capable clients of site lyon, daily:\n"
            "DAY (UTC)   CLIENTS  P2P  SHARE  \n"
            "2024-05-01  2        2    100%   ####################\n"
            "2024-05-02  2        1    50%    ##########\n"
            "\n"
            "Agents per finding at site lyon, daily:\n"
            "DAY (UTC)   udp-blocked  aws-nat-gateway\n"
            "2024-05-01  0            3\n"
            "2024-05-02  1            3\n");
  trend.clear_findings();
  EXPECT_NE(FormatTrend(trend).find(
                "No finding affected an agent of site lyon in this window.\n"),
            std::string::npos);
}

v1::EnrollmentTokenInfo SiteToken(const std::string& id, bool intake) {
  v1::EnrollmentTokenInfo info;
  info.set_token_id(id);
  info.set_site("paris");
  info.mutable_created()->set_seconds(1714521600);  // 2024-05-01
  if (intake) {
    info.set_purpose(v1::TOKEN_PURPOSE_INTAKE);
    info.set_default_role(v1::ROLE_CONNECTOR);
  } else {
    info.mutable_expires()->set_seconds(1714521600 + 7 * 86400);
    info.set_uses(2);
    info.set_max_uses(5);
  }
  return info;
}

TEST(FormatTest, SiteTokensShowTheirPurposeAndAnIntakeTokensRole) {
  v1::ListEnrollmentTokensResponse tokens;
  *tokens.add_tokens() = SiteToken("e1", false);
  *tokens.add_tokens() = SiteToken("i1", true);
  EXPECT_EQ(FormatSiteTokens(tokens),
            "ID  SITE   PURPOSE  ROLE       CREATED               "
            "EXPIRES               USES\n"
            "e1  paris  enroll   -          2024-05-01T00:00:00Z  "
            "2024-05-08T00:00:00Z  2/5\n"
            "i1  paris  intake   connector  2024-05-01T00:00:00Z  "
            "never                 -\n");
}

TEST(FormatTest, CreatedIntakeTokenSaysHowShippersSendItAndEndsWithIt) {
  v1::CreateEnrollmentTokenResponse created;
  *created.mutable_info() = SiteToken("i1", true);
  created.set_token("s3cret");
  const std::string text = FormatCreatedSiteToken(created);
  EXPECT_NE(text.find("intake token for site paris (id i1; hosts whose "
                      "messages name no role are connectors; expires never)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Authorization: Bearer <token>"), std::string::npos);
  EXPECT_NE(text.find("[natscope@32473 token=\"<token>\"]"), std::string::npos);
  EXPECT_TRUE(text.size() > 8 && text.substr(text.size() - 8) == "\ns3cret\n")
      << text;
  *created.mutable_info() = SiteToken("e1", false);
  EXPECT_EQ(FormatCreatedSiteToken(created),
            "enrollment token for site paris (id e1; enrolls at most 5 "
            "agent(s) until 2024-05-08T00:00:00Z), shown only now:\ns3cret\n");
}

}  // namespace
}  // namespace natscope::server
