#include "server/reports/cron.h"

#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

absl::Time T(const std::string& rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err))
      << rfc3339 << ": " << err;
  return t;
}

struct NextRunCase {
  const char* spec;
  const char* zone;
  const char* after;
  const char* want;
};

class NextRunTest : public testing::TestWithParam<NextRunCase> {};

void ExpectNextRun(const NextRunCase& c, CronOptions options) {
  absl::StatusOr<CronSpec> spec = CronSpec::Parse(c.spec, options);
  ASSERT_TRUE(spec.ok()) << spec.status();
  absl::StatusOr<absl::TimeZone> zone = LoadReportTimeZone(c.zone);
  ASSERT_TRUE(zone.ok()) << zone.status();
  const absl::Time got = NextRun(*spec, *zone, T(c.after));
  EXPECT_EQ(got, T(c.want))
      << c.spec << " in " << c.zone << " after " << c.after
      << (options.seconds_field ? " (seconds field allowed)" : "") << ": got "
      << absl::FormatTime(absl::RFC3339_full, got, *zone);
}

// Five-field specs fire at the same instants whether or not the seconds
// field is allowed.
TEST_P(NextRunTest, FiresAtExpectedInstant) {
  ExpectNextRun(GetParam(), CronOptions{});
  ExpectNextRun(GetParam(), CronOptions{/*seconds_field=*/true});
}

