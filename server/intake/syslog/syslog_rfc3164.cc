// RFC 3164 messages as rsyslog and syslog-ng send them: a BSD (or RFC
// 3339) timestamp, an optional HOSTNAME, an optional TAG, and MSG, which
// may start with SD elements (syslog_message.h). Never fails: what does
// not fit stays in MSG.
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "server/intake/syslog/syslog_parse_internal.h"

namespace natscope::server::intake::syslog_internal {
namespace {

constexpr std::array<absl::string_view, 12> kMonths = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsPrintableToken(absl::string_view token) {
  for (char c : token) {
    if (c <= ' ' || c >= 127) return false;
  }
  return !token.empty();
}

// Two digits at s[i], i+1 into *value; false when they are not.
bool TwoDigits(absl::string_view s, size_t i, int* value) {
  if (i + 2 > s.size() || !IsDigit(s[i]) || !IsDigit(s[i + 1])) return false;
  *value = (s[i] - '0') * 10 + (s[i + 1] - '0');
  return true;
}

// "Mmm dd hh:mm:ss", "Mmm  d hh:mm:ss" or "Mmm d hh:mm:ss", followed by a
// space or the end. Sets *time to nullopt for a date that does not exist
// (Feb 30): the header still parses.
bool ConsumeBsdTime(absl::string_view* in, absl::Time now, absl::TimeZone zone,
                    std::optional<absl::Time>* time) {
  absl::string_view s = *in;
  if (s.size() < 14 || s[3] != ' ') return false;
  int month = 0;
  while (month < 12 && kMonths[month] != s.substr(0, 3)) ++month;
  if (month == 12) return false;
  s.remove_prefix(4);
  if (s[0] == ' ') s.remove_prefix(1);  // "Dec  6"
  int day = 0;
  if (IsDigit(s[0]) && s.size() > 1 && s[1] == ' ') {
    day = s[0] - '0';
    s.remove_prefix(2);
  } else if (TwoDigits(s, 0, &day) && s.size() > 2 && s[2] == ' ') {
    s.remove_prefix(3);
  } else {
    return false;
  }
  int hour = 0, minute = 0, second = 0;
  if (!TwoDigits(s, 0, &hour) || s.size() < 8 || s[2] != ':' ||
      !TwoDigits(s, 3, &minute) || s[5] != ':' || !TwoDigits(s, 6, &second)) {
    return false;
  }
  s.remove_prefix(8);
  if (!s.empty() && s[0] != ' ') return false;
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return false;
  }
  // No year on the wire: the one that puts the message at most a day in
  // the future (clocks disagree a little; a message is not from next year).
  const absl::CivilYear this_year = absl::ToCivilYear(now, zone);
  time->reset();
  for (absl::civil_year_t year : {this_year.year(), this_year.year() - 1}) {
    const absl::CivilSecond cs(year, month + 1, day, hour, minute, second);
    if (cs.day() != day) continue;  // Normalised: no Feb 29 that year.
    const absl::Time t = absl::FromCivil(cs, zone);
    if (t <= now + absl::Hours(24) || year != this_year.year()) {
      *time = t;
      break;
    }
  }
  *in = s;
  return true;
}

// An RFC 3339 timestamp in place of the BSD one (rsyslog's
// RSYSLOG_ForwardFormat, syslog-ng's ts-format(iso)).
bool ConsumeRfc3339(absl::string_view* in, std::optional<absl::Time>* time) {
  const size_t sp = in->find(' ');
  std::optional<absl::Time> t = ParseRfc3339(in->substr(0, sp));
  if (!t.has_value()) return false;
  *time = t;
  in->remove_prefix(sp == absl::string_view::npos ? in->size() : sp);
  return true;
}

// TAG as senders write it: "name:", "name[pid]:" or "name[pid]", with
// a name of printable ASCII up to kMaxAppNameBytes.
bool ParseTag(absl::string_view token, std::string* name, std::string* pid) {
  const size_t end = token.find_first_of("[:");
  if (end == absl::string_view::npos || end == 0 || end > kMaxAppNameBytes ||
      !IsPrintableToken(token)) {
    return false;
  }
  absl::string_view rest = token.substr(end);
  absl::string_view pid_text;
  if (absl::ConsumePrefix(&rest, "[")) {
    const size_t close = rest.find(']');
    if (close == absl::string_view::npos || close > kMaxProcIdBytes) {
      return false;
    }
    pid_text = rest.substr(0, close);
    rest.remove_prefix(close + 1);
    absl::ConsumePrefix(&rest, ":");
  } else {
    rest.remove_prefix(1);  // ':'
  }
  if (!rest.empty()) return false;
  name->assign(token.data(), end);
  pid->assign(pid_text.data(), pid_text.size());
  return true;
}

absl::string_view FirstToken(absl::string_view s) {
  return s.substr(0, s.find(' '));
}

// After the timestamp's space: [HOSTNAME SP] [TAG SP] MSG.
absl::string_view ConsumeHostAndTag(absl::string_view in, SyslogMessage* m) {
  absl::string_view token = FirstToken(in);
  if (!ParseTag(token, &m->app_name, &m->procid)) {
    if (!IsPrintableToken(token) || token.size() > kMaxHostnameBytes) {
      return in;
    }
    m->hostname = std::string(token);
    in.remove_prefix(token.size());
    if (!absl::ConsumePrefix(&in, " ")) return in;
    token = FirstToken(in);
    if (!ParseTag(token, &m->app_name, &m->procid)) return in;
  }
  in.remove_prefix(token.size());
  absl::ConsumePrefix(&in, " ");
  return in;
}

// SD-IDs without '@' are IANA's (RFC 5424 §7); only these and private
// ones ("name@PEN") count, so that "[INFO] ..." and "[1234] ..." stay text.
bool IsSdId(absl::string_view id) {
  return absl::StrContains(id, '@') || id == "timeQuality" || id == "origin" ||
         id == "meta";
}

// RFC 3164 has no SD: leading SD elements in MSG are taken as SD.
absl::string_view ConsumeLeadingSd(absl::string_view msg, SyslogMessage* m) {
  if (!absl::StartsWith(msg, "[")) return msg;
  absl::string_view rest = msg;
  std::vector<SdElement> elements;
  if (!ParseSdElements(&rest, &elements).ok()) return msg;
  for (const SdElement& element : elements) {
    if (!IsSdId(element.id)) return msg;
  }
  m->structured_data = std::move(elements);
  absl::ConsumePrefix(&rest, " ");
  return rest;
}

}  // namespace

void ParseRfc3164(absl::string_view in, absl::Time now, absl::TimeZone zone,
                  SyslogMessage* m) {
  m->format = SyslogMessage::Format::kRfc3164;
  absl::string_view rest = in;
  if (ConsumeBsdTime(&rest, now, zone, &m->time) ||
      ConsumeRfc3339(&rest, &m->time)) {
    absl::ConsumePrefix(&rest, " ");
    in = ConsumeHostAndTag(rest, m);
  }
  m->msg = CleanMsg(ConsumeLeadingSd(in, m));
}

}  // namespace natscope::server::intake::syslog_internal
