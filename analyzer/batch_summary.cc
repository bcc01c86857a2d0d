#include "analyzer/batch_summary.h"

#include <algorithm>

namespace natscope::analyzer {
namespace {

struct KindEntry {
  LogKind kind;
  const char* name;
};

// The one table of log kinds.
constexpr KindEntry kKinds[] = {
    {LogKind::kStunNatType, "stun_nat_type"},
    {LogKind::kSdwanState, "sdwan_state"},
    {LogKind::kAnalytics, "analytics"},
    {LogKind::kRelayUnavailable, "relay_unavailable"},
    {LogKind::kRelayListenerFailed, "relay_listener_failed"},
};

void Offer(int index, absl::Time rank, Newest* newest) {
  if (!newest->found() || rank >= newest->rank) {
    newest->index = index;
    newest->rank = rank;
  }
}

// Adds an analytics, relay_unavailable or relay_listener_failed line at
// `time` to `hours`.
void Count(const v1::LogEvent& event, LogKind kind, absl::Time time,
           std::map<absl::Time, TunnelHour>* hours) {
  if (kind == LogKind::kRelayUnavailable) {
    ++(*hours)[StartOfHour(time)].relay_unavailable;
    return;
  }
  if (kind == LogKind::kRelayListenerFailed) {
    ++(*hours)[StartOfHour(time)].relay_listener_errors;
    return;
  }
  const auto path = event.fields().find("tunnel_path");
  if (path == event.fields().end()) return;
  const bool direct = path->second == "direct";
  if (!direct && path->second != "relayed") return;
  TunnelHour& hour = (*hours)[StartOfHour(time)];
  ++(direct ? hour.direct : hour.relayed);
  hour.last_tunnel = std::max(hour.last_tunnel, time);
}

}  // namespace

LogKind KindOf(absl::string_view kind) {
  for (const KindEntry& entry : kKinds) {
    if (kind == entry.name) return entry.kind;
  }
  return LogKind::kOther;
}

const char* KindName(LogKind kind) {
  for (const KindEntry& entry : kKinds) {
    if (entry.kind == kind) return entry.name;
  }
  return "other";
}

absl::Time RecordTime(const google::protobuf::Timestamp& time, bool has_time,
                      absl::Time received) {
  if (!has_time) return received;
  return absl::FromUnixSeconds(time.seconds()) + absl::Nanoseconds(time.nanos());
}

absl::Time StartOfHour(absl::Time t) {
  return absl::UnixEpoch() + absl::Floor(t - absl::UnixEpoch(), absl::Hours(1));
}

BatchSummary SummarizeBatch(const v1::IngestRequest& batch,
                            absl::Time received) {
  BatchSummary summary;
  for (int i = 0; i < batch.records_size(); ++i) {
    const v1::Record& record = batch.records(i);
    if (record.has_probe()) {
      ++summary.records;
      const absl::Time time = RecordTime(record.probe().time(),
                                         record.probe().has_time(), received);
      Offer(i, RankTime(time, received), &summary.probe);
      continue;
    }
    if (!record.has_log()) continue;
    ++summary.records;
    const v1::LogEvent& event = record.log();
    const absl::Time time = RecordTime(event.time(), event.has_time(), received);
    switch (const LogKind kind = KindOf(event.kind())) {
      case LogKind::kStunNatType:
        if (event.fields().contains("nat_type")) {
          Offer(i, RankTime(time, received), &summary.nat_type);
        }
        break;
      case LogKind::kSdwanState:
        Offer(i, RankTime(time, received), &summary.sdwan_state);
        break;
      case LogKind::kAnalytics:
      case LogKind::kRelayUnavailable:
      case LogKind::kRelayListenerFailed:
        Count(event, kind, time, &summary.hours);
        break;
      case LogKind::kOther:
        break;
    }
  }
  return summary;
}

}  // namespace natscope::analyzer
