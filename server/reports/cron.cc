#include "server/reports/cron.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace natscope::server {
namespace {

struct Field {
  const char* name;
  int min;
  int max;
  // Names for min, min+1, ...; nullptr when the field has none.
  const char* const* names;
  int name_count;
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR",
                                       "MAY", "JUN", "JUL", "AUG",
                                       "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED",
                                     "THU", "FRI", "SAT"};

constexpr Field kFields[5] = {
    {"minute", 0, 59, nullptr, 0},       {"hour", 0, 23, nullptr, 0},
    {"day-of-month", 1, 31, nullptr, 0}, {"month", 1, 12, kMonthNames, 12},
    {"day-of-week", 0, 7, kDayNames, 7},
};

// The optional leading field of CronOptions::seconds_field.
constexpr Field kSecondField = {"second", 0, 59, nullptr, 0};

// 400 Gregorian years repeat every (month, day, weekday) combination.
constexpr int kMaxSearchDays = 146097 + 7;

absl::Status FieldError(absl::string_view spec, const Field& field,
                        absl::string_view text, absl::string_view detail) {
  return absl::InvalidArgumentError(
      absl::StrCat("cron spec \"", spec, "\": ", field.name, " field \"", text,
                   "\": ", detail));
}

absl::StatusOr<int> ParseValue(absl::string_view spec, const Field& field,
                               absl::string_view field_text,
                               absl::string_view value) {
  int n = 0;
  if (absl::SimpleAtoi(value, &n) && !value.empty() &&
      absl::ascii_isdigit(value[0])) {
    if (n < field.min || n > field.max) {
      return FieldError(spec, field, field_text,
                        absl::StrCat(value, " is out of range; use ", field.min,
                                     "-", field.max));
    }
    return n;
  }
  const std::string upper = absl::AsciiStrToUpper(value);
  for (int i = 0; i < field.name_count; ++i) {
    if (upper == field.names[i]) return field.min + i;
  }
  std::string hint = absl::StrCat("use numbers ", field.min, "-", field.max);
  if (field.name_count > 0) {
    absl::StrAppend(&hint, " or names ", field.names[0], "-",
                    field.names[field.name_count - 1]);
  }
  return FieldError(spec, field, field_text,
                    absl::StrCat("\"", value, "\" is not a value; ", hint));
}

// Parses one comma-separated element: `*`, `N`, `N-M`, each with `/S`.
absl::Status ParseElement(absl::string_view spec, const Field& field,
                          absl::string_view field_text,
                          absl::string_view element, uint64_t* mask) {
  if (element.empty()) {
    return FieldError(spec, field, field_text,
                      "empty list element; remove the extra comma");
  }
  absl::string_view range = element;
  int step = 1;
  bool has_step = false;
  if (size_t slash = element.find('/'); slash != absl::string_view::npos) {
    range = element.substr(0, slash);
    absl::string_view step_text = element.substr(slash + 1);
    if (!absl::SimpleAtoi(step_text, &step) || step < 1 ||
        step > field.max - field.min + 1) {
      return FieldError(
          spec, field, field_text,
          absl::StrCat("step \"", step_text, "\" must be a number from 1 to ",
                       field.max - field.min + 1));
    }
    has_step = true;
  }
  int lo = field.min, hi = field.max;
  if (range != "*") {
    size_t dash = range.find('-');
    ASSIGN_OR_RETURN(
        lo, ParseValue(spec, field, field_text, range.substr(0, dash)));
    if (dash != absl::string_view::npos) {
      ASSIGN_OR_RETURN(
          hi, ParseValue(spec, field, field_text, range.substr(dash + 1)));
      if (hi < lo) {
        return FieldError(spec, field, field_text,
                          absl::StrCat("range ", range,
                                       " runs backwards; write the smaller "
                                       "value first or use a list"));
      }
    } else if (!has_step) {
      hi = lo;  // A single value; "5/20" means 5-max/20.
    }
  }
  for (int v = lo; v <= hi; v += step) *mask |= uint64_t{1} << v;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> ParseField(absl::string_view spec, const Field& field,
                                    absl::string_view text) {
  uint64_t mask = 0;
  for (absl::string_view element : absl::StrSplit(text, ',')) {
    RETURN_IF_ERROR(ParseElement(spec, field, text, element, &mask));
  }
  return mask;
}

absl::string_view ExpandMacro(absl::string_view text) {
  if (text == "@yearly" || text == "@annually") return "0 0 1 1 *";
  if (text == "@monthly") return "0 0 1 * *";
  if (text == "@weekly") return "0 0 * * 0";
  if (text == "@daily" || text == "@midnight") return "0 0 * * *";
  if (text == "@hourly") return "0 * * * *";
  return text;
}

// Longest length of each month in any year (February 29 in leap years).
constexpr int kMaxMonthDays[13] = {0,  31, 29, 31, 30, 31, 30,
                                   31, 31, 30, 31, 30, 31};

// Whether some day in `days_of_month` exists in some month in `months`.
bool SomeListedDayExists(uint64_t months, uint64_t days_of_month) {
  for (int m = 1; m <= 12; ++m) {
    if (!((months >> m) & 1)) continue;
    for (int d = 1; d <= kMaxMonthDays[m]; ++d) {
      if ((days_of_month >> d) & 1) return true;
    }
  }
  return false;
}

// Lowers `*best` to the instants of the firing at local time `cs` that are
// after `after` (cron.h's DST rules). Returns the firing's earliest instant:
// later civil times cannot map before it.
absl::Time ConsiderFiring(const CronSpec& spec, absl::TimeZone zone,
                          absl::CivilSecond cs, absl::Time after,
                          absl::Time* best) {
  auto consider = [&](absl::Time t) {
    if (t > after && t < *best) *best = t;
  };
  const absl::TimeZone::TimeInfo info = zone.At(cs);
  absl::Time first_instant = info.pre;
  switch (info.kind) {
    case absl::TimeZone::TimeInfo::UNIQUE:
      break;
    case absl::TimeZone::TimeInfo::SKIPPED:
      first_instant = info.trans;  // The end of the gap.
      break;
    case absl::TimeZone::TimeInfo::REPEATED:
      if (spec.EveryHour()) consider(info.post);
      break;
  }
  consider(first_instant);
  return first_instant;
}

// The latest instant any second of `minute` fires at, were all to match:
// the mapping is monotonic, so the minute's last second bounds the rest.
absl::Time LatestInstant(const CronSpec& spec, absl::TimeZone zone,
                         absl::CivilMinute minute) {
  const absl::TimeZone::TimeInfo info = zone.At(absl::CivilSecond(minute) + 59);
  switch (info.kind) {
    case absl::TimeZone::TimeInfo::UNIQUE:
      break;
    case absl::TimeZone::TimeInfo::SKIPPED:
      return info.trans;
    case absl::TimeZone::TimeInfo::REPEATED:
      if (spec.EveryHour()) return info.post;
      break;
  }
  return info.pre;
}

}  // namespace

absl::StatusOr<CronSpec> CronSpec::Parse(absl::string_view text,
                                         CronOptions options) {
  const absl::string_view expanded =
      ExpandMacro(absl::StripAsciiWhitespace(text));
  std::vector<absl::string_view> fields =
      absl::StrSplit(expanded, absl::ByAnyChar(" \t"), absl::SkipWhitespace());
  CronSpec spec;
  if (options.seconds_field && fields.size() == 6) {
    ASSIGN_OR_RETURN(spec.seconds_, ParseField(text, kSecondField, fields[0]));
    spec.has_seconds_field_ = true;
    fields.erase(fields.begin());
  } else if (fields.size() != 5) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cron spec \"", text, "\" has ", fields.size(),
        " fields; expected 5 (minute hour day-of-month month day-of-week), "
        "e.g. \"0 8 * * MON\" for Mondays at 08:00",
        options.seconds_field ? ", or 6 with a leading second (tests only)"
                              : ""));
  }
  spec.text_ = std::string(text);
  uint64_t* masks[5] = {&spec.minutes_, &spec.hours_, &spec.days_of_month_,
                        &spec.months_, &spec.days_of_week_};
  for (int i = 0; i < 5; ++i) {
    ASSIGN_OR_RETURN(*masks[i], ParseField(text, kFields[i], fields[i]));
  }
  // Sunday may be written 0 or 7.
  if (spec.days_of_week_ & (uint64_t{1} << 7)) {
    spec.days_of_week_ = (spec.days_of_week_ & 0x7f) | 1;
  }
  spec.day_of_month_star_ = fields[2][0] == '*';
  spec.day_of_week_star_ = fields[4][0] == '*';

  // With the AND rule, some listed day must exist in some listed month.
  if (!spec.day_of_month_star_ && spec.day_of_week_star_ &&
      !SomeListedDayExists(spec.months_, spec.days_of_month_)) {
    return FieldError(
        text, kFields[2], fields[2],
        absl::StrCat("no listed day exists in month field \"", fields[3],
                     "\", so the schedule would never run"));
  }
  return spec;
}

