#include "common/version.h"

#include <sstream>

#include "gtest/gtest.h"

namespace natscope {
namespace {

TEST(VersionTest, LineNamesProgramAndNumber) {
  const std::string line = VersionLine("natscope-agent");
  EXPECT_EQ(line.rfind(std::string("natscope-agent ") + VersionNumber() + " (commit ", 0), 0u)
      << line;
  EXPECT_EQ(line.back(), ')');
}

TEST(VersionTest, NumberLooksLikeARelease) {
  const std::string number = VersionNumber();
  ASSERT_FALSE(number.empty());
  EXPECT_NE(number.find('.'), std::string::npos) << number;
}

TEST(VersionTest, FlagAnywhereBeforeDoubleDash) {
  EXPECT_TRUE(VersionRequested({"--version"}, false));
  EXPECT_TRUE(VersionRequested({"--config=x", "-version"}, false));
  EXPECT_FALSE(VersionRequested({"--", "--version"}, false));
  EXPECT_FALSE(VersionRequested({"--versions"}, false));
  EXPECT_FALSE(VersionRequested({}, true));
}

TEST(VersionTest, CommandOnlyWhenAskedAndFirst) {
  EXPECT_TRUE(VersionRequested({"version"}, true));
  EXPECT_FALSE(VersionRequested({"version"}, false));
  EXPECT_FALSE(VersionRequested({"parse", "version"}, true));
}

TEST(VersionTest, PrintsOneLineAndSaysSo) {
  char program[] = "natscope";
  char flag[] = "--version";
  char* argv[] = {program, flag};
  std::ostringstream out;
  EXPECT_TRUE(PrintVersionIfRequested(2, argv, "natscope", false, out));
  EXPECT_EQ(out.str(), VersionLine("natscope") + "\n");
  std::ostringstream none;
  EXPECT_FALSE(PrintVersionIfRequested(1, argv, "natscope", false, none));
  EXPECT_EQ(none.str(), "");
}

}  // namespace
}  // namespace natscope
