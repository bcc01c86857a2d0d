#include "ingest/parse/event_json.h"

#include <cstdint>

#include "natscope/v1/agent.pb.h"

namespace natscope::ingest {
namespace {

// 1 for bytes that JSON needs escaped.
struct EscapeTable {
  bool needs[256] = {};
  constexpr EscapeTable() {
    for (int c = 0; c < 0x20; ++c) needs[c] = true;
    needs[static_cast<unsigned char>('"')] = true;
    needs[static_cast<unsigned char>('\\')] = true;
  }
};
constexpr EscapeTable kEscape;

void AppendDigits(int64_t value, int width, std::string* out) {
  char buf[20];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(buf, static_cast<size_t>(width));
}

}  // namespace

void AppendJsonString(absl::string_view text, std::string* out) {
  out->push_back('"');
  size_t run = 0;  // Start of the bytes not yet copied.
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (!kEscape.needs[c]) continue;
    out->append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char escaped[] = {'\\', 'u',          '0',
                                '0',  kHex[c >> 4], kHex[c & 15]};
        out->append(escaped, sizeof(escaped));
      }
    }
  }
  out->append(text.data() + run, text.size() - run);
  out->push_back('"');
}

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
