#include "server/store/store_conformance_util.h"

#include <algorithm>

#include "gtest/gtest.h"

namespace natscope::server::conformance {

natscope::v1::AgentIdentity Agent(const std::string& id, const std::string& site,
                    natscope::v1::Role role) {
  natscope::v1::AgentIdentity agent;
  agent.set_agent_id(id);
  agent.set_site(site);
  agent.set_role(role);
  agent.set_hostname(id + ".example.net");
  agent.set_version("0.1.0");
  return agent;
}

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  out->set_seconds(absl::ToUnixSeconds(t));
}

natscope::v1::Record NatLog(absl::Time t, const std::string& nat_type) {
  natscope::v1::Record record;
  natscope::v1::LogEvent* log = record.mutable_log();
  SetTime(t, log->mutable_time());
  log->set_source_file("/var/log/product/connector.log");
  log->set_severity(natscope::v1::LOG_SEVERITY_INFO);
  log->set_component("libsdwan");
  log->set_kind("stun_nat_type");
  (*log->mutable_fields())["nat_type"] = nat_type;
  log->set_raw_line("[libsdwan] stun nat type: " + nat_type);
  return record;
}

natscope::v1::Record Probe(absl::Time t, bool udp,
                           natscope::v1::MappingBehavior mapping,
                           natscope::v1::FilteringBehavior filtering) {
  natscope::v1::Record record;
  natscope::v1::ProbeReport* probe = record.mutable_probe();
  SetTime(t, probe->mutable_time());
  probe->set_udp_reachable(udp);
  probe->set_mapping_behavior(mapping);
  probe->set_filtering_behavior(filtering);
  if (udp) probe->set_public_address("203.0.113.7:41641");
  return record;
}

natscope::v1::IngestRequest Batch(uint64_t epoch, uint64_t sequence,
                    std::vector<natscope::v1::Record> records) {
  natscope::v1::IngestRequest batch;
  batch.set_epoch(epoch);
  batch.set_sequence(sequence);
  for (natscope::v1::Record& record : records) *batch.add_records() = std::move(record);
  return batch;
}

void Register(AgentRegistry& registry, const natscope::v1::AgentIdentity& agent) {
  const absl::Status status =
      registry.EnrollAgent(agent, "hash-" + agent.agent_id(), "", "");
  ASSERT_TRUE(status.ok()) << status;
}

IngestResult MustIngest(FactStore& store, const natscope::v1::AgentIdentity& agent,
                        const natscope::v1::IngestRequest& batch, absl::Time received) {
  absl::StatusOr<IngestResult> result = store.Ingest(agent, batch, received);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : IngestResult{};
}

AgentIdentity Paris1() {
  return Agent("paris-1", "paris", natscope::v1::ROLE_CLIENT);
}

Record OtherLog(absl::Time t) {
  Record record = NatLog(t, "x");
  record.mutable_log()->set_kind("tunnel_relayed");
  record.mutable_log()->mutable_fields()->clear();
  return record;
}

AgentState StateOf(FactStore& store, const std::string& agent_id) {
  absl::StatusOr<std::vector<AgentState>> agents =
      store.ListAgents("", "", 1000);
  EXPECT_TRUE(agents.ok()) << agents.status();
  for (const AgentState& state : agents.value_or(std::vector<AgentState>())) {
    if (state.identity().agent_id() == agent_id) return state;
  }
  ADD_FAILURE() << "no agent " << agent_id;
  return AgentState();
}

ApiTokenInfo Api(const std::string& id, natscope::v1::ApiTokenRole role,
                 absl::Time created) {
  ApiTokenInfo info;
  info.set_token_id(id);
  info.set_name("token " + id);
  info.set_role(role);
  SetTime(created, info.mutable_created());
  return info;
}

EnrollmentTokenInfo Enrollment(const std::string& id, const std::string& site,
                               absl::Time created) {
  EnrollmentTokenInfo info;
  info.set_token_id(id);
  info.set_site(site);
  SetTime(created, info.mutable_created());
  return info;
}

ReportSchedule Schedule(const std::string& id) {
  ReportSchedule schedule;
  schedule.set_id(id);
  schedule.set_name("weekly " + id);
  schedule.set_cron("0 8 * * MON");
  schedule.set_time_zone("Europe/Paris");
  schedule.mutable_scope()->set_fleet(true);
  schedule.set_format(natscope::v1::REPORT_FORMAT_MARKDOWN);
  schedule.set_output_directory("/tmp/reports");
  schedule.set_enabled(true);
  SetTime(kT0, schedule.mutable_created_at());
  return schedule;
}

SiteSummary Summary(const std::string& site, int64_t severity, int clients,
                    int p2p_clients, int connectors) {
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

}  // namespace natscope::server::conformance
