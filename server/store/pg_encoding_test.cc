#include "server/store/pg_encoding.h"

#include <vector>

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

TEST(SanitizeTextTest, ValidUtf8IsKept) {
  EXPECT_EQ(SanitizeText("plain"), "plain");
  EXPECT_EQ(SanitizeText("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
}

TEST(SanitizeTextTest, NulAndInvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(SanitizeText(absl::string_view("a\0b", 3)),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(SanitizeText("\xFF"), "\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeText("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // Overlong.
  EXPECT_EQ(SanitizeText("\xED\xA0\x80"),  // A surrogate.
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeText("ok\xE2\x82"), "ok\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(JsonObjectTest, EscapesAndSortsKeys) {
  google::protobuf::Map<std::string, std::string> fields;
  fields["z"] = "last";
  fields["nat_type"] = "say \"hi\"\\\n\x01";
  EXPECT_EQ(JsonObject(fields),
            R"({"nat_type": "say \"hi\"\\\n\u0001", "z": "last"})");
  EXPECT_EQ(JsonObject({}), "{}");
}

TEST(TimestampTextTest, MicrosecondsInUtc) {
  const absl::Time t = absl::FromUnixMicros(1714564800123456);
  EXPECT_EQ(TimestampText(t), "2024-05-01 12:00:00.123456+00");
}

TEST(TimestampTextTest, OutOfRangeTimesAreClamped) {
  EXPECT_EQ(TimestampText(absl::InfinitePast()),
            "0001-01-01 00:00:00.000000+00");
  EXPECT_EQ(TimestampText(absl::InfiniteFuture()),
            "9999-12-31 23:59:59.000000+00");
}

// The fast formatter agrees with absl's civil-time formatting across the
// whole range: leap days, centuries, before 1970, sub-second parts.
TEST(TimestampTextTest, AgreesWithAbslFormatTime) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  std::vector<absl::Time> times = {
      absl::UnixEpoch(), absl::FromUnixMicros(-1),
      absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), utc),
      absl::FromCivil(absl::CivilSecond(9999, 12, 31, 23, 59, 59), utc) +
          absl::Microseconds(999999),
      absl::FromCivil(absl::CivilDay(2000, 2, 29), utc),
      absl::FromCivil(absl::CivilDay(1900, 2, 28), utc),
      absl::FromCivil(absl::CivilDay(2100, 3, 1), utc) - absl::Nanoseconds(1)};
  // Steps of a prime number of microseconds over nine millennia.
  for (int64_t us = -62135596800000000; us < 253402300799000000;
       us += 7919LL * 86400 * 1000003 + 12345) {
    times.push_back(absl::FromUnixMicros(us));
  }
  for (const absl::Time t : times) {
    EXPECT_EQ(TimestampText(t),
              absl::FormatTime("%E4Y-%m-%d %H:%M:%E6S+00", t, utc))
        << absl::ToUnixMicros(t);
  }
}

TEST(TimeFromProtoTest, UnsetTimestampFallsBack) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(10);
  ts.set_nanos(5000);
  const absl::Time fallback = absl::FromUnixSeconds(99);
  EXPECT_EQ(TimeFromProto(ts, true, fallback),
            absl::FromUnixSeconds(10) + absl::Microseconds(5));
  EXPECT_EQ(TimeFromProto(ts, false, fallback), fallback);
}

TEST(MicrosToProtoTest, NegativeMicrosKeepNanosPositive) {
  google::protobuf::Timestamp ts;
  MicrosToProto(-1, &ts);
  EXPECT_EQ(ts.seconds(), -1);
  EXPECT_EQ(ts.nanos(), 999999000);
}

}  // namespace
}  // namespace natscope::server
