// Rules every Store applies the same way when it takes in a batch: the
// ledger's digest of a batch and the agent's clock skew. (What the records
// mean, which is newest and how they count, is analyzer/batch_summary.h.)
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

// The agent's clock skew in milliseconds from the batch's send time
// (positive: the agent runs ahead), or 0 when the batch carries none.
int64_t ClockSkewMillis(const natscope::v1::IngestRequest& batch,
                        absl::Time received);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_INGEST_RULES_H_
