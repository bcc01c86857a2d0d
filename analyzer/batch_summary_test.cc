#include "analyzer/batch_summary.h"

#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

const absl::Time kArrival = absl::FromUnixSeconds(1800000000);  // 08:00 UTC

v1::LogEvent* Log(v1::IngestRequest* batch, absl::string_view kind,
                  absl::Time t) {
  v1::LogEvent* event = batch->add_records()->mutable_log();
  event->set_kind(std::string(kind));
  event->mutable_time()->set_seconds(absl::ToUnixSeconds(t));
  return event;
}

TEST(LogKindTest, TheTableRoundTrips) {
  for (LogKind kind : {LogKind::kStunNatType, LogKind::kSdwanState,
                       LogKind::kAnalytics, LogKind::kRelayUnavailable,
                       LogKind::kRelayListenerFailed}) {
    EXPECT_EQ(KindOf(KindName(kind)), kind);
  }
  EXPECT_EQ(KindOf("tunnel_timeout"), LogKind::kOther);
}

TEST(SummarizeBatchTest, NewestByTimeThenLaterRecord) {
  v1::IngestRequest batch;
  (*Log(&batch, "stun_nat_type", kArrival - absl::Minutes(5))
        ->mutable_fields())["nat_type"] = "symmetric";
  (*Log(&batch, "stun_nat_type", kArrival - absl::Minutes(9))
        ->mutable_fields())["nat_type"] = "older";
  (*Log(&batch, "stun_nat_type", kArrival - absl::Minutes(5))
        ->mutable_fields())["nat_type"] = "tie, later record";
  Log(&batch, "stun_nat_type", kArrival);  // No nat_type field: ignored.
  const BatchSummary summary = SummarizeBatch(batch, kArrival);
  EXPECT_EQ(summary.nat_type.index, 2);
  EXPECT_EQ(summary.nat_type.rank, kArrival - absl::Minutes(5));
  EXPECT_FALSE(summary.sdwan_state.found());
  EXPECT_EQ(summary.records, 4u);
}

TEST(SummarizeBatchTest, AFutureDateRanksAsTheArrival) {
  v1::IngestRequest batch;
  Log(&batch, "sdwan_state", kArrival + absl::Hours(24 * 365));
  v1::ProbeReport* probe = batch.add_records()->mutable_probe();  // No time.
  (void)probe;
  const BatchSummary summary = SummarizeBatch(batch, kArrival);
  EXPECT_EQ(summary.sdwan_state.rank, kArrival);
  EXPECT_EQ(summary.probe.index, 1);
  EXPECT_EQ(summary.probe.rank, kArrival);
}

TEST(SummarizeBatchTest, TunnelAndRelayLinesCountPerHourOfTheirTime) {
  v1::IngestRequest batch;
  (*Log(&batch, "analytics", kArrival - absl::Minutes(30))
        ->mutable_fields())["tunnel_path"] = "direct";
  (*Log(&batch, "analytics", kArrival + absl::Minutes(1))
        ->mutable_fields())["tunnel_path"] = "relayed";
  (*Log(&batch, "analytics", kArrival)->mutable_fields())["tunnel_path"] =
      "unknown";  // Neither: not counted.
  Log(&batch, "relay_unavailable", kArrival + absl::Minutes(2));
  Log(&batch, "relay_listener_failed", kArrival + absl::Minutes(3));
  Log(&batch, "relay_listener_failed", kArrival - absl::Minutes(5));
  const BatchSummary summary = SummarizeBatch(batch, kArrival);
  ASSERT_EQ(summary.hours.size(), 2u);
  const TunnelHour& before = summary.hours.at(kArrival - absl::Hours(1));
  EXPECT_EQ(before.direct, 1u);
  EXPECT_EQ(before.last_tunnel, kArrival - absl::Minutes(30));
  EXPECT_EQ(before.relay_listener_errors, 1u);
  const TunnelHour& now = summary.hours.at(kArrival);
  EXPECT_EQ(now.relayed, 1u);
  EXPECT_EQ(now.relay_unavailable, 1u);
  EXPECT_EQ(now.relay_listener_errors, 1u);
  EXPECT_EQ(now.last_tunnel, kArrival + absl::Minutes(1));
}

TEST(StartOfHourTest, FloorsBeforeTheEpochToo) {
  EXPECT_EQ(StartOfHour(absl::FromUnixSeconds(7199)), absl::FromUnixSeconds(3600));
  EXPECT_EQ(StartOfHour(absl::FromUnixSeconds(-1)), absl::FromUnixSeconds(-3600));
}

}  // namespace
}  // namespace natscope::analyzer
