#include "server/service/batch_limits.h"

#include <string>

#include "gtest/gtest.h"

namespace natscope::server {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

v1::IngestRequest OneLog(const std::string& raw_line) {
  v1::IngestRequest batch;
  v1::LogEvent* event = batch.add_records()->mutable_log();
  event->set_raw_line(raw_line);
  event->set_kind("stun_nat_type");
  (*event->mutable_fields())["nat_type"] = "symmetric";
  return batch;
}

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  out->set_seconds(absl::ToUnixSeconds(t));
}

TEST(BatchLimitsTest, RawLineAtTheAgentsLimitPassesAndOneByteMoreIsNamed) {
  EXPECT_TRUE(CheckBatchLimits(OneLog(std::string(64 << 10, 'x'))).ok());
  absl::Status over = CheckBatchLimits(OneLog(std::string((64 << 10) + 1, 'x')));
  EXPECT_TRUE(absl::IsInvalidArgument(over));
  EXPECT_EQ(over.message(),
            "records[0].log.raw_line is 65537 bytes; the limit is 65536: the "
            "agent must cut it (see docs/security.md)");
}

TEST(BatchLimitsTest, FieldNamesValuesAndCountsAreBounded) {
  v1::IngestRequest batch = OneLog("line");
  (*batch.mutable_records(0)->mutable_log()->mutable_fields())["v"] =
      std::string(5000, 'v');
  EXPECT_NE(CheckBatchLimits(batch).message().find("records[0].log.fields[v]"),
            std::string::npos);
  batch = OneLog("line");
  for (int i = 0; i < 65; ++i) {
    (*batch.mutable_records(0)->mutable_log()->mutable_fields())
        [std::to_string(i)] = "x";
  }
  EXPECT_NE(CheckBatchLimits(batch).message().find("fields is 66 entries"),
            std::string::npos);
}

TEST(BatchLimitsTest, ProbeReportStringsAndListsAreBoundedByReflection) {
  v1::IngestRequest batch;
  v1::ProbeReport* report = batch.add_records()->mutable_probe();
  for (int i = 0; i < 1025; ++i) report->add_warnings("w");
  EXPECT_NE(CheckBatchLimits(batch).message().find(
                "records[0].probe.warnings is 1025 entries"),
            std::string::npos);
  report->clear_warnings();
  report->add_observations()->set_error(std::string(5000, 'e'));
  EXPECT_NE(CheckBatchLimits(batch).message().find(
                "records[0].probe.observations[0].error is 5000 bytes"),
            std::string::npos);
}

TEST(BatchLimitsTest, ClaimedIdentityIsBounded) {
  v1::IngestRequest batch;
  batch.mutable_agent()->set_hostname(std::string(300, 'h'));
  EXPECT_NE(CheckBatchLimits(batch).message().find("agent.hostname is 300"),
            std::string::npos);
}

TEST(BatchLimitsTest, TimesOutsideTheWindowAreRedatedToArrival) {
  const TimeWindow window{absl::Hours(24 * 30), absl::Minutes(10)};
  v1::IngestRequest batch = OneLog("a");
  SetTime(kNow + absl::Minutes(9), batch.mutable_records(0)->mutable_log()->mutable_time());
  EXPECT_FALSE(NeedsTimeClamp(batch, kNow, window));
  v1::ProbeReport* probe = batch.add_records()->mutable_probe();
  SetTime(kNow + absl::Hours(24 * 365 * 7000), probe->mutable_time());
  v1::LogEvent* old = batch.add_records()->mutable_log();
  SetTime(kNow - absl::Hours(24 * 31), old->mutable_time());
  ASSERT_TRUE(NeedsTimeClamp(batch, kNow, window));
  EXPECT_EQ(ClampRecordTimes(&batch, kNow, window), 2);
  EXPECT_EQ(batch.records(0).log().time().seconds(),
            absl::ToUnixSeconds(kNow + absl::Minutes(9)));
  EXPECT_EQ(batch.records(1).probe().time().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(batch.records(2).log().time().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_FALSE(NeedsTimeClamp(batch, kNow, window));
}

TEST(AbbreviateTest, CutsLongTextAtACharacterBoundary) {
  EXPECT_EQ(Abbreviate("short"), "short");
  EXPECT_EQ(Abbreviate(std::string(10000, 'z'), 4), "zzzz...(10000 bytes)");
  // "é" is two bytes: a cut inside it backs up before it.
  EXPECT_EQ(Abbreviate("abcé", 4), "abc...(5 bytes)");
}

}  // namespace
}  // namespace natscope::server
