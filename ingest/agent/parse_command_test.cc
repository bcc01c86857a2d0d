#include "ingest/agent/parse_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
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

// The records of `out` without their time and source file, which depend
// on when and from where the lines were read.
std::string WithoutTimeAndSource(const std::string& out) {
  std::string kept;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    const size_t kind = line.find("\"kind\"");
    EXPECT_NE(kind, absl::string_view::npos) << line;
    absl::StrAppend(&kept, line.substr(kind), "\n");
  }
  return kept;
}

// Runs RunParseCommand on `text` written into a pipe, which it reads with
// read() rather than mapping.
std::string ParseThroughPipe(const std::string& text) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  std::thread writer([&text, fd = fds[1]] {
    for (size_t done = 0; done < text.size();) {
      const ssize_t n = write(fd, text.data() + done, text.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    close(fd);
  });
  std::ostringstream out, err;
  EXPECT_EQ(
      RunParseCommand({"/dev/fd/" + std::to_string(fds[0])}, {}, out, err), 0)
      << err.str();
  writer.join();
  close(fds[0]);
  return out.str();
}

TEST(ParseCommandTest, MappedWindowsAndPipesYieldTheSameRecords) {
  // Regular files are mapped 4 MiB at a time: over 9 MiB of lines of every
  // length, nearly all relevant, some line straddles each window's end.
  // An over-long line straddles the first, and is cut there since more
  // than 64 KiB of it lies inside.
  std::mt19937 rng(5);
  std::string text;
  int expected = 0;
  while (text.size() < 9 * 1024 * 1024) {
    constexpr size_t kMiB = 1024 * 1024;
    if (text.size() > 4 * kMiB - 150 * 1024 &&
        text.size() < 4 * kMiB - 100 * 1024) {
      // The tail, skipped, holds a literal just inside the next window.
      text +=
          "stun_nat_type: " + std::string(4 * kMiB + 1000 - text.size(), 'z') +
          " sdwan_state: beyond the cut" + std::string(100 * 1024, 'z') + "\n";
    } else if (rng() % 10 == 0) {
      text += "[DEBUG] [libsdwan] run_state_machine: noise\r\n";
      continue;
    } else {
      text +=
          "sdwan_state: " + std::string(1 + rng() % 6000, 'a' + rng() % 26) +
          (rng() % 2 ? "\r\n" : "\n");
    }
    ++expected;
  }
  text += "sdwan_state: last, without a newline";
  ++expected;
  const std::string path = WriteFile("windows.log", text);
  std::ostringstream out, err;
  ASSERT_EQ(RunParseCommand({path}, {}, out, err), 0) << err.str();
  const std::string mapped = WithoutTimeAndSource(out.str());
  EXPECT_EQ(std::count(mapped.begin(), mapped.end(), '\n'), expected);
  EXPECT_NE(mapped.find(std::string(64 * 1024 - 15, 'z') + "\"}"),
            std::string::npos);
  EXPECT_EQ(mapped, WithoutTimeAndSource(ParseThroughPipe(text)));
}

TEST(ParseCommandTest, LinesAcrossBlocksAndOverlongLines) {
  // Lines straddle the 256 KiB blocks read from pipes; one line is far
  // longer than a block and is cut at 64 KiB (its literal lies beyond the
  // cut).
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
  const auto piped = Events(ParseThroughPipe(text));
  ASSERT_EQ(static_cast<int>(piped.size()), expected);
  EXPECT_EQ(piped[expected - 2].raw_line(), events[expected - 2].raw_line());
}

TEST(ParseCommandTest, NoFilesIsAUsageError) {
  std::ostringstream out, err;
  EXPECT_EQ(RunParseCommand({}, {}, out, err), 2);
  EXPECT_NE(err.str().find("give the log files"), std::string::npos);
}

}  // namespace
}  // namespace natscope::ingest