INSTANTIATE_TEST_SUITE_P(
    Table, NextRunTest,
    testing::Values(
        // Every Monday 08:00 Paris, across spring forward (2024-03-31)...
        NextRunCase{"0 8 * * MON", "Europe/Paris", "2024-03-25T08:00:00+01:00",
                    "2024-04-01T08:00:00+02:00"},
        NextRunCase{"0 8 * * MON", "Europe/Paris", "2024-03-29T12:00:00+01:00",
                    "2024-04-01T08:00:00+02:00"},
        // ...and across fall back (2024-10-27).
        NextRunCase{"0 8 * * MON", "Europe/Paris", "2024-10-21T08:00:00+02:00",
                    "2024-10-28T08:00:00+01:00"},
        // Just before the firing, and exactly at it (strictly after).
        NextRunCase{"0 8 * * mon", "Europe/Paris", "2024-10-28T07:59:59+01:00",
                    "2024-10-28T08:00:00+01:00"},
        NextRunCase{"0 8 * * 1", "Europe/Paris", "2024-10-28T08:00:00+01:00",
                    "2024-11-04T08:00:00+01:00"},
        // 02:30 does not exist on spring-forward day: runs when the gap ends.
        NextRunCase{"30 2 * * *", "Europe/Paris", "2024-03-30T02:30:00+01:00",
                    "2024-03-31T03:00:00+02:00"},
        NextRunCase{"30 2 * * *", "Europe/Paris", "2024-03-31T03:00:00+02:00",
                    "2024-04-01T02:30:00+02:00"},
        // 02:30 happens twice in autumn: runs once, at the first.
        NextRunCase{"30 2 * * *", "Europe/Paris", "2024-10-26T02:30:00+02:00",
                    "2024-10-27T02:30:00+02:00"},
        NextRunCase{"30 2 * * *", "Europe/Paris", "2024-10-27T02:30:00+02:00",
                    "2024-10-28T02:30:00+01:00"},
        // Every 15 minutes keeps real-time spacing through both changes.
        NextRunCase{"*/15 * * * *", "Europe/Paris", "2024-03-31T01:45:00+01:00",
                    "2024-03-31T03:00:00+02:00"},
        NextRunCase{"*/15 * * * *", "Europe/Paris", "2024-03-31T03:00:00+02:00",
                    "2024-03-31T03:15:00+02:00"},
        NextRunCase{"*/15 * * * *", "Europe/Paris", "2024-10-27T02:45:00+02:00",
                    "2024-10-27T02:00:00+01:00"},
        NextRunCase{"*/15 * * * *", "Europe/Paris", "2024-10-27T02:20:00+01:00",
                    "2024-10-27T02:30:00+01:00"},
        NextRunCase{"*/15 * * * *", "Europe/Paris", "2024-10-27T02:45:00+01:00",
                    "2024-10-27T03:00:00+01:00"},
        NextRunCase{"*/15 * * * *", "UTC", "2024-05-01T10:07:00Z",
                    "2024-05-01T10:15:00Z"},
        NextRunCase{"*/15 * * * *", "UTC", "2024-05-01T10:15:00Z",
                    "2024-05-01T10:30:00Z"},
        NextRunCase{"*/15 * * * *", "", "2024-12-31T23:50:00Z",
                    "2025-01-01T00:00:00Z"},
        // End of month: the 31st skips 30-day months.
        NextRunCase{"0 12 31 * *", "UTC", "2024-04-01T00:00:00Z",
                    "2024-05-31T12:00:00Z"},
        NextRunCase{"0 0 1 * *", "UTC", "2024-12-31T23:59:00Z",
                    "2025-01-01T00:00:00Z"},
        // February 29: leap years only, and 2100 is not one.
        NextRunCase{"0 0 29 2 *", "UTC", "2024-02-29T00:00:00Z",
                    "2028-02-29T00:00:00Z"},
        NextRunCase{"0 0 29 FEB *", "UTC", "2097-03-01T00:00:00Z",
                    "2104-02-29T00:00:00Z"},
        // Both day fields restricted: either matches (1st or Monday).
        NextRunCase{"0 8 1 * MON", "UTC", "2024-05-27T08:00:00Z",
                    "2024-06-01T08:00:00Z"},
        NextRunCase{"0 8 1 * MON", "UTC", "2024-06-01T08:00:00Z",
                    "2024-06-03T08:00:00Z"},
        // Day-of-month starting with `*`: both must match.
        NextRunCase{"0 8 */2 * MON", "UTC", "2024-06-01T00:00:00Z",
                    "2024-06-03T08:00:00Z"},
        NextRunCase{"0 8 */2 * MON", "UTC", "2024-06-03T08:00:00Z",
                    "2024-06-17T08:00:00Z"},
        NextRunCase{"0 9 * jul sat", "UTC", "2024-01-01T00:00:00Z",
                    "2024-07-06T09:00:00Z"},
        NextRunCase{"0 0 * * 7", "UTC", "2024-05-01T00:00:00Z",
                    "2024-05-05T00:00:00Z"},
        NextRunCase{"0 1-10/3 * * *", "UTC", "2024-05-01T01:00:00Z",
                    "2024-05-01T04:00:00Z"},
        NextRunCase{"0,30 9 * * MON-FRI", "UTC", "2024-05-03T09:30:00Z",
                    "2024-05-06T09:00:00Z"},
        NextRunCase{"@weekly", "UTC", "2024-05-01T00:00:00Z",
                    "2024-05-05T00:00:00Z"}));

// Six fields, the first the second: for tests only (CronOptions).
class SecondsNextRunTest : public testing::TestWithParam<NextRunCase> {};

TEST_P(SecondsNextRunTest, FiresAtExpectedInstant) {
  ExpectNextRun(GetParam(), CronOptions{/*seconds_field=*/true});
}

