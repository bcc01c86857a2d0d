#include "ingest/parse/event_json.h"

#include <cstdint>

#include "common/json_string.h"
#include "natscope/v1/agent.pb.h"

namespace natscope::ingest {
namespace {


void AppendDigits(int64_t value, int width, std::string* out) {
  char buf[20];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(buf, static_cast<size_t>(width));
}

}  // namespace

void AppendJsonTime(absl::Time t, std::string* out) {
  const absl::CivilSecond civil = absl::ToCivilSecond(t, absl::UTCTimeZone());
  const int64_t nanos =
      absl::ToInt64Nanoseconds(t - absl::FromCivil(civil, absl::UTCTimeZone()));
  out->push_back('"');
  AppendDigits(civil.year(), 4, out);
  out->push_back('-');
  AppendDigits(civil.month(), 2, out);
  out->push_back('-');
  AppendDigits(civil.day(), 2, out);
  out->push_back('T');
  AppendDigits(civil.hour(), 2, out);
  out->push_back(':');
  AppendDigits(civil.minute(), 2, out);
  out->push_back(':');
  AppendDigits(civil.second(), 2, out);
  if (nanos != 0) {
    out->push_back('.');
    if (nanos % 1000000 == 0) {
      AppendDigits(nanos / 1000000, 3, out);
    } else if (nanos % 1000 == 0) {
      AppendDigits(nanos / 1000, 6, out);
    } else {
      AppendDigits(nanos, 9, out);
    }
  }
  out->append("Z\"");
}

void AppendLogEventJson(const ParsedLine& parsed, absl::string_view source_file,
                        std::string* out) {
  out->append("{\"time\":");
  AppendJsonTime(parsed.time, out);
  if (!source_file.empty()) {
    out->append(",\"sourceFile\":");
    AppendJsonString(source_file, out);
  }
  if (parsed.severity != v1::LOG_SEVERITY_UNSPECIFIED) {
    out->append(",\"severity\":\"");
    out->append(v1::LogSeverity_Name(parsed.severity));
    out->push_back('"');
  }
  if (!parsed.component.empty()) {
    out->append(",\"component\":");
    AppendJsonString(parsed.component, out);
  }
  out->append(",\"kind\":");
  AppendJsonString(parsed.rule->name, out);
  if (!parsed.fields.empty()) {
    out->append(",\"fields\":{");
    for (size_t i = 0; i < parsed.fields.size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendJsonString(parsed.fields[i].first, out);
      out->push_back(':');
      AppendJsonString(parsed.fields[i].second, out);
    }
    out->push_back('}');
  }
  if (!parsed.line.empty()) {
    out->append(",\"rawLine\":");
    AppendJsonString(parsed.line, out);
  }
  out->append("}\n");
}

}  // namespace natscope::ingest