bool CronSpec::MatchesDay(absl::CivilDay day) const {
  if (!((months_ >> day.month()) & 1)) return false;
  const bool dom = (days_of_month_ >> day.day()) & 1;
  // absl::Weekday counts from Monday = 0; cron from Sunday = 0.
  const int weekday = (static_cast<int>(absl::GetWeekday(day)) + 1) % 7;
  const bool dow = (days_of_week_ >> weekday) & 1;
  if (day_of_month_star_ || day_of_week_star_) return dom && dow;
  return dom || dow;
}

bool CronSpec::EveryHour() const { return hours_ == (uint64_t{1} << 24) - 1; }

absl::Time NextRun(const CronSpec& spec, absl::TimeZone zone,
                   absl::Time after) {
  const absl::CivilSecond local_after = zone.At(after).cs;
  // Civil times more than 3 hours before `after` map to instants before it
  // under any real-world offset change; skip them without a zone lookup.
  const absl::CivilSecond floor = local_after - 3 * 3600;
  const absl::CivilDay first = absl::CivilDay(local_after) - 1;
  for (absl::CivilDay day = first; day < first + kMaxSearchDays; ++day) {
    if (!spec.MatchesDay(day)) continue;
    absl::Time best = absl::InfiniteFuture();
    for (int h = 0; h < 24; ++h) {
      if (!spec.MatchesHour(h)) continue;
      for (int m = 0; m < 60; ++m) {
        const absl::CivilMinute minute(day.year(), day.month(), day.day(), h,
                                       m);
        if (!spec.MatchesMinute(m) || absl::CivilSecond(minute + 1) <= floor) {
          continue;
        }
        // With seconds, one lookup skips a minute wholly at or before
        // `after` (not sixty).
        if (spec.HasSecondsField() &&
            LatestInstant(spec, zone, minute) <= after) {
          continue;
        }
        for (int s = 0; s < 60; ++s) {
          const absl::CivilSecond cs = absl::CivilSecond(minute) + s;
          if (!spec.MatchesSecond(s) || cs < floor) continue;
          // The first firing past `after` ends the scan.
          if (ConsiderFiring(spec, zone, cs, after, &best) > after) {
            return best;
          }
        }
      }
    }
    if (best != absl::InfiniteFuture()) return best;
  }
  return absl::InfiniteFuture();
}