INSTANTIATE_TEST_SUITE_P(
    Table, SecondsNextRunTest,
    testing::Values(
        NextRunCase{"*/5 * * * * *", "UTC", "2024-05-01T10:07:03Z",
                    "2024-05-01T10:07:05Z"},
        // Strictly after: at a firing, the next one.
        NextRunCase{"*/5 * * * * *", "UTC", "2024-05-01T10:07:05Z",
                    "2024-05-01T10:07:10Z"},
        NextRunCase{"*/5 * * * * *", "UTC", "2024-12-31T23:59:55Z",
                    "2025-01-01T00:00:00Z"},
        NextRunCase{"* * * * * *", "UTC", "2024-05-01T10:07:03.250Z",
                    "2024-05-01T10:07:04Z"},
        NextRunCase{"0 * * * * *", "UTC", "2024-05-01T10:07:00Z",
                    "2024-05-01T10:08:00Z"},
        NextRunCase{"10-20/5,59 * * * * *", "UTC", "2024-05-01T10:07:20Z",
                    "2024-05-01T10:07:59Z"},
        NextRunCase{"59 59 23 31 12 *", "UTC", "2024-06-01T00:00:00Z",
                    "2024-12-31T23:59:59Z"},
        NextRunCase{"30 0 8 * * MON", "Europe/Paris",
                    "2024-10-28T08:00:00+01:00", "2024-10-28T08:00:30+01:00"},
        // Firings inside the spring-forward gap collapse into its end...
        NextRunCase{"*/20 30 2 * * *", "Europe/Paris",
                    "2024-03-31T01:59:59+01:00", "2024-03-31T03:00:00+02:00"},
        NextRunCase{"*/20 30 2 * * *", "Europe/Paris",
                    "2024-03-31T03:00:00+02:00", "2024-04-01T02:30:00+02:00"},
        // ...and every second keeps ticking through the repeated hour.
        NextRunCase{"* * * * * *", "Europe/Paris", "2024-10-27T02:59:59+02:00",
                    "2024-10-27T02:00:00+01:00"},
        NextRunCase{"* * * * * *", "Europe/Paris", "2024-10-27T02:00:00+01:00",
                    "2024-10-27T02:00:01+01:00"},
        // Macros keep their second 0.
        NextRunCase{"@hourly", "UTC", "2024-05-01T10:07:00Z",
                    "2024-05-01T11:00:00Z"}));

TEST(CronSpecTest, FiveFieldsFireAtSecondZeroOnly) {
  for (const bool seconds_field : {false, true}) {
    absl::StatusOr<CronSpec> spec =
        CronSpec::Parse("* * * * *", CronOptions{seconds_field});
    ASSERT_TRUE(spec.ok()) << spec.status();
    EXPECT_TRUE(spec->MatchesSecond(0));
    for (int s = 1; s < 60; ++s) EXPECT_FALSE(spec->MatchesSecond(s)) << s;
  }
}

TEST(CronSpecTest, SixFieldsAreRefusedAsTodayWithoutTheOption) {
  absl::StatusOr<CronSpec> spec = CronSpec::Parse("*/5 * * * * *");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(spec.status().message(),
            "cron spec \"*/5 * * * * *\" has 6 fields; expected 5 (minute "
            "hour day-of-month month day-of-week), e.g. \"0 8 * * MON\" for "
            "Mondays at 08:00");
}

struct BadSpecCase {
  const char* spec;
  const char* message_part;
};

void ExpectBadSpec(const BadSpecCase& c, CronOptions options) {
  absl::StatusOr<CronSpec> spec = CronSpec::Parse(c.spec, options);
  ASSERT_FALSE(spec.ok()) << c.spec;
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(spec.status().message().find(c.message_part),
            absl::string_view::npos)
      << spec.status();
}

class BadSpecTest : public testing::TestWithParam<BadSpecCase> {};

// Bad five-field specs stay bad when the seconds field is allowed.
TEST_P(BadSpecTest, IsInvalidArgumentNamingTheField) {
  ExpectBadSpec(GetParam(), CronOptions{});
  ExpectBadSpec(GetParam(), CronOptions{/*seconds_field=*/true});
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadSpecTest,
    testing::Values(
        BadSpecCase{"0 8 * *", "has 4 fields; expected 5"},
        BadSpecCase{"", "has 0 fields"},
        BadSpecCase{"60 * * * *", "minute field \"60\": 60 is out of range"},
        BadSpecCase{"0 24 * * *", "hour field \"24\""},
        BadSpecCase{"0 0 0 * *", "day-of-month field \"0\""},
        BadSpecCase{"0 0 * FOO *", "month field \"FOO\": \"FOO\" is not"},
        BadSpecCase{"0 0 * * MON-FOO", "day-of-week field \"MON-FOO\""},
        BadSpecCase{"0 0 * * FRI-MON", "runs backwards"},
        BadSpecCase{"*/0 * * * *", "minute field \"*/0\": step"},
        BadSpecCase{"0 0 1,,2 * *", "empty list element"},
        BadSpecCase{"0 0 30 2 *", "would never run"},
        BadSpecCase{"0 0 31 APR,JUN *", "would never run"},
        BadSpecCase{"0 0 0 8 * * * *", "has 8 fields; expected 5"}));

