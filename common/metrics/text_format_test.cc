#include "common/metrics/text_format.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace natscope::metrics {
namespace {

TEST(TextFormatTest, HelpEscapesBackslashAndNewlineOnly) {
  EXPECT_EQ(EscapeHelp("a\\b\nc \"d\""), "a\\\\b\\nc \"d\"");
}

TEST(TextFormatTest, LabelValueEscapesQuotesToo) {
  EXPECT_EQ(EscapeLabelValue("a\\b\nc \"d\""), "a\\\\b\\nc \\\"d\\\"");
  EXPECT_EQ(EscapeLabelValue("héllo"), "héllo");
}

TEST(TextFormatTest, ValuesReadBackExactly) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(-0.0), "0");
  EXPECT_EQ(FormatValue(42), "42");
  EXPECT_EQ(FormatValue(-3), "-3");
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(0.0025), "0.0025");
  EXPECT_EQ(FormatValue(1e300), "1e+300");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
}

TEST(TextFormatTest, LabelsInOrderWithTheExtraLast) {
  EXPECT_EQ(FormatLabels({}, {}), "");
  EXPECT_EQ(FormatLabels({"a", "b"}, {"x", "y\"z"}), "{a=\"x\",b=\"y\\\"z\"}");
  EXPECT_EQ(FormatLabels({}, {}, "le", "+Inf"), "{le=\"+Inf\"}");
  EXPECT_EQ(FormatLabels({"m"}, {"x"}, "le", "0.5"), "{m=\"x\",le=\"0.5\"}");
}

}  // namespace
}  // namespace natscope::metrics
