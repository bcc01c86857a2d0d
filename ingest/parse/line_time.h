// Reads the timestamp a log line starts with, in the shapes the product's
// hosts write. Pure: the reading time and zone are arguments.
#ifndef NATSCOPE_INGEST_PARSE_LINE_TIME_H_
#define NATSCOPE_INGEST_PARSE_LINE_TIME_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace natscope::ingest {

// The time at the start of `line`, after an optional "[" or an RFC 5424
// "<PRI>1 " header:
//   RFC 3339, "T" or " " between date and time, optional fraction ("." or
//   ","), optional zone ("Z", "+01:00", "+0100"):
//     "2026-11-25T14:03:22.123Z", "2026-11-25 14:03:22.123"
//   syslog (RFC 3164): "Nov 25 14:03:22", "Nov  5 14:03:22"; the year is
//     the one of `read_time`, or the year before when that would put the
//     line more than a day after `read_time` (a December line read in
//     January).
// Times without a zone are in `zone`. nullopt when no timestamp is there or
// a field is out of range.
std::optional<absl::Time> ParseLineTime(absl::string_view line,
                                        absl::Time read_time,
                                        absl::TimeZone zone);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PARSE_LINE_TIME_H_
