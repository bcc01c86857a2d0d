// Turns a validated AgentConfig into the options of the agent's parts:
// TLS, identity, parser rules, probes. Pure functions; thread-safe.
#ifndef NATSCOPE_INGEST_CONFIG_AGENT_SETTINGS_H_
#define NATSCOPE_INGEST_CONFIG_AGENT_SETTINGS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/tls/tls.h"
#include "ingest/parse/log_parser.h"
#include "ingest/probe/prober.h"
#include "natscope/v1/agent.pb.h"
#include "natscope/v1/agent_config.pb.h"

namespace natscope::ingest {

// config.tls as common/tls options.
tls::ClientTlsOptions ClientTlsOf(const v1::AgentConfig& config);

// The identity the agent enrolls and ships with: config.identity plus
// `hostname` and `version`.
v1::AgentIdentity AgentIdentityOf(const v1::AgentConfig& config,
                                  absl::string_view hostname,
                                  absl::string_view version);

// config.rules as parser rules, in order (append them to BuiltinRules()).
std::vector<RuleSpec> OperatorRules(const v1::AgentConfig& config);

// Copies config.probe into `*options` (stun_servers, quic_server, ports
// -- empty when port_test is false --, gateways and trace_hops). Leaves
// the other fields (timeouts, AWS ranges, progress) alone.
void ApplyProbeConfig(const v1::ProbeConfig& probe, ProbeOptions* options);

// Wait before the next scheduled probe: interval + jitter * `uniform`,
// `uniform` drawn from [0, 1).
absl::Duration ProbeDelay(const v1::ProbeConfig& probe, double uniform);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_CONFIG_AGENT_SETTINGS_H_
