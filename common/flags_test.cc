#include "common/flags.h"

#include "gtest/gtest.h"

namespace natscope {
namespace {

struct Fixture {
  std::string server = "localhost:7700";
  int64_t port = 3478;
  bool json = false;
  absl::Duration interval = absl::Seconds(60);
  std::vector<std::string> stun;
  FlagSet flags{"tool", "usage: tool [flags]"};
  Fixture() {
    flags.String("server", &server, "server address");
    flags.Int("port", &port, "port");
    flags.Bool("json", &json, "json output");
    flags.Duration("interval", &interval, "interval");
    flags.StringList("stun", &stun, "stun servers");
  }
};

TEST(FlagSetTest, ParsesEveryKindInBothForms) {
  Fixture f;
  std::vector<std::string> rest;
  ASSERT_TRUE(f.flags
                  .Parse({"--server=a:1", "--port", "99", "--json",
                          "--interval=2s", "--stun=x:1", "--stun", "y:2",
                          "extra"},
                         &rest)
                  .ok());
  EXPECT_EQ(f.server, "a:1");
  EXPECT_EQ(f.port, 99);
  EXPECT_TRUE(f.json);
  EXPECT_EQ(f.interval, absl::Seconds(2));
  EXPECT_EQ(f.stun, (std::vector<std::string>{"x:1", "y:2"}));
  EXPECT_EQ(rest, (std::vector<std::string>{"extra"}));
}

TEST(FlagSetTest, UnknownFlagNamesItAndPointsAtHelp) {
  Fixture f;
  absl::Status s = f.flags.Parse({"--bogus=1"}, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("unknown flag --bogus"), std::string::npos);
  EXPECT_NE(s.message().find("--help"), std::string::npos);
}

TEST(FlagSetTest, BadValuesAreRejectedWithTheExpectedForm) {
  Fixture f;
  EXPECT_NE(f.flags.Parse({"--port=abc"}, nullptr).message().find("integer"),
            std::string::npos);
  EXPECT_NE(f.flags.Parse({"--interval=soon"}, nullptr).message().find("duration"),
            std::string::npos);
  EXPECT_NE(f.flags.Parse({"--server"}, nullptr).message().find("needs a value"),
            std::string::npos);
}

TEST(FlagSetTest, NegatedBoolAndHelp) {
  Fixture f;
  f.json = true;
  ASSERT_TRUE(f.flags.Parse({"--nojson", "--help"}, nullptr).ok());
  EXPECT_FALSE(f.json);
  EXPECT_TRUE(f.flags.help_requested());
  EXPECT_NE(f.flags.Help().find("--server=VALUE"), std::string::npos);
}

TEST(FlagSetTest, PositionalRejectedWhenNotExpected) {
  Fixture f;
  EXPECT_FALSE(f.flags.Parse({"stray"}, nullptr).ok());
}

}  // namespace
}  // namespace natscope
