// ParseSyslogMessage: the PRI, the choice of format, and the RFC 5424
// header (§6). RFC 3164 is in syslog_rfc3164.cc.
#include "server/intake/syslog/syslog_message.h"

#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "server/intake/syslog/syslog_parse_internal.h"

namespace natscope::server::intake {
namespace {

using syslog_internal::Quote;

// Facility 23 (local7) at severity 7 (debug): 23 * 8 + 7.
constexpr int kMaxPri = 191;
// TIMESTAMP's longest RFC 3339 form, with room for extra fraction digits.
constexpr size_t kMaxTimestampBytes = 40;

// "<" 1*3DIGIT ">" with a value up to 191.
bool ConsumePri(absl::string_view* in, int* pri) {
  absl::string_view s = *in;
  if (!absl::ConsumePrefix(&s, "<")) return false;
  int value = 0;
  size_t digits = 0;
  while (digits < s.size() && digits < 4 && s[digits] >= '0' &&
         s[digits] <= '9') {
    value = value * 10 + (s[digits] - '0');
    ++digits;
  }
  if (digits == 0 || digits > 3 || value > kMaxPri) return false;
  s.remove_prefix(digits);
  if (!absl::ConsumePrefix(&s, ">")) return false;
  *pri = value;
  *in = s;
  return true;
}

absl::Status BadHeader(absl::string_view what, absl::string_view at) {
  return absl::InvalidArgumentError(
      absl::StrCat("malformed RFC 5424 header: ", what, " at ", Quote(at)));
}

// One header field and the SP after it (§6: PRINTUSASCII, "-" for none).
absl::Status ConsumeField(absl::string_view* in, absl::string_view name,
                          size_t max, std::string* out) {
  const size_t sp = in->find(' ');
  if (sp == absl::string_view::npos) {
    return BadHeader(absl::StrCat("the header ends before ", name), *in);
  }
  const absl::string_view field = in->substr(0, sp);
  if (field.empty()) {
    return BadHeader(absl::StrCat("empty ", name, " (two spaces?)"), *in);
  }
  if (field.size() > max) {
    return BadHeader(absl::StrCat(name, " over ", max, " bytes"), *in);
  }
  for (char c : field) {
    if (c <= ' ' || c >= 127) {
      return BadHeader(absl::StrCat(name, " is not printable US-ASCII"), *in);
    }
  }
  if (field != "-") out->assign(field.data(), field.size());
  in->remove_prefix(sp + 1);
  return absl::OkStatus();
}

// `in` is what follows "<PRI>1 ".
absl::Status ParseRfc5424(absl::string_view in, SyslogMessage* m) {
  std::string timestamp;
  RETURN_IF_ERROR(
      ConsumeField(&in, "TIMESTAMP", kMaxTimestampBytes, &timestamp));
  if (!timestamp.empty()) {
    m->time = syslog_internal::ParseRfc3339(timestamp);
    if (!m->time.has_value()) {
      return BadHeader("TIMESTAMP is not RFC 3339 (2026-12-06T19:14:01Z)",
                       timestamp);
    }
  }
  RETURN_IF_ERROR(
      ConsumeField(&in, "HOSTNAME", kMaxHostnameBytes, &m->hostname));
  RETURN_IF_ERROR(
      ConsumeField(&in, "APP-NAME", kMaxAppNameBytes, &m->app_name));
  RETURN_IF_ERROR(ConsumeField(&in, "PROCID", kMaxProcIdBytes, &m->procid));
  RETURN_IF_ERROR(ConsumeField(&in, "MSGID", kMaxMsgIdBytes, &m->msgid));
  if (!absl::ConsumePrefix(&in, "-")) {
    RETURN_IF_ERROR(syslog_internal::ParseSdElements(&in, &m->structured_data));
  }
  if (!in.empty() && !absl::ConsumePrefix(&in, " ")) {
    return BadHeader("expected a space after STRUCTURED-DATA", in);
  }
  m->msg = syslog_internal::CleanMsg(in);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SyslogMessage> ParseSyslogMessage(absl::string_view frame,
                                                 absl::Time now,
                                                 absl::TimeZone zone) {
  SyslogMessage m;
  absl::string_view rest = frame;
  int pri = 0;
  if (ConsumePri(&rest, &pri)) {
    m.facility = pri / 8;
    m.severity = pri % 8;
    if (absl::ConsumePrefix(&rest, "1 ")) {
      m.format = SyslogMessage::Format::kRfc5424;
      RETURN_IF_ERROR(ParseRfc5424(rest, &m));
      return m;
    }
  } else {
    rest = frame;
  }
  syslog_internal::ParseRfc3164(rest, now, zone, &m);
  return m;
}

const std::string* FindSdParam(const std::vector<SdElement>& elements,
                               absl::string_view id, absl::string_view param) {
  for (const SdElement& element : elements) {
    if (element.id != id) continue;
    for (const auto& [name, value] : element.params) {
      if (name == param) return &value;
    }
    return nullptr;
  }
  return nullptr;
}

}  // namespace natscope::server::intake
