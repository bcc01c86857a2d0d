#include "ingest/config/agent_settings.h"

#include "ingest/config/config.h"

namespace natscope::ingest {

tls::ClientTlsOptions ClientTlsOf(const v1::AgentConfig& config) {
  tls::ClientTlsOptions options;
  options.ca_file = config.tls().ca_file();
  options.plaintext = config.tls().plaintext();
  options.server_name = config.tls().server_name();
  return options;
}

v1::AgentIdentity AgentIdentityOf(const v1::AgentConfig& config,
                                  absl::string_view hostname,
                                  absl::string_view version) {
  v1::AgentIdentity identity;
  identity.set_agent_id(config.identity().agent_id());
  identity.set_site(config.identity().site());
  identity.set_role(config.identity().role());
  identity.set_hostname(std::string(hostname));
  identity.set_version(std::string(version));
  return identity;
}

std::vector<RuleSpec> OperatorRules(const v1::AgentConfig& config) {
  std::vector<RuleSpec> rules;
  for (const v1::ParserRule& rule : config.rules()) {
    RuleSpec spec;
    spec.name = rule.name();
    spec.literal = rule.literal();
    spec.pattern = rule.pattern();
    spec.json_keys.assign(rule.json_keys().begin(), rule.json_keys().end());
    rules.push_back(std::move(spec));
  }
  return rules;
}

void ApplyProbeConfig(const v1::ProbeConfig& probe, ProbeOptions* options) {
  options->stun_servers.assign(probe.stun_servers().begin(),
                               probe.stun_servers().end());
  options->quic_server = probe.quic_server();
  options->ports.clear();
  if (!probe.has_port_test() || probe.port_test()) {
    options->ports.assign(probe.ports().begin(), probe.ports().end());
  }
  const bool gateways = !probe.has_gateways() || probe.gateways();
  options->gateways = gateways;
  options->trace_hops = gateways;
  options->destinations.assign(probe.destinations().begin(),
                               probe.destinations().end());
  options->firewalk = !probe.has_firewalk() || probe.firewalk();
}

absl::Duration ProbeDelay(const v1::ProbeConfig& probe, double uniform) {
  return ConfigDuration(probe.interval()) +
         ConfigDuration(probe.jitter()) * uniform;
}

}  // namespace natscope::ingest
