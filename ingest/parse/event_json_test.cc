#include "ingest/parse/event_json.h"

#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "natscope/v1/agent.pb.h"

namespace natscope::ingest {
namespace {

using google::protobuf::util::MessageDifferencer;

const absl::Time kReadTime = absl::FromUnixSeconds(1'700'000'000);

// The JSON written for `line` must read back as the event Parse() builds.
void ExpectRoundTrip(const LogParser& parser, absl::string_view line,
                     absl::string_view source = "/var/log/twingate.log") {
  ParsedLine parsed;
  ASSERT_TRUE(parser.Match(line, kReadTime, &parsed)) << line;
  std::string json;
  AppendLogEventJson(parsed, source, &json);
  ASSERT_FALSE(json.empty());
  EXPECT_EQ(json.back(), '\n');
  EXPECT_EQ(json.find('\n'), json.size() - 1) << "one line per record";
  v1::LogEvent back;
  auto status = google::protobuf::util::JsonStringToMessage(json, &back);
  ASSERT_TRUE(status.ok()) << status << "\n" << json;
  const v1::LogEvent want = ToLogEvent(parsed, source);
  EXPECT_TRUE(MessageDifferencer::Equals(back, want))
      << "json:   " << json << "proto:  " << want.DebugString();
}

TEST(EventJsonTest, ReadsBackAsTheEventTheAgentShips) {
  auto parser = LogParser::Create(BuiltinRules());
  ASSERT_TRUE(parser.ok());
  ExpectRoundTrip(**parser,
                  "[INFO] [libsdwan] stun_nat_type: endpoint-independent");
  ExpectRoundTrip(
      **parser,
      "[2026-11-25T14:03:22.123456Z][Connector]: [ERROR] [libsdwan] "
      "listen::maintain_relay_connectivity: relay 203.0.113.9:443 is not "
      "available, disconnect");
  ExpectRoundTrip(
      **parser,
      "2026-11-25T14:03:22.000000001+02:00 sdwan_state: Online\t\"x\"");
  ExpectRoundTrip(
      **parser,
      R"(Nov 25 14:03:22 h c[1]: ANALYTICS {"c": {"tunnel_path": "direct","tunnel_proto": "udp","s": "a\"b\\c"}})");
  ExpectRoundTrip(**parser, "stun_nat_type: caf\xc3\xa9 \x01\x1f bad \xff\xfe",
                  "");
}

TEST(EventJsonTest, TimesAsProtobufWritesThem) {
  const absl::Time t =
      absl::FromUnixSeconds(1764079402);  // 2025-11-25T14:03:22Z
  const auto time_json = [](absl::Time t) {
    std::string out;
    AppendJsonTime(t, &out);
    return out;
  };
  EXPECT_EQ(time_json(t), "\"2025-11-25T14:03:22Z\"");
  EXPECT_EQ(time_json(t + absl::Milliseconds(120)),
            "\"2025-11-25T14:03:22.120Z\"");
  EXPECT_EQ(time_json(t + absl::Microseconds(5)),
            "\"2025-11-25T14:03:22.000005Z\"");
  EXPECT_EQ(time_json(t + absl::Nanoseconds(7)),
            "\"2025-11-25T14:03:22.000000007Z\"");
}

TEST(EventJsonTest, StringsEscapeQuotesBackslashesAndControls) {
  std::string out;
  AppendJsonString("a\"b\\c\nd\x01", &out);
  EXPECT_EQ(out, R"("a\"b\\c\nd\u0001")");
}

}  // namespace
}  // namespace natscope::ingest
