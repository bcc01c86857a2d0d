#include "ingest/parse/log_parser.h"

#include "gtest/gtest.h"
#include "google/protobuf/util/time_util.h"

namespace natscope::ingest {
namespace {

using google::protobuf::util::TimeUtil;

std::unique_ptr<LogParser> Builtin() {
  auto parser = LogParser::Create(BuiltinRules());
  EXPECT_TRUE(parser.ok()) << parser.status();
  return std::move(parser).value();
}

const absl::Time kReadTime = absl::FromUnixSeconds(1'700'000'000);

TEST(LogParserTest, StunNatTypeFromTheClientLog) {
  auto parser = Builtin();
  auto event = parser->Parse("[INFO] [libsdwan] stun_nat_type: endpoint-independent",
                             "/var/log/client.log", kReadTime);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->kind(), "stun_nat_type");
  EXPECT_EQ(event->fields().at("nat_type"), "endpoint-independent");
  EXPECT_EQ(event->severity(), v1::LOG_SEVERITY_INFO);
  EXPECT_EQ(event->component(), "libsdwan");
  EXPECT_EQ(event->source_file(), "/var/log/client.log");
  EXPECT_EQ(TimeUtil::TimestampToMicroseconds(event->time()),
            absl::ToUnixMicros(kReadTime));
}

TEST(LogParserTest, PrefixesDoNotMatter) {
  auto parser = Builtin();
  for (const char* line :
       {"[2026-11-25T14:03:22Z][Connector]: [INFO] [libsdwan] stun_nat_type: endpoint-dependent",
        "Nov 25 14:03:22 host twingate-connector[812]: [INFO] [libsdwan] stun_nat_type: endpoint-dependent",
        "2026-11-25 14:03:22.123 [INFO] [libsdwan] stun_nat_type: endpoint-dependent"}) {
    auto event = parser->Parse(line, "f", kReadTime);
    ASSERT_TRUE(event.has_value()) << line;
    EXPECT_EQ(event->fields().at("nat_type"), "endpoint-dependent") << line;
  }
}

TEST(LogParserTest, LineTimestampWinsOverReadTime) {
  auto parser = Builtin();
  auto event = parser->Parse(
      "2026-11-25T14:03:22Z [INFO] [libsdwan] stun_nat_type: endpoint-independent",
      "f", kReadTime);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(TimeUtil::ToString(event->time()), "2026-11-25T14:03:22Z");
}

TEST(LogParserTest, UnknownNatTypeIsKeptVerbatim) {
  auto parser = Builtin();
  auto event = parser->Parse("[INFO] [libsdwan] stun_nat_type: unknown(7)", "f", kReadTime);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->fields().at("nat_type"), "unknown(7)");
}

TEST(LogParserTest, RelayUnavailableAndStateLines) {
  auto parser = Builtin();
  auto relay = parser->Parse(
      "[Timestamp][Connector]: [ERROR] [libsdwan] listen::maintain_relay_connectivity: "
      "relay 203.0.113.9:443 is not available, disconnect",
      "f", kReadTime);
  ASSERT_TRUE(relay.has_value());
  EXPECT_EQ(relay->kind(), "relay_unavailable");
  EXPECT_EQ(relay->fields().at("relay"), "203.0.113.9:443");
  EXPECT_EQ(relay->severity(), v1::LOG_SEVERITY_ERROR);

  auto state = parser->Parse("[INFO] [libsdwan] sdwan_state: Offline User", "f", kReadTime);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->fields().at("state"), "Offline User");
}

TEST(LogParserTest, IrrelevantLinesAreSkipped) {
  auto parser = Builtin();
  EXPECT_FALSE(parser->Parse("[INFO] [connector] State: Online", "f", kReadTime));
  EXPECT_FALSE(parser->Parse("", "f", kReadTime));
  EXPECT_FALSE(parser->Parse("stun_nat_type:", "f", kReadTime));
}

TEST(LogParserTest, BadRuleIsRejectedWithItsNameAndRe2Error) {
  auto parser = LogParser::Create({{"broken", "", "(unclosed"}});
  ASSERT_FALSE(parser.ok());
  EXPECT_NE(parser.status().message().find("\"broken\""), std::string::npos);
  EXPECT_NE(parser.status().message().find("missing )"), std::string::npos);
}

TEST(LogParserTest, DuplicateRuleNamesAreRejected) {
  auto parser = LogParser::Create({{"a", "", "x"}, {"a", "", "y"}});
  EXPECT_FALSE(parser.ok());
}

}  // namespace
}  // namespace natscope::ingest

namespace natscope::ingest {
namespace {

TEST(LogParserTest, InvalidUtf8IsReplacedSoTheEventCanBeSent) {
  auto parser = Builtin();
  auto event = parser->Parse("[INFO] [libsdwan] stun_nat_type: bad\xFF", "f", kReadTime);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->fields().at("nat_type"), "bad\xEF\xBF\xBD");
  std::string wire;
  ASSERT_TRUE(event->SerializeToString(&wire));
  v1::LogEvent back;
  EXPECT_TRUE(back.ParseFromString(wire));
}

}  // namespace
}  // namespace natscope::ingest
