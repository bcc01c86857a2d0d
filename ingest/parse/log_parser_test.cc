#include "ingest/parse/log_parser.h"

#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

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
  auto event =
      parser->Parse("[INFO] [libsdwan] stun_nat_type: endpoint-independent",
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
       {"[2026-11-25T14:03:22Z][Connector]: [INFO] [libsdwan] stun_nat_type: "
        "endpoint-dependent",
        "Nov 25 14:03:22 host twingate-connector[812]: [INFO] [libsdwan] "
        "stun_nat_type: endpoint-dependent",
        "2026-11-25 14:03:22.123 [INFO] [libsdwan] stun_nat_type: "
        "endpoint-dependent"}) {
    auto event = parser->Parse(line, "f", kReadTime);
    ASSERT_TRUE(event.has_value()) << line;
    EXPECT_EQ(event->fields().at("nat_type"), "endpoint-dependent") << line;
  }
}

TEST(LogParserTest, LineTimestampWinsOverReadTime) {
  auto parser = Builtin();
  auto event = parser->Parse(
      "2026-11-25T14:03:22Z [INFO] [libsdwan] stun_nat_type: "
      "endpoint-independent",
      "f", kReadTime);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(TimeUtil::ToString(event->time()), "2026-11-25T14:03:22Z");
}

TEST(LogParserTest, UnknownNatTypeIsKeptVerbatim) {
  auto parser = Builtin();
  auto event = parser->Parse("[INFO] [libsdwan] stun_nat_type: unknown(7)", "f",
                             kReadTime);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->fields().at("nat_type"), "unknown(7)");
}

TEST(LogParserTest, RelayUnavailableAndStateLines) {
  auto parser = Builtin();
  auto relay = parser->Parse(
      "[Timestamp][Connector]: [ERROR] [libsdwan] "
      "listen::maintain_relay_connectivity: "
      "relay 203.0.113.9:443 is not available, disconnect",
      "f", kReadTime);
  ASSERT_TRUE(relay.has_value());
  EXPECT_EQ(relay->kind(), "relay_unavailable");
  EXPECT_EQ(relay->fields().at("relay"), "203.0.113.9:443");
  EXPECT_EQ(relay->severity(), v1::LOG_SEVERITY_ERROR);

  auto state = parser->Parse("[INFO] [libsdwan] sdwan_state: Offline User", "f",
                             kReadTime);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->fields().at("state"), "Offline User");
}

TEST(LogParserTest, RelayListenerErrorFromTheConnectorLog) {
  auto parser = Builtin();
  // The knowledge-base article's line (a connector with only a public
  // IPv6 address), behind a journald prefix.
  auto event = parser->Parse(
      "Nov 25 14:03:22 host twingate-connector[812]: [ERROR] [libsdwan] "
      "listen::channel_event: Failed to preconnect a relay listener "
      "\"ice://any\": 110 (Connection timed out)",
      "/var/log/connector.log", kReadTime);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->kind(), "relay_listener_failed");
  EXPECT_EQ(event->fields().at("listener"), "ice://any");
  EXPECT_EQ(event->fields().at("error"), "110 (Connection timed out)");
  EXPECT_EQ(event->severity(), v1::LOG_SEVERITY_ERROR);
  EXPECT_EQ(event->component(), "libsdwan");
  // Without the quoted listener it is some other message.
  EXPECT_FALSE(parser->Parse(
      "[ERROR] [libsdwan] Failed to preconnect a relay listener", "f",
      kReadTime));
}

TEST(LogParserTest, IrrelevantLinesAreSkipped) {
  auto parser = Builtin();
  EXPECT_FALSE(
      parser->Parse("[INFO] [connector] State: Online", "f", kReadTime));
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
  auto event =
      parser->Parse("[INFO] [libsdwan] stun_nat_type: bad\xFF", "f", kReadTime);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->fields().at("nat_type"), "bad\xEF\xBF\xBD");
  std::string wire;
  ASSERT_TRUE(event->SerializeToString(&wire));
  v1::LogEvent back;
  EXPECT_TRUE(back.ParseFromString(wire));
}

}  // namespace
}  // namespace natscope::ingest

