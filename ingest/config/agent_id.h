// The default agent id: the host's name plus a short digest of a key that
// is stable on one host and differs between hosts (/etc/machine-id, else a
// random id kept in the state directory), so that two hosts with the same
// name do not collide on the server.
#ifndef NATSCOPE_INGEST_CONFIG_AGENT_ID_H_
#define NATSCOPE_INGEST_CONFIG_AGENT_ID_H_

#include <functional>
#include <string>

#include "absl/strings/string_view.h"

namespace natscope::ingest {

// "<hostname>-<first 8 hex digits of SHA-256(host_key)>", the hostname
// reduced to [A-Za-z0-9._-] (others become '-') and 119 bytes ("agent"
// when nothing is left); the reduced hostname alone when host_key is empty.
std::string DefaultAgentId(absl::string_view hostname,
                           absl::string_view host_key);

// This host's key: the first line of `machine_id_path` when it has one,
// else the random id in <state_dir>/host-id, created (mode 0600, with the
// directory, mode 0700) when missing. "" when neither can be had (the
// agent id is then the bare hostname).
std::string LocalHostKey(const std::string& state_dir,
                         const std::string& machine_id_path = "/etc/machine-id");

// How the config finds the host key of a state directory (tests pass a
// fixed one).
using HostKeyFn = std::function<std::string(const std::string& state_dir)>;

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_CONFIG_AGENT_ID_H_
