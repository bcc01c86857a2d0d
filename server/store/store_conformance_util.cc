#include "server/store/store_conformance_util.h"

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

// Registers `agent` with credential hash "hash-<agent_id>".
void Register(Store& store, const natscope::v1::AgentIdentity& agent) {
  const absl::Status status =
      store.UpsertAgent(agent, "hash-" + agent.agent_id());
  ASSERT_TRUE(status.ok()) << status;
}

IngestResult MustIngest(Store& store, const natscope::v1::AgentIdentity& agent,
                        const natscope::v1::IngestRequest& batch, absl::Time received) {
  absl::StatusOr<IngestResult> result = store.Ingest(agent, batch, received);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : IngestResult{};
}

}  // namespace natscope::server::conformance
