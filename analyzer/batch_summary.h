// What a batch of an agent's records means for the server, decided once:
// which log kinds matter, which record of a batch is an agent's newest NAT
// type, SD-WAN state and probe, and how its tunnel and relay lines count
// per hour. Both stores persist this; neither re-derives it.
//
// Pure functions of the batch and the arrival time; thread-safe.
#ifndef NATSCOPE_ANALYZER_BATCH_SUMMARY_H_
#define NATSCOPE_ANALYZER_BATCH_SUMMARY_H_

#include <cstdint>
#include <map>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "natscope/v1/agent.pb.h"

namespace natscope::analyzer {

// The log kinds (parser rule names) the server acts on; every other kind
// is stored and shown, never interpreted.
enum class LogKind {
  kOther,
  kStunNatType,       // "stun_nat_type": field nat_type
  kSdwanState,        // "sdwan_state": field state
  kAnalytics,         // "analytics": field tunnel_path direct|relayed
  kRelayUnavailable,  // "relay_unavailable"
  // "relay_listener_failed": a connector could not preconnect its relay
  // listener (fields listener, error).
  kRelayListenerFailed,
};

// The kind a rule name denotes (kOther for any other name), and back.
LogKind KindOf(absl::string_view kind);
const char* KindName(LogKind kind);

// A record's time as the server takes it: its own, or `received` when it
// has none.
absl::Time RecordTime(const google::protobuf::Timestamp& time, bool has_time,
                      absl::Time received);

// The time by which a record competes for "latest" (the agent's NAT type,
// SD-WAN state, probe): its own time, but never later than its arrival, so
// that one record dated in the future cannot hide every later one.
inline absl::Time RankTime(absl::Time record_time, absl::Time received) {
  return std::min(record_time, received);
}

// The newest record of one kind in a batch.
struct Newest {
  int index = -1;   // In batch.records(); -1 when the batch has none.
  absl::Time rank;  // Its RankTime.
  bool found() const { return index >= 0; }
};

// A batch's tunnel and relay lines of one UTC hour (by the lines' times).
struct TunnelHour {
  uint32_t direct = 0;
  uint32_t relayed = 0;
  uint32_t relay_unavailable = 0;
  uint32_t relay_listener_errors = 0;
  absl::Time last_tunnel = absl::InfinitePast();  // newest counted analytics
};

struct BatchSummary {
  Newest nat_type;  // kStunNatType lines that have a nat_type field
  Newest sdwan_state;
  Newest probe;
  // Start of each UTC hour that has counted lines, and its counts.
  std::map<absl::Time, TunnelHour> hours;
  // Records with a payload (a log event or a probe report).
  uint32_t records = 0;
};

// The summary of `batch` arriving at `received`. Within a batch, ties in
// rank go to the later record (it was observed later).
BatchSummary SummarizeBatch(const v1::IngestRequest& batch,
                            absl::Time received);

// The start of `t`'s UTC hour.
absl::Time StartOfHour(absl::Time t);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_BATCH_SUMMARY_H_
