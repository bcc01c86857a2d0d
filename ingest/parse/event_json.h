// Writes a parsed line as the proto3 JSON of the LogEvent it becomes,
// without building the message: natscope-agent parse prints one per
// matched line, and protobuf's JSON printer would cost more than finding
// the line did.
#ifndef NATSCOPE_INGEST_PARSE_EVENT_JSON_H_
#define NATSCOPE_INGEST_PARSE_EVENT_JSON_H_

#include <string>

#include "common/json_string.h"

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ingest/parse/log_parser.h"

namespace natscope::ingest {

// Appends one line: the JSON object that protobuf's JsonStringToMessage
// reads back as ToLogEvent(parsed, source_file), with the canonical proto3
// mapping (lowerCamelCase names, enum names, RFC 3339 time, default values
// left out), then "\n". `source_file` must be valid UTF-8.
void AppendLogEventJson(const ParsedLine& parsed, absl::string_view source_file,
                        std::string* out);


// Appends `t` as protobuf writes a Timestamp in JSON: UTC, "Z", and 0, 3,
// 6 or 9 fractional digits. Quotes included.
void AppendJsonTime(absl::Time t, std::string* out);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PARSE_EVENT_JSON_H_
