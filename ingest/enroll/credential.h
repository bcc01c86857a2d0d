// state_dir/credential: the per-agent secret enrollment returned.
//
// Stored as a natscope.v1.AgentCredential in text format, mode 0600,
// replaced atomically. Loading refuses a file that group or others may
// read: a leaked credential lets anyone ship records as this agent.
// Stateless functions; thread-compatible per state_dir.
#ifndef NATSCOPE_INGEST_ENROLL_CREDENTIAL_H_
#define NATSCOPE_INGEST_ENROLL_CREDENTIAL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "natscope/v1/agent_config.pb.h"

namespace natscope::ingest {

inline constexpr char kCredentialFileName[] = "credential";

// Writes state_dir/credential with mode 0600 (write temporary, fsync,
// rename), creating state_dir with mode 0700 when missing. Errors name the
// path: PermissionDenied (not writable), ResourceExhausted (disk full),
// Unavailable.
absl::Status SaveCredential(const std::string& state_dir,
                            const v1::AgentCredential& credential);

// Reads state_dir/credential.
// - NotFound: no credential yet (the message says how to enroll);
// - PermissionDenied: the file is readable or writable by group/others
//   (the message gives the chmod to run), or cannot be opened;
// - DataLoss: the file does not parse or holds no secret.
absl::StatusOr<v1::AgentCredential> LoadCredentialFile(
    const std::string& state_dir);

// The secret of LoadCredentialFile, for "authorization: Bearer <secret>".
absl::StatusOr<std::string> LoadCredential(const std::string& state_dir);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_ENROLL_CREDENTIAL_H_