class BadSecondsSpecTest : public testing::TestWithParam<BadSpecCase> {};

TEST_P(BadSecondsSpecTest, IsInvalidArgumentNamingTheField) {
  ExpectBadSpec(GetParam(), CronOptions{/*seconds_field=*/true});
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadSecondsSpecTest,
    testing::Values(
        BadSpecCase{"60 * * * * *", "second field \"60\": 60 is out of range"},
        BadSpecCase{"*/0 * * * * *", "second field \"*/0\": step"},
        BadSpecCase{"5-1 * * * * *", "second field \"5-1\": range 5-1 runs"},
        BadSpecCase{"* 60 * * * *", "minute field \"60\""},
        BadSpecCase{"* * * * * * *", "has 7 fields; expected 5"},
        BadSpecCase{"* * * * * * *", "or 6 with a leading second (tests only)"},
        BadSpecCase{"0 0 0 30 2 *", "would never run"}));

TEST(CronSpecTest, ImpossibleDayIsFineWhenWeekdayAlsoListed) {
  absl::StatusOr<CronSpec> spec = CronSpec::Parse("0 0 30 2 MON");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(NextRun(*spec, absl::UTCTimeZone(), T("2024-02-20T00:00:00Z")),
            T("2024-02-26T00:00:00Z"));
}

TEST(LoadReportTimeZoneTest, UnknownZoneIsInvalidArgument) {
  absl::StatusOr<absl::TimeZone> zone = LoadReportTimeZone("Mars/Olympus");
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(zone.status().message().find("Mars/Olympus"),
            absl::string_view::npos);
}

TEST(LoadReportTimeZoneTest, PathsAndOddNamesAreRefusedBeforeLoading) {
  const std::string refused[] = {
      "../../../../etc/passwd", "/etc/localtime", "../zoneinfo/UTC",
      "Europe/../UTC", "Europe//Paris", "/UTC", "UTC/", "a/b/c/d",
      "Europe/Paris\n", "file:/etc/localtime", "Europe/Paris ", "Europe\\Paris",
      std::string(65, 'A'), std::string(10 << 10, 'A'),
      std::string("UTC\0/../etc/passwd", 18)};
  for (const std::string& name : refused) {
    EXPECT_FALSE(IsTimeZoneName(name)) << name.substr(0, 80);
    absl::StatusOr<absl::TimeZone> zone = LoadReportTimeZone(name);
    EXPECT_EQ(zone.status().code(), absl::StatusCode::kInvalidArgument)
        << name.substr(0, 80);
    EXPECT_LT(zone.status().message().size(), 512u) << zone.status();
    EXPECT_NE(zone.status().message().find("Europe/Paris"), absl::string_view::npos)
        << "no example of a good name: " << zone.status();
  }
  const absl::Status long_name = LoadReportTimeZone(std::string(10 << 10, 'A')).status();
  EXPECT_NE(long_name.message().find("10240 bytes"), absl::string_view::npos) << long_name;
}

TEST(LoadReportTimeZoneTest, IanaNamesAreLoaded) {
  for (const char* name : {"UTC", "Europe/Paris", "America/Argentina/Buenos_Aires",
                           "Etc/GMT+5", "Etc/GMT-14", "EST5EDT"}) {
    EXPECT_TRUE(IsTimeZoneName(name)) << name;
    EXPECT_TRUE(LoadReportTimeZone(name).ok()) << name;
  }
  EXPECT_TRUE(IsTimeZoneName(std::string(kMaxTimeZoneNameBytes, 'A')));
  // The right shape is not enough: the zone must exist.
  EXPECT_EQ(LoadReportTimeZone("Etc/Nowhere").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace natscope::server
