// Structured log lines on stderr, one per event, in one of two formats:
//   text (default): "natscope-server: refreshed sites count=12 ms=40"
//   json:           {"ts":"2026-11-25T18:40:00.123Z","level":"info",
//                    "component":"natscope-server","msg":"refreshed sites",
//                    "count":"12","ms":"40"}
// JSON lines are for log shippers (Vector, Fluent Bit, journald's JSON).
// Thread-safe: each line is written whole.
#ifndef NATSCOPE_COMMON_LOG_H_
#define NATSCOPE_COMMON_LOG_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace natscope {

enum class LogFormat { kText, kJson };
enum class LogLevel { kInfo, kWarning, kError };

// Process-wide settings; call before other threads log.
void SetLogComponent(absl::string_view component);
void SetLogFormat(LogFormat format);
// "text" or "json"; InvalidArgument otherwise.
absl::Status SetLogFormatByName(absl::string_view name);

using LogFields = std::vector<std::pair<std::string, std::string>>;

// One event: a constant message plus key=value fields.
void LogEvent(LogLevel level, absl::string_view message,
              const LogFields& fields = {});

// The line LogEvent would write at `now_text`, without the newline. For
// tests.
std::string FormatLogLine(LogFormat format, absl::string_view component,
                          LogLevel level, absl::string_view now_text,
                          absl::string_view message, const LogFields& fields);

}  // namespace natscope

#endif  // NATSCOPE_COMMON_LOG_H_
