// Five-field cron specs and their firing times in a time zone. Pure: no I/O
// and no clock; `after` is passed in.
//
// Grammar (Vixie cron): "minute hour day-of-month month day-of-week".
//   minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or JAN-DEC,
//   day-of-week 0-7 or SUN-SAT (0 and 7 are both Sunday); names are
//   case-insensitive. Each field is a comma-separated list of `*`, `N`,
//   `N-M`, optionally followed by a step `/S` (`*/15`, `1-30/2`, `5/20`
//   meaning 5-max/20). The macros @yearly (@annually), @monthly, @weekly,
//   @daily (@midnight) and @hourly are accepted too. A spec fires at second
//   0 of each matching minute.
//
// For tests only (CronOptions::seconds_field), a sixth, leading field gives
// the second, 0-59: "second minute hour day-of-month month day-of-week", so
// "*/2 * * * * *" fires every two seconds. Five-field specs and macros keep
// firing at second 0. Without the option six fields are refused.
//
// Day rule: when both day-of-month and day-of-week are restricted (neither
// starts with `*`), a day matches if EITHER matches ("0 8 1 * MON" fires on
// the 1st and on every Monday); otherwise both must match.
//
// Daylight-saving time (wall-clock times are read in the given zone):
//   * A firing whose local time does not exist (02:30 on a spring-forward
//     day in Europe/Paris, where 02:00 jumps to 03:00) runs at the instant
//     the gap ends, 03:00 local. Several firings inside one gap collapse
//     into that single run.
//   * A firing whose local time happens twice (02:30 on the autumn day when
//     03:00 falls back to 02:00) runs once, at the first occurrence (02:30
//     summer time) — unless the hour field matches every hour (`*`, `*/1`),
//     in which case it runs at both occurrences, so "*/15 * * * *" keeps
//     firing every 15 real minutes through the repeated hour.
#ifndef NATSCOPE_SERVER_REPORTS_CRON_H_
#define NATSCOPE_SERVER_REPORTS_CRON_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace natscope::server {

// What CronSpec::Parse accepts beyond the five-field grammar.
struct CronOptions {
  // Testing only (natscope-server --testonly_report_seconds): accept a
  // leading seconds field, as in "*/2 * * * * *". Off, six-field specs are
  // refused as having one field too many.
  bool seconds_field = false;
};

// A parsed cron spec. Immutable once built; cheap to copy; thread-safe for
// concurrent reads.
class CronSpec {
 public:
  // Parses `text`. Returns InvalidArgument naming the offending field and
  // value, or saying the spec can never fire (e.g. "0 0 30 2 *").
  static absl::StatusOr<CronSpec> Parse(absl::string_view text,
                                        CronOptions options = {});

  // Whether the spec fires on some minute of `day` (month and day rules).
  bool MatchesDay(absl::CivilDay day) const;
  bool MatchesHour(int hour) const { return (hours_ >> hour) & 1; }
  bool MatchesMinute(int minute) const { return (minutes_ >> minute) & 1; }
  // Only second 0 for a five-field spec.
  bool MatchesSecond(int second) const { return (seconds_ >> second) & 1; }
  // True when the spec was given with a seconds field.
  bool HasSecondsField() const { return has_seconds_field_; }
  // True when the hour field matches all 24 hours (see DST rules above).
  bool EveryHour() const;

  // The spec as given to Parse.
  const std::string& text() const { return text_; }

 private:
  CronSpec() = default;

  std::string text_;
  // Bit i set when value i matches.
  uint64_t seconds_ = 1;  // Five fields: second 0.
  uint64_t minutes_ = 0;
  uint64_t hours_ = 0;
  uint64_t days_of_month_ = 0;  // bits 1-31
  uint64_t months_ = 0;         // bits 1-12
  uint64_t days_of_week_ = 0;   // bits 0-6, 0 = Sunday
  bool day_of_month_star_ = false;
  bool day_of_week_star_ = false;
  bool has_seconds_field_ = false;
};

// The first firing of `spec`, read in `zone`, strictly after `after`,
// following the DST rules above. Every spec Parse accepts fires again
// within the 400-year Gregorian cycle; absl::InfiniteFuture() is returned
// only if none is found there.
absl::Time NextRun(const CronSpec& spec, absl::TimeZone zone, absl::Time after);

// The longest time zone name accepted (the longest IANA name is 32).
inline constexpr size_t kMaxTimeZoneNameBytes = 64;

// True when `name` has the shape of an IANA zone name and so can never
// be a file path: 1 to kMaxTimeZoneNameBytes bytes, one to three parts of
// [A-Za-z0-9_+-] joined by '/' ("UTC", "Europe/Paris",
// "America/Argentina/Buenos_Aires"). Pure.
bool IsTimeZoneName(absl::string_view name);

// Loads the IANA zone `name` ("Europe/Paris"; empty means UTC). Returns
// InvalidArgument, quoting at most kMaxTimeZoneNameBytes of `name`
// (escaped), when it is not IsTimeZoneName — checked before any file is
// opened, so "../../etc/passwd" or "/etc/localtime" never reach the time
// zone loader — or not in the zone database. This reads the system's
// tzdata once per zone (Abseil caches it); everything else in this package
// is free of I/O.
absl::StatusOr<absl::TimeZone> LoadReportTimeZone(absl::string_view name);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_REPORTS_CRON_H_
