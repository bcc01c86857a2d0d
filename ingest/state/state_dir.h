// The agent's state directory (credential, spool, status.json): created
// on start when missing. Stateless; thread-compatible.
#ifndef NATSCOPE_INGEST_STATE_STATE_DIR_H_
#define NATSCOPE_INGEST_STATE_STATE_DIR_H_

#include <string>

#include "absl/status/status.h"

namespace natscope::ingest {

// mkdir -p `dir` (absolute): missing parents get mode 0755, `dir` itself
// 0700 (it holds the credential); existing directories are left as they
// are. FailedPrecondition naming `dir`, the error and what to do when a
// component cannot be created.
absl::Status MakeStateDir(const std::string& dir);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_STATE_STATE_DIR_H_
