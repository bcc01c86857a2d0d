#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/json_string.h"

namespace natscope {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kText};
std::string* g_component = new std::string("natscope");

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

// A text-format value: bare when it is one simple word, else quoted.
void AppendTextValue(absl::string_view value, std::string* out) {
  bool bare = !value.empty();
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) {
      bare = false;
      break;
    }
  }
  if (bare) {
    absl::StrAppend(out, value);
  } else {
    AppendJsonString(value, out);
  }
}

}  // namespace

void SetLogComponent(absl::string_view component) {
  *g_component = std::string(component);
}

void SetLogFormat(LogFormat format) { g_format = format; }

absl::Status SetLogFormatByName(absl::string_view name) {
  if (name == "text") {
    SetLogFormat(LogFormat::kText);
  } else if (name == "json") {
    SetLogFormat(LogFormat::kJson);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "--log_format is \"", name, "\": use text or json"));
  }
  return absl::OkStatus();
}

std::string FormatLogLine(LogFormat format, absl::string_view component,
                          LogLevel level, absl::string_view now_text,
                          absl::string_view message, const LogFields& fields) {
  std::string line;
  if (format == LogFormat::kJson) {
    absl::StrAppend(&line, "{\"ts\":\"", now_text, "\",\"level\":\"",
                    LevelName(level), "\",\"component\":");
    AppendJsonString(component, &line);
    line.append(",\"msg\":");
    AppendJsonString(message, &line);
    for (const auto& [key, value] : fields) {
      line.push_back(',');
      AppendJsonString(key, &line);
      line.push_back(':');
      AppendJsonString(value, &line);
    }
    line.push_back('}');
    return line;
  }
  absl::StrAppend(&line, component, ": ");
  if (level != LogLevel::kInfo) absl::StrAppend(&line, LevelName(level), ": ");
  line.append(message.data(), message.size());
  for (const auto& [key, value] : fields) {
    absl::StrAppend(&line, " ", key, "=");
    AppendTextValue(value, &line);
  }
  return line;
}

void LogEvent(LogLevel level, absl::string_view message,
              const LogFields& fields) {
  const std::string now = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                           absl::UTCTimeZone());
  std::string line = FormatLogLine(g_format.load(), *g_component, level, now,
                                   message, fields);
  line.push_back('\n');
  // One write per line: lines from several threads never interleave.
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(2, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
}

}  // namespace natscope
