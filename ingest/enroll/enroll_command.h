// `natscope-agent enroll`: the command-line face of RunEnroll.
#ifndef NATSCOPE_INGEST_ENROLL_ENROLL_COMMAND_H_
#define NATSCOPE_INGEST_ENROLL_ENROLL_COMMAND_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "natscope/v1/agent_config.pb.h"

namespace natscope::ingest {

// Enrolls the agent `config` describes (a loaded, validated config) with
// config.server over config.tls, using `token`, or when it is empty the
// token in config.enrollment_token_file (or none), and stores the
// credential in config.state_dir. Enrolling again replaces the credential.
// Prints one line saying what happened to `out`. Errors as RunEnroll,
// ReadTokenFile and tls::NewClientChannel.
absl::Status EnrollCommand(const v1::AgentConfig& config,
                           const std::string& token, absl::string_view version,
                           std::ostream& out);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_ENROLL_ENROLL_COMMAND_H_
