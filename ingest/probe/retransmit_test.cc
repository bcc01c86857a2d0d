#include "ingest/probe/retransmit.h"

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

using absl::Milliseconds;

TEST(RetransmitTest, IntervalsDoubleAndStopBeforeTheTimeout) {
  RetransmitPolicy policy;  // 500 ms, 7, 3 s.
  EXPECT_EQ(TransmissionOffsets(policy),
            (std::vector<absl::Duration>{Milliseconds(0), Milliseconds(500),
                                         Milliseconds(1500)}));
}

TEST(RetransmitTest, RfcDefaultsWithoutABoundSendSevenTimes) {
  RetransmitPolicy policy{Milliseconds(500), 7, absl::Seconds(40)};
  const auto offsets = TransmissionOffsets(policy);
  ASSERT_EQ(offsets.size(), 7u);
  EXPECT_EQ(offsets.back(), Milliseconds(31500));
}

TEST(RetransmitTest, AlwaysSendsOnce) {
  RetransmitPolicy policy{Milliseconds(500), 7, absl::ZeroDuration()};
  EXPECT_EQ(TransmissionOffsets(policy).size(), 1u);
}

}  // namespace
}  // namespace natscope::ingest