bool IsTimeZoneName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxTimeZoneNameBytes) return false;
  int parts = 1;
  bool part_empty = true;
  for (const char c : name) {
    if (c == '/') {
      if (part_empty || ++parts > 3) return false;
      part_empty = true;
    } else if (absl::ascii_isalnum(c) || c == '_' || c == '+' || c == '-') {
      part_empty = false;
    } else {
      return false;
    }
  }
  return !part_empty;
}

absl::StatusOr<absl::TimeZone> LoadReportTimeZone(absl::string_view name) {
  absl::TimeZone zone = absl::UTCTimeZone();
  if (name.empty()) return zone;
  // absl::LoadTimeZone opens a file by this name (relative to the zone
  // database, or absolute): only a name that cannot be a path gets there.
  if (!IsTimeZoneName(name)) {
    const absl::string_view shown = name.substr(0, kMaxTimeZoneNameBytes);
    return absl::InvalidArgumentError(absl::StrCat(
        "time zone \"", absl::CHexEscape(shown), "\"",
        name.size() > shown.size() ? absl::StrCat(" (cut; ", name.size(), " bytes)")
                                   : "",
        " is not a time zone name: use an IANA name such as \"Europe/Paris\" "
        "or \"UTC\" (letters, digits, '_', '+', '-'; at most three parts "
        "joined by '/'; at most 64 bytes; never a file path)"));
  }
  if (!absl::LoadTimeZone(std::string(name), &zone)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown time zone \"", name,
        "\"; use an IANA name such as \"Europe/Paris\" or \"UTC\""));
  }
  return zone;
}

}  // namespace natscope::server
