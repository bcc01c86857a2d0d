// natscope-agent's configuration file: protobuf text format of
// natscope.v1.AgentConfig (proto/natscope/v1/agent_config.proto).
//
// Loading is parse, then ApplyDefaults, then ValidateConfig. Every error
// names where to look: "config FILE line L column C: ..." for syntax,
// "config FILE: logs[1].path: empty" for values. Validation reports every
// problem at once, one per line. Stateless; thread-safe.
#ifndef NATSCOPE_INGEST_CONFIG_CONFIG_H_
#define NATSCOPE_INGEST_CONFIG_CONFIG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ingest/config/agent_id.h"
#include "natscope/v1/agent_config.pb.h"

namespace natscope::ingest {

// Reads, parses, defaults and validates the config at `path`, taking
// DefaultAgentId(host's name, LocalHostKey(state_dir)) as the default
// agent id. NotFound/PermissionDenied when the file cannot be read;
// InvalidArgument for syntax or value errors.
absl::StatusOr<v1::AgentConfig> LoadConfig(const std::string& path);

// The same for config text already read; `name` (the path) prefixes
// messages; the default agent id is DefaultAgentId(hostname,
// host_key(state_dir)).
absl::StatusOr<v1::AgentConfig> ParseConfig(
    absl::string_view text, const std::string& name,
    const std::string& hostname,
    const HostKeyFn& host_key = [](const std::string& state_dir) {
      return LocalHostKey(state_dir);
    });

// Fills every unset field with its documented default. The one place
// defaults live.
void ApplyDefaults(const std::string& hostname, v1::AgentConfig* config,
                   const HostKeyFn& host_key = [](const std::string& state_dir) {
                     return LocalHostKey(state_dir);
                   });

// InvalidArgument listing every problem of a defaulted config, one per
// line, each starting with the field's path ("probe.interval: must be at
// least 10s").
absl::Status ValidateConfig(const v1::AgentConfig& config);

// The same for config.rules alone: what natscope-server checks of the
// file its --intake_rules names (the operator's agent config, whose rules
// it applies to intake lines).
absl::Status ValidateParserRules(const v1::AgentConfig& config);

// A duration field of a validated config ("5m"); ZeroDuration for text
// that does not parse (ValidateConfig rejects such configs).
absl::Duration ConfigDuration(absl::string_view text);

// This host's name, or "agent" when it has none.
std::string LocalHostname();

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_CONFIG_CONFIG_H_