namespace natscope::ingest {
namespace {

constexpr char kAnalytics[] =
    R"(ANALYTICS {"connection": {"cbct_freshness": -97,"client_ip": "","duration": 3034753,"id": "e755ba99988db558-24","protocol": "tcp","resource_ip": "","resource_port": 443,"rx": 234867,"tx": 23363,"tunnel_path": "relayed","tunnel_proto": "quic"},"connector": {"id": "1","name": "c"}})";

TEST(LogParserTest, AnalyticsLinesGiveTunnelPathAndProto) {
  auto parser = Builtin();
  for (const std::string prefix :
       {"", "[2026-11-25T14:03:22Z][Connector]: ",
        "Nov 25 14:03:22 host twingate-connector[812]: "}) {
    auto event = parser->Parse(prefix + kAnalytics, "f", kReadTime);
    ASSERT_TRUE(event.has_value()) << prefix;
    EXPECT_EQ(event->kind(), "analytics");
    EXPECT_EQ(event->fields().at("tunnel_path"), "relayed");
    EXPECT_EQ(event->fields().at("tunnel_proto"), "quic");
    EXPECT_EQ(event->fields().count("json"), 0u);
  }
}

TEST(LogParserTest, AnalyticsSampleFromTheVendorDocsHasNoTunnelFields) {
  // The documented sample, nested objects and all; no tunnel keys in it.
  auto parser = Builtin();
  auto event = parser->Parse(
      R"(ANALYTICS {"connection": {"cbct_freshness": -97,"client_ip": "","duration": 3034753,"id": "e755ba99988db558-24","protocol": "tcp","resource_ip": "","resource_port": 443,"rx": 234867,"tx": 23363},"connector": {"id": "x"}})",
      "f", kReadTime);
  ASSERT_TRUE(event.has_value());
  EXPECT_TRUE(event->fields().empty());
}

TEST(LogParserTest, JsonKeysMatchOnlyAsKeysAndTakeNumbers) {
  auto parser = LogParser::Create({{"a",
                                    "ANALYTICS",
                                    R"(ANALYTICS (?P<json>\{.*\}))",
                                    {"tunnel_path", "rx"}}});
  ASSERT_TRUE(parser.ok());
  auto event = (*parser)->Parse(
      R"(ANALYTICS {"note": "tunnel_path", "x": {"tunnel_path" : "direct", "rx": 12}})",
      "f", kReadTime);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->fields().at("tunnel_path"), "direct");
  EXPECT_EQ(event->fields().at("rx"), "12");
}

TEST(LogParserTest, SyslogAndSpaceSeparatedTimestamps) {
  auto parser = Builtin();
  const absl::Time read = absl::FromCivil(
      absl::CivilSecond(2026, 11, 26, 0, 0, 0), absl::UTCTimeZone());
  auto syslog = parser->Parse(
      "Nov 25 14:03:22 host twingate-connector[812]: [WARN] [libsdwan] "
      "sdwan_state: Offline User",
      "f", read);
  ASSERT_TRUE(syslog.has_value());
  EXPECT_EQ(TimeUtil::ToString(syslog->time()), "2026-11-25T14:03:22Z");
  EXPECT_EQ(syslog->severity(), v1::LOG_SEVERITY_WARN);
  auto spaced = parser->Parse(
      "2026-11-25 14:03:22.123 [INFO] [libsdwan] stun_nat_type: "
      "endpoint-dependent",
      "f", read);
  ASSERT_TRUE(spaced.has_value());
  EXPECT_EQ(TimeUtil::ToString(spaced->time()), "2026-11-25T14:03:22.123Z");
}

TEST(LogParserTest, ForEachCandidateYieldsOnlyLinesWithALiteral) {
  auto parser = Builtin();
  const std::string text =
      "[INFO] [connector] State: Online\n"
      "[INFO] [libsdwan] stun_nat_type: endpoint-independent\r\n"
      "noise sdwan\n"
      "a sdwan_state: Online\n"
      "ANALYTICS {}";
  std::vector<std::string> seen;
  parser->ForEachCandidate(
      text, [&](absl::string_view line) { seen.emplace_back(line); });
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "[INFO] [libsdwan] stun_nat_type: endpoint-independent",
                      "a sdwan_state: Online", "ANALYTICS {}"}));
}

TEST(LogParserTest, RuleWithoutLiteralMakesEveryLineACandidate) {
  auto parser = LogParser::Create({{"any", "", "State: (?P<s>\\w+)", {}}});
  ASSERT_TRUE(parser.ok());
  std::vector<std::string> seen;
  (*parser)->ForEachCandidate(
      "a\nb\n\nc", [&](absl::string_view l) { seen.emplace_back(l); });
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "", "c"}));
}

TEST(LogParserTest, OperatorRulesRunAfterTheBuiltins) {
  std::vector<RuleSpec> rules = BuiltinRules();
  rules.push_back({"state_error",
                   "State: Error",
                   R"(\[connector\] State: (?P<state>\w+))",
                   {}});
  auto parser = LogParser::Create(rules);
  ASSERT_TRUE(parser.ok());
  auto event =
      (*parser)->Parse("[INFO] [connector] State: Error", "f", kReadTime);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->kind(), "state_error");
  EXPECT_EQ(event->component(), "connector");
  EXPECT_EQ(event->fields().at("state"), "Error");
}

TEST(LogParserTest, MatchReusesItsScratchAcrossLines) {
  auto parser = Builtin();
  ParsedLine parsed;
  ASSERT_TRUE(parser->Match("x stun_nat_type: a\xff", kReadTime, &parsed));
  EXPECT_EQ(parsed.line, "x stun_nat_type: a\xEF\xBF\xBD");
  ASSERT_TRUE(parser->Match("y sdwan_state: Online", kReadTime, &parsed));
  EXPECT_EQ(parsed.rule->name, "sdwan_state");
  EXPECT_EQ(parsed.line, "y sdwan_state: Online");
  ASSERT_EQ(parsed.fields.size(), 1u);
  EXPECT_EQ(parsed.fields[0].second, "Online");
  EXPECT_FALSE(parser->Match("nothing", kReadTime, &parsed));
}

}  // namespace
}  // namespace natscope::ingest
