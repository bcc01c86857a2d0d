#include "common/log.h"

#include "gtest/gtest.h"

namespace natscope {
namespace {

TEST(LogTest, TextIsComponentMessageAndFields) {
  EXPECT_EQ(FormatLogLine(LogFormat::kText, "natscope-server", LogLevel::kInfo,
                          "T", "refreshed sites",
                          {{"count", "12"}, {"site", "paris east"}}),
            "natscope-server: refreshed sites count=12 site=\"paris east\"");
  EXPECT_EQ(FormatLogLine(LogFormat::kText, "c", LogLevel::kError, "T", "m", {}),
            "c: error: m");
}

TEST(LogTest, JsonEscapesEverything) {
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, "natscope-server",
                          LogLevel::kWarning, "2026-11-25T00:00:00.000Z",
                          "a \"quoted\" msg", {{"site", "x\ny"}}),
            "{\"ts\":\"2026-11-25T00:00:00.000Z\",\"level\":\"warning\","
            "\"component\":\"natscope-server\",\"msg\":\"a \\\"quoted\\\" msg\","
            "\"site\":\"x\\ny\"}");
}

TEST(LogTest, FormatByName) {
  EXPECT_TRUE(SetLogFormatByName("json").ok());
  EXPECT_TRUE(SetLogFormatByName("text").ok());
  EXPECT_FALSE(SetLogFormatByName("xml").ok());
}

}  // namespace
}  // namespace natscope
