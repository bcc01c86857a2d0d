// Pieces of ParseSyslogMessage (syslog_message.h) shared by its RFC 5424
// and RFC 3164 halves. Not for other callers. Each takes the text still
// to parse as `*in` and, on success, removes what it consumed.
#ifndef NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_PARSE_INTERNAL_H_
#define NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_PARSE_INTERNAL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/intake/syslog/syslog_message.h"

namespace natscope::server::intake::syslog_internal {

// `text`'s first ~40 bytes, C-escaped and quoted, for error messages.
std::string Quote(absl::string_view text);

// One or more SD elements; InvalidArgument saying what is wrong.
absl::Status ParseSdElements(absl::string_view* in,
                             std::vector<SdElement>* out);

// An RFC 3339 timestamp (the whole of `text`), nullopt when it is not one.
std::optional<absl::Time> ParseRfc3339(absl::string_view text);

// Drops a leading UTF-8 BOM and trailing CRs and LFs.
std::string CleanMsg(absl::string_view msg);

// Fills the RFC 3164 fields of `*m` from what follows the PRI.
void ParseRfc3164(absl::string_view in, absl::Time now, absl::TimeZone zone,
                  SyslogMessage* m);

}  // namespace natscope::server::intake::syslog_internal

#endif  // NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_PARSE_INTERNAL_H_
