// The pieces of syslog parsing that both formats use: RFC 5424 structured
// data (§6.3), RFC 3339 timestamps, MSG clean-up and error quoting.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "server/intake/syslog/syslog_parse_internal.h"

namespace natscope::server::intake::syslog_internal {
namespace {

constexpr size_t kQuoteBytes = 40;
constexpr char kBom[] = "\xEF\xBB\xBF";

absl::Status Bad(absl::string_view what, absl::string_view at) {
  return absl::InvalidArgumentError(absl::StrCat(
      "malformed RFC 5424 structured data: ", what, " at ", Quote(at)));
}

// SD-NAME (§6.3.2): 1 to 32 printable US-ASCII characters except '=',
// SP, ']' and '"'.
bool IsSdNameChar(char c) {
  return c > ' ' && c < 127 && c != '=' && c != ']' && c != '"';
}

absl::Status ParseSdName(absl::string_view* in, absl::string_view what,
                         std::string* out) {
  size_t n = 0;
  while (n < in->size() && IsSdNameChar((*in)[n])) ++n;
  if (n == 0) return Bad(absl::StrCat("empty ", what), *in);
  if (n > kMaxSdNameBytes) {
    return Bad(absl::StrCat(what, " over ", kMaxSdNameBytes, " bytes"), *in);
  }
  out->assign(in->data(), n);
  in->remove_prefix(n);
  return absl::OkStatus();
}

// PARAM-VALUE after its opening quote, through the closing one. Only \",
// \\ and \] are escapes (§6.3.3); a backslash before anything else is
// kept. An unescaped ']' is taken as it is: inside quotes it cannot end
// the element, and senders that forget to escape it are common.
absl::Status ParseParamValue(absl::string_view* in, std::string* out) {
  const absl::string_view start = *in;
  for (size_t i = 0; i < in->size(); ++i) {
    const char c = (*in)[i];
    if (c == '"') {
      in->remove_prefix(i + 1);
      return absl::OkStatus();
    }
    if (c == '\\' && i + 1 < in->size()) {
      const char next = (*in)[i + 1];
      if (next == '"' || next == '\\' || next == ']') {
        out->push_back(next);
        ++i;
        continue;
      }
    }
    out->push_back(c);
  }
  return Bad("PARAM-VALUE without its closing quote", start);
}

absl::Status ParseSdElement(absl::string_view* in, SdElement* element) {
  in->remove_prefix(1);  // '['
  RETURN_IF_ERROR(ParseSdName(in, "SD-ID", &element->id));
  for (;;) {
    if (in->empty()) return Bad("SD element without its \"]\"", *in);
    if ((*in)[0] == ']') {
      in->remove_prefix(1);
      return absl::OkStatus();
    }
    if ((*in)[0] != ' ') return Bad("expected a space or \"]\"", *in);
    in->remove_prefix(1);
    if (element->params.size() == kMaxSdParams) {
      return Bad(absl::StrCat("more than ", kMaxSdParams, " parameters"), *in);
    }
    std::pair<std::string, std::string> param;
    RETURN_IF_ERROR(ParseSdName(in, "PARAM-NAME", &param.first));
    if (!absl::ConsumePrefix(in, "=\"")) {
      return Bad("expected =\" after PARAM-NAME", *in);
    }
    RETURN_IF_ERROR(ParseParamValue(in, &param.second));
    element->params.push_back(std::move(param));
  }
}

}  // namespace

std::string Quote(absl::string_view text) {
  const bool cut = text.size() > kQuoteBytes;
  return absl::StrCat("\"", absl::CHexEscape(text.substr(0, kQuoteBytes)),
                      cut ? "...\"" : "\"");
}

absl::Status ParseSdElements(absl::string_view* in,
                             std::vector<SdElement>* out) {
  absl::string_view s = *in;
  if (s.empty() || s[0] != '[') {
    return Bad("expected \"-\" or \"[\"", s);
  }
  std::vector<SdElement> elements;
  while (!s.empty() && s[0] == '[') {
    if (elements.size() == kMaxSdElements) {
      return Bad(absl::StrCat("more than ", kMaxSdElements, " elements"), s);
    }
    SdElement element;
    RETURN_IF_ERROR(ParseSdElement(&s, &element));
    elements.push_back(std::move(element));
  }
  *in = s;
  *out = std::move(elements);
  return absl::OkStatus();
}

std::optional<absl::Time> ParseRfc3339(absl::string_view text) {
  // Longest: 2026-12-06T19:14:01.123456789+05:30 (RFC 5424 allows six
  // fractional digits; more are taken, not required).
  if (text.size() < 20 || text.size() > 40) return std::nullopt;
  absl::Time t;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%d%ET%H:%M:%E*S%Ez", text, &t, &error)) {
    return std::nullopt;
  }
  return t;
}

std::string CleanMsg(absl::string_view msg) {
  absl::ConsumePrefix(&msg, kBom);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) {
    msg.remove_suffix(1);
  }
  return std::string(msg);
}

}  // namespace natscope::server::intake::syslog_internal
