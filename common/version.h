// natscope's version, for --version and for what the agent reports to the
// server. One source: the VERSION file at the repository's root (or
// tools/package.sh --version=X.Y.Z). The commit and its date come only from
// a stamped build (tools/package.sh, tools/workspace_status.sh); developer
// builds say "commit unknown (unstamped build)" and are never re-linked
// because of a new commit.
#ifndef NATSCOPE_COMMON_VERSION_H_
#define NATSCOPE_COMMON_VERSION_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace natscope {

// The release number, e.g. "0.5.0".
const char* VersionNumber();

// "natscope-agent 0.5.0 (commit 1a2b3c4d, 2026-12-06)", or with
// "(commit unknown (unstamped build))" from a developer build.
std::string VersionLine(absl::string_view program);

// True when `args` (argv after the program name) ask for the version:
// --version or -version before any "--", or, with `as_command`, the word
// "version" as the first argument (natscope-agent version).
bool VersionRequested(const std::vector<std::string>& args, bool as_command);

// For main(), before flag parsing: when argv asks for the version, writes
// VersionLine(program) and a newline to `out` and returns true (exit 0).
//   if (natscope::PrintVersionIfRequested(argc, argv, "natscope")) return 0;
bool PrintVersionIfRequested(int argc, char** argv, absl::string_view program,
                             bool as_command = false);
bool PrintVersionIfRequested(int argc, char** argv, absl::string_view program,
                             bool as_command, std::ostream& out);

}  // namespace natscope

#endif  // NATSCOPE_COMMON_VERSION_H_
