#include "server/intake/syslog/syslog_message.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace natscope::server::intake {
namespace {

using Format = SyslogMessage::Format;

// 2026-12-06T19:14:01Z.
const absl::Time kNow = absl::FromUnixSeconds(1796584441);

SyslogMessage ParseOrDie(absl::string_view frame, absl::Time now = kNow,
                         absl::TimeZone zone = absl::UTCTimeZone()) {
  auto m = ParseSyslogMessage(frame, now, zone);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : SyslogMessage{};
}

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::UTCTimeZone());
}

TEST(Rfc5424Test, Rfc5424Example1) {
  // RFC 5424 §6.5, example 1 (with the BOM).
  const SyslogMessage m = ParseOrDie(
      "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "
      "\xEF\xBB\xBF'su root' failed for lonvick on /dev/pts/8");
  EXPECT_EQ(m.format, Format::kRfc5424);
  EXPECT_EQ(m.facility, 4);
  EXPECT_EQ(m.severity, 2);
  ASSERT_TRUE(m.time.has_value());
  EXPECT_EQ(*m.time, Utc(2003, 10, 11, 22, 14, 15) + absl::Milliseconds(3));
  EXPECT_EQ(m.hostname, "mymachine.example.com");
  EXPECT_EQ(m.app_name, "su");
  EXPECT_EQ(m.procid, "");
  EXPECT_EQ(m.msgid, "ID47");
  EXPECT_TRUE(m.structured_data.empty());
  EXPECT_EQ(m.msg, "'su root' failed for lonvick on /dev/pts/8");
}

TEST(Rfc5424Test, OffsetTimestampAndNilValues) {
  const SyslogMessage m = ParseOrDie(
      "<165>1 2003-08-24T05:14:15.000003-07:00 - - 8710 - - %% It's time.\n");
  ASSERT_TRUE(m.time.has_value());
  EXPECT_EQ(*m.time, Utc(2003, 8, 24, 12, 14, 15) + absl::Microseconds(3));
  EXPECT_EQ(m.hostname, "");
  EXPECT_EQ(m.app_name, "");
  EXPECT_EQ(m.procid, "8710");
  EXPECT_EQ(m.msg, "%% It's time.");
}

TEST(Rfc5424Test, NilTimestampAndNoMsg) {
  const SyslogMessage m = ParseOrDie("<13>1 - host app - - -");
  EXPECT_FALSE(m.time.has_value());
  EXPECT_EQ(m.hostname, "host");
  EXPECT_EQ(m.msg, "");
}

TEST(Rfc5424Test, StructuredDataWithEscapes) {
  const SyslogMessage m = ParseOrDie(
      "<165>1 2003-10-11T22:14:15.003Z host evntslog - ID47 "
      "[exampleSDID@32473 iut=\"3\" eventSource=\"Appl\\\"ic\\]at\\\\ion\" "
      "odd=\"a\\nb\"][natscope@32473 token=\"abc\" role=\"client\"] hello");
  ASSERT_EQ(m.structured_data.size(), 2u);
  const SdElement& first = m.structured_data[0];
  EXPECT_EQ(first.id, "exampleSDID@32473");
  ASSERT_EQ(first.params.size(), 3u);
  EXPECT_EQ(first.params[0].first, "iut");
  EXPECT_EQ(first.params[0].second, "3");
  EXPECT_EQ(first.params[1].second, "Appl\"ic]at\\ion");
  EXPECT_EQ(first.params[2].second, "a\\nb");  // Not an escape: kept.
  const std::string* token =
      FindSdParam(m.structured_data, "natscope@32473", "token");
  ASSERT_NE(token, nullptr);
  EXPECT_EQ(*token, "abc");
  EXPECT_EQ(*FindSdParam(m.structured_data, "natscope@32473", "role"),
            "client");
  EXPECT_EQ(FindSdParam(m.structured_data, "natscope@32473", "x"), nullptr);
  EXPECT_EQ(m.msg, "hello");
}

TEST(Rfc5424Test, MalformedHeadersFail) {
  for (absl::string_view frame : {
           "<13>1 2003-10-11 host app - - - x",  // Not RFC 3339.
           "<13>1 - host app - -",               // No SD.
           "<13>1 - host  app - - - x",          // Empty field.
           "<13>1 - host app - - [a b] x",       // PARAM without =".
           "<13>1 - host app - - [a b=\"c] x",   // Unclosed value.
           "<13>1 - host app - - [a b=\"c\"",    // Unclosed element.
           "<13>1 - host app - - [] x",          // Empty SD-ID.
           "<13>1 - host app - - -x",            // No SP after SD.
           "<13>1 - host app - - [a]x",          // No SP after SD.
       }) {
    auto m = ParseSyslogMessage(frame, kNow);
    ASSERT_FALSE(m.ok()) << frame;
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(m.status().message().find('\n'), std::string::npos);
  }
}

TEST(Rfc5424Test, ErrorsQuoteLittleOfTheInput) {
  const std::string frame =
      "<13>1 - host app - - [a b=\"" + std::string(10000, 'x');
  auto m = ParseSyslogMessage(frame, kNow);
  ASSERT_FALSE(m.ok());
  EXPECT_LT(m.status().message().size(), 200u);
}

TEST(Rfc5424Test, FieldBoundsAreEnforced) {
  const std::string long_app(kMaxAppNameBytes + 1, 'a');
  EXPECT_FALSE(
      ParseSyslogMessage("<13>1 - host " + long_app + " - - - x", kNow).ok());
  std::string many_elements;
  for (size_t i = 0; i <= kMaxSdElements; ++i) many_elements += "[e@1]";
  EXPECT_FALSE(
      ParseSyslogMessage("<13>1 - h a - - " + many_elements, kNow).ok());
}

