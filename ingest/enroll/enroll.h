// Enrollment: trading the site's enrollment token for this agent's own
// credential (AgentService.Enroll), and making sure `run` has one.
//
// Thread-compatible. Every RPC has a deadline.
#ifndef NATSCOPE_INGEST_ENROLL_ENROLL_H_
#define NATSCOPE_INGEST_ENROLL_ENROLL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "natscope/v1/agent.pb.h"
#include "natscope/v1/agent_config.pb.h"

namespace natscope::ingest {

struct EnrollOptions {
  // natscope-server's address as configured (for messages and the stored
  // credential).
  std::string server;
  // A channel to it, e.g. from tls::NewClientChannel. Required.
  std::shared_ptr<grpc::Channel> channel;
  // Who enrolls (see AgentIdentityOf).
  v1::AgentIdentity identity;
  // The site's enrollment token; empty when the server requires none.
  std::string token;
  // Where the credential is stored.
  std::string state_dir;
  absl::Duration deadline = absl::Seconds(10);
};

// Calls Enroll and stores the credential in state_dir (see
// SaveCredential); `now` stamps it. Errors: PERMISSION_DENIED (token
// rejected), INVALID_ARGUMENT (identity refused), UNAVAILABLE or
// DEADLINE_EXCEEDED (server unreachable, TLS failure; retryable), or the
// error of saving. Messages name the server and what to check.
absl::StatusOr<v1::AgentCredential> RunEnroll(const EnrollOptions& options,
                                              absl::Time now);

// The token in `path`: its first line, without surrounding whitespace.
// NotFound/PermissionDenied naming the path; InvalidArgument when empty.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

// For `natscope-agent run`: the stored credential when there is one;
// otherwise enrolls with the token in `token_file` (no token when
// `token_file` is empty) and stores the result. options.token is ignored.
// FailedPrecondition when the stored credential belongs to another
// agent id or site than options.identity; other errors as LoadCredentialFile
// and RunEnroll (retry UNAVAILABLE/DEADLINE_EXCEEDED with backoff).
absl::StatusOr<v1::AgentCredential> EnsureCredential(
    const EnrollOptions& options, const std::string& token_file,
    absl::Time now);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_ENROLL_ENROLL_H_
