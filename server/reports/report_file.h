// Writing a rendered report into a schedule's output directory without
// trusting what else may be in that directory or on the way to it.
//
// The directory is created (mode 0750, missing parents too) when absent.
// Before anything is written it is opened without following a symbolic
// link, and, on the open descriptor (so nothing can be swapped in between),
// it must be a directory owned by this process's effective user or by
// root, and not writable by every user: otherwise any local user could
// plant files or links where the server writes. The report is written to a
// fresh temporary file created with O_CREAT|O_EXCL|O_NOFOLLOW (mode 0640),
// synced, and then linked under its name, so that a reader never sees half
// a report and nothing already there — a file, or a link to one — is ever
// followed or overwritten: on a clash the report takes the next free name
// ("NAME-2.EXT", "NAME-3.EXT", ...).
//
// Stateless; thread-safe (concurrent writers into one directory each get
// their own temporary file and their own name).
#ifndef NATSCOPE_SERVER_REPORTS_REPORT_FILE_H_
#define NATSCOPE_SERVER_REPORTS_REPORT_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natscope::server {

// Writes `content` into directory `dir` (an absolute path) under `name` (a
// plain file name, no '/'), or the next free variant of it, and returns
// the path written. FailedPrecondition, naming the directory and saying
// what to do, when the directory cannot be created or opened, is a
// symbolic link, belongs to another user, or is writable by every user;
// Unavailable when the file cannot be written (disk full, I/O error) or
// no free name is found; InvalidArgument for a `name` with a '/'.
absl::StatusOr<std::string> WriteReportFile(const std::string& dir,
                                            const std::string& name,
                                            absl::string_view content);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_REPORTS_REPORT_FILE_H_