TEST(Rfc3164Test, RsyslogLegacyLine) {
  const SyslogMessage m =
      ParseOrDie("<30>Dec  6 19:10:00 laptop natscope-agent[4242]: probe ok");
  EXPECT_EQ(m.format, Format::kRfc3164);
  EXPECT_EQ(m.facility, 3);
  EXPECT_EQ(m.severity, 6);
  ASSERT_TRUE(m.time.has_value());
  EXPECT_EQ(*m.time, Utc(2026, 12, 6, 19, 10, 0));
  EXPECT_EQ(m.hostname, "laptop");
  EXPECT_EQ(m.app_name, "natscope-agent");
  EXPECT_EQ(m.procid, "4242");
  EXPECT_EQ(m.msg, "probe ok");
}

TEST(Rfc3164Test, TwoDigitDayTagWithoutPidAndRfc3339Time) {
  SyslogMessage m = ParseOrDie("<13>Nov 16 08:00:01 host kernel: eth0 up");
  EXPECT_EQ(*m.time, Utc(2026, 11, 16, 8, 0, 1));
  EXPECT_EQ(m.app_name, "kernel");
  EXPECT_EQ(m.msg, "eth0 up");
  m = ParseOrDie("<13>2026-12-06T19:00:00.5+01:00 host app[7]: text");
  EXPECT_EQ(*m.time, Utc(2026, 12, 6, 18, 0, 0) + absl::Milliseconds(500));
  EXPECT_EQ(m.hostname, "host");
  EXPECT_EQ(m.procid, "7");
  EXPECT_EQ(m.msg, "text");
}

TEST(Rfc3164Test, MissingHostnameLeavesTheTag) {
  const SyslogMessage m = ParseOrDie("<13>Dec  6 19:10:00 sshd[1]: hi");
  EXPECT_EQ(m.hostname, "");
  EXPECT_EQ(m.app_name, "sshd");
  EXPECT_EQ(m.msg, "hi");
}

TEST(Rfc3164Test, NoTagLeavesTheRestAsMsg) {
  const SyslogMessage m = ParseOrDie("<13>Dec  6 19:10:00 host just text");
  EXPECT_EQ(m.hostname, "host");
  EXPECT_EQ(m.app_name, "");
  EXPECT_EQ(m.msg, "just text");
}

TEST(Rfc3164Test, DecemberReadInJanuaryIsLastYear) {
  const absl::Time january = Utc(2027, 1, 1, 0, 5, 0);
  SyslogMessage m = ParseOrDie("<13>Dec 31 23:59:00 h a: x", january);
  EXPECT_EQ(*m.time, Utc(2026, 12, 31, 23, 59, 0));
  // Up to a day ahead is this year: the sender's clock runs fast.
  m = ParseOrDie("<13>Jan  1 12:00:00 h a: x", january);
  EXPECT_EQ(*m.time, Utc(2027, 1, 1, 12, 0, 0));
}

TEST(Rfc3164Test, BsdTimeIsReadInTheZone) {
  absl::TimeZone paris;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Paris", &paris));
  const SyslogMessage m = ParseOrDie("<13>Dec  6 20:10:00 h a: x", kNow, paris);
  EXPECT_EQ(*m.time, Utc(2026, 12, 6, 19, 10, 0));
}

TEST(Rfc3164Test, ImpossibleDateParsesWithoutTime) {
  const SyslogMessage m = ParseOrDie("<13>Feb 30 10:00:00 h a: x");
  EXPECT_FALSE(m.time.has_value());
  EXPECT_EQ(m.hostname, "h");
  EXPECT_EQ(m.msg, "x");
}

TEST(Rfc3164Test, AnythingElseIsMsgWithDefaults) {
  SyslogMessage m = ParseOrDie("just some text\r\n");
  EXPECT_EQ(m.format, Format::kRfc3164);
  EXPECT_EQ(m.facility, 1);
  EXPECT_EQ(m.severity, 5);
  EXPECT_FALSE(m.time.has_value());
  EXPECT_EQ(m.msg, "just some text");
  m = ParseOrDie("<999>Dec  6 19:10:00 h a: x");  // PRI out of range.
  EXPECT_EQ(m.facility, 1);
  EXPECT_EQ(m.msg, "<999>Dec  6 19:10:00 h a: x");
  m = ParseOrDie("<13>not a header at all");
  EXPECT_EQ(m.severity, 5);
  EXPECT_EQ(m.facility, 1);
  EXPECT_EQ(m.msg, "not a header at all");
}

TEST(Rfc3164Test, LeadingSdElementsAreTakenOutOfMsg) {
  const SyslogMessage m = ParseOrDie(
      "<13>Dec  6 19:10:00 laptop app: [natscope@32473 token=\"abc\" "
      "role=\"client\"] the line");
  EXPECT_EQ(*FindSdParam(m.structured_data, "natscope@32473", "token"), "abc");
  EXPECT_EQ(*FindSdParam(m.structured_data, "natscope@32473", "role"),
            "client");
  EXPECT_EQ(m.msg, "the line");
}

TEST(Rfc3164Test, BracketedTextThatIsNotSdStays) {
  for (absl::string_view text :
       {"[INFO] started", "[1234] pid", "[natscope@32473 token=\"x] oops",
        "[a@1][INFO] mixed"}) {
    const SyslogMessage m =
        ParseOrDie(absl::StrCat("<13>Dec  6 19:10:00 h app: ", text));
    EXPECT_TRUE(m.structured_data.empty()) << text;
    EXPECT_EQ(m.msg, text);
  }
}

}  // namespace
}  // namespace natscope::server::intake
