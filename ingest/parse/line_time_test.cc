#include "ingest/parse/line_time.h"

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

const absl::TimeZone kUtc = absl::UTCTimeZone();
const absl::Time kRead =
    absl::FromCivil(absl::CivilSecond(2026, 11, 26, 9, 0, 0), kUtc);

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), kUtc);
}

TEST(LineTimeTest, Rfc3339InItsShapes) {
  const absl::Time base = Utc(2026, 11, 25, 14, 3, 22);
  EXPECT_EQ(ParseLineTime("2026-11-25T14:03:22Z rest", kRead, kUtc), base);
  EXPECT_EQ(
      ParseLineTime("[2026-11-25T14:03:22.123Z][Connector]: x", kRead, kUtc),
      base + absl::Milliseconds(123));
  EXPECT_EQ(ParseLineTime("2026-11-25T14:03:22.123456789+01:00", kRead, kUtc),
            base - absl::Hours(1) + absl::Nanoseconds(123456789));
  EXPECT_EQ(ParseLineTime("2026-11-25T14:03:22-0530 host", kRead, kUtc),
            base + absl::Hours(5) + absl::Minutes(30));
  EXPECT_EQ(ParseLineTime("2026-11-25 14:03:22.123 [INFO]", kRead, kUtc),
            base + absl::Milliseconds(123));
  EXPECT_EQ(ParseLineTime("2026-11-25 14:03:22,5 x", kRead, kUtc),
            base + absl::Milliseconds(500));
  EXPECT_EQ(
      ParseLineTime("<34>1 2026-11-25T14:03:22Z host app - - x", kRead, kUtc),
      base);
}

TEST(LineTimeTest, ZonelessTimesAreInTheGivenZone) {
  const absl::TimeZone plus_one = absl::FixedTimeZone(3600);
  EXPECT_EQ(ParseLineTime("2026-11-25 14:03:22 x", kRead, plus_one),
            Utc(2026, 11, 25, 13, 3, 22));
}

TEST(LineTimeTest, SyslogTakesTheYearFromTheReadTime) {
  EXPECT_EQ(ParseLineTime("Nov 25 14:03:22 host twingate-connector[812]: x",
                          kRead, kUtc),
            Utc(2026, 11, 25, 14, 3, 22));
  EXPECT_EQ(ParseLineTime("Nov  5 04:03:22 host x", kRead, kUtc),
            Utc(2026, 11, 5, 4, 3, 22));
  // A December line read on New Year's Day belongs to the year before.
  const absl::Time new_year = Utc(2027, 1, 1, 0, 5, 0);
  EXPECT_EQ(ParseLineTime("Dec 31 23:59:58 host x", new_year, kUtc),
            Utc(2026, 12, 31, 23, 59, 58));
}

TEST(LineTimeTest, NoTimestampOrOutOfRange) {
  EXPECT_FALSE(
      ParseLineTime("[INFO] [libsdwan] stun_nat_type: x", kRead, kUtc));
  EXPECT_FALSE(ParseLineTime("[Timestamp][Connector]: x", kRead, kUtc));
  EXPECT_FALSE(ParseLineTime("2026-13-25T14:03:22Z", kRead, kUtc));
  EXPECT_FALSE(ParseLineTime("2026-02-30T14:03:22Z", kRead, kUtc));
  EXPECT_FALSE(ParseLineTime("2026-11-25T25:03:22Z", kRead, kUtc));
  EXPECT_FALSE(ParseLineTime("Foo 25 14:03:22", kRead, kUtc));
  EXPECT_FALSE(ParseLineTime("2026-11-25", kRead, kUtc));
  EXPECT_FALSE(ParseLineTime("", kRead, kUtc));
}

}  // namespace
}  // namespace natscope::ingest
