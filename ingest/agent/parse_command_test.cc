#include "ingest/agent/parse_command.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "natscope/v1/agent.pb.h"

namespace natscope::ingest {
namespace {

std::string WriteFile(const std::string& name, const std::string& text) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir ? dir : "/tmp") + "/" + name;
  std::ofstream(path, std::ios::trunc | std::ios::binary) << text;
  return path;
}

// The per-rule line RunParseCommand writes to `err`.
std::string CountLine(absl::string_view rule, int count) {
  return absl::StrFormat("  %-24s %d\n", rule, count);
}

std::vector<v1::LogEvent> Events(const std::string& out) {
  std::vector<v1::LogEvent> events;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    v1::LogEvent event;
    auto status =
        google::protobuf::util::JsonStringToMessage(std::string(line), &event);
    EXPECT_TRUE(status.ok()) << status << ": " << line;
    events.push_back(event);
  }
  return events;
}

TEST(ParseCommandTest, PrintsOneJsonRecordPerMatchedLineAndCountsPerRule) {
  const std::string path = WriteFile(
      "client.log",
      std::string("[2026-11-25T14:03:22Z][Connector]: [INFO] [libsdwan] "
                  "stun_nat_type: endpoint-dependent\n"
                  "[INFO] [connector] State: Error\n") +
          "Nov 25 14:03:22 host twingate-connector[812]: [INFO] [libsdwan] "
          "sdwan_state: Offline User\n" +
          "binary \xff" + std::string(1, '\0') + "\xfe noise\n" +
          "ANALYTICS {\"connection\": {\"id\": \"1\", \"tunnel_path\": "
          "\"direct\", \"tunnel_proto\": \"udp\"}}\n"
          "[INFO] [libsdwan] stun_nat_type: endpoint-independent");  // No
                                                                     // newline.
  std::ostringstream out, err;
  ASSERT_EQ(RunParseCommand({path}, {}, out, err), 0) << err.str();
  const std::vector<v1::LogEvent> events = Events(out.str());
  ASSERT_EQ(events.size(), 4u) << out.str();
  EXPECT_EQ(events[0].kind(), "stun_nat_type");
  EXPECT_EQ(events[0].fields().at("nat_type"), "endpoint-dependent");
  EXPECT_EQ(events[0].source_file(), path);
  EXPECT_EQ(events[1].fields().at("state"), "Offline User");
  EXPECT_EQ(events[2].fields().at("tunnel_path"), "direct");
  EXPECT_EQ(events[3].fields().at("nat_type"), "endpoint-independent");
  EXPECT_NE(err.str().find("4 records"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find(CountLine("stun_nat_type", 2)), std::string::npos)
      << err.str();
  EXPECT_NE(err.str().find(CountLine("relay_unavailable", 0)),
            std::string::npos)
      << err.str();
}

TEST(ParseCommandTest, OperatorRulesAreAppliedAndCounted) {
  const std::string path =
      WriteFile("rules.log", "[INFO] [connector] State: Error\n");
  std::ostringstream out, err;
  ASSERT_EQ(
      RunParseCommand({path}, {{"state", "State:", R"(State: (?P<s>\w+))", {}}},
                      out, err),
      0);
  const auto events = Events(out.str());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind(), "state");
  EXPECT_EQ(events[0].fields().at("s"), "Error");
  EXPECT_NE(err.str().find(CountLine("state", 1)), std::string::npos)
      << err.str();
}

TEST(ParseCommandTest, BadRuleIsRejectedWithItsName) {
  std::ostringstream out, err;
  EXPECT_EQ(
      RunParseCommand({"/dev/null"}, {{"mine", "", "(open", {}}}, out, err), 2);
  EXPECT_NE(err.str().find("\"mine\""), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("missing )"), std::string::npos) << err.str();
}

TEST(ParseCommandTest, UnreadableFileIsNamedAndTheOthersStillParsed) {
  const std::string good = WriteFile("good.log", "sdwan_state: Online\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunParseCommand({"/nonexistent/x.log", good}, {}, out, err), 1);
  EXPECT_NE(err.str().find("cannot open /nonexistent/x.log"), std::string::npos)
      << err.str();
  EXPECT_NE(err.str().find("check the path"), std::string::npos) << err.str();
  EXPECT_EQ(Events(out.str()).size(), 1u);
}

TEST(ParseCommandTest, LinesAcrossBlocksAndOverlongLines) {
  // Lines straddle the 256 KiB read blocks; one line is far longer than a
  // block and is cut at 64 KiB (its literal lies beyond the cut).
  std::string text;
  int expected = 0;
  while (text.size() < 700 * 1024) {
    text += "filler line with some words in it " + std::to_string(text.size()) +
            "\n";
    if (text.size() % 7 == 0) {
      text += "[INFO] [libsdwan] stun_nat_type: endpoint-independent\n";
      ++expected;
    }
  }
  text += std::string(300 * 1024, 'x') + " stun_nat_type: hidden\n";
  text += "stun_nat_type: " + std::string(70 * 1024, 'y') + "\n";
  ++expected;  // Cut, but its head still matches.
  text += "sdwan_state: Online\n";
  ++expected;
  const std::string path = WriteFile("big.log", text);
  std::ostringstream out, err;
  ASSERT_EQ(RunParseCommand({path}, {}, out, err), 0) << err.str();
  const auto events = Events(out.str());
  ASSERT_EQ(static_cast<int>(events.size()), expected);
  EXPECT_EQ(events[expected - 2].raw_line().size(), 64u * 1024);
  EXPECT_EQ(events.back().kind(), "sdwan_state");
}

TEST(ParseCommandTest, NoFilesIsAUsageError) {
  std::ostringstream out, err;
  EXPECT_EQ(RunParseCommand({}, {}, out, err), 2);
  EXPECT_NE(err.str().find("give the log files"), std::string::npos);
}

}  // namespace
}  // namespace natscope::ingest
