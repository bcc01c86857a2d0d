#include "ingest/state/state_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace natscope::ingest {

absl::Status MakeStateDir(const std::string& dir) {
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    const std::string prefix = dir.substr(0, slash);
    const bool last = slash == std::string::npos;
    if (mkdir(prefix.c_str(), last ? 0700 : 0755) != 0 && errno != EEXIST) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot create state directory ", dir, " (", strerror(errno),
          "): choose another with state_dir / --state_dir or fix its "
          "permissions"));
    }
    if (last) return absl::OkStatus();
  }
}

}  // namespace natscope::ingest
