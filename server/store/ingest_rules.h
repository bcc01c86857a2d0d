// Rules every Store applies the same way when it takes in a batch: the
// ledger's digest of a batch, and which record counts as an agent's latest.
// Pure functions; thread-safe.
#ifndef NATSCOPE_SERVER_STORE_INGEST_RULES_H_
#define NATSCOPE_SERVER_STORE_INGEST_RULES_H_

#include <string>

#include "absl/time/time.h"
#include "natscope/v1/agent.pb.h"

namespace natscope::server {

// SHA-256 (32 raw bytes) of the batch's records: each record's
// deterministic serialization, length-prefixed, in order. The same records
// give the same digest whatever order protobuf iterates their maps in and
// whatever else the request carries (counters, send time, encoding), so a
// resent batch matches its first copy and a cloned agent's different batch
// under the same (epoch, sequence) does not.
std::string BatchDigest(const natscope::v1::IngestRequest& batch);

// The time by which a record competes for "latest" (the agent's NAT type,
// probe, sdwan state): its own time, but never later than when the server
// received it, so that one record dated in the future cannot hide every
// later one.
inline absl::Time RankTime(absl::Time record_time, absl::Time received) {
  return std::min(record_time, received);
}

// The agent's clock skew in milliseconds from the batch's send time
// (positive: the agent runs ahead), or 0 when the batch carries none.
int64_t ClockSkewMillis(const natscope::v1::IngestRequest& batch,
                        absl::Time received);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_INGEST_RULES_H_
