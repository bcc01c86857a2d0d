// Rules every Store applies the same way when it takes in a batch: the
// ledger's digest of a batch, the agent's clock skew and which batch's
// report of the agent itself is newest, and which probe report answers a
// probe request. (What the records mean, which is newest and how they
// count, is analyzer/batch_summary.h.)
// Pure functions; thread-safe.
#ifndef NATSCOPE_SERVER_STORE_INGEST_RULES_H_
#define NATSCOPE_SERVER_STORE_INGEST_RULES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "natscope/v1/agent.pb.h"
#include "natscope/v1/probe.pb.h"

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

// The time by which the batch's report of the agent itself (the version
// it names, its counters) competes for the agent's newest: its send time,
// never later than `received` (as analyzer::RankTime), or `received` when
// it has none. The stored report is replaced by one ranked at or after it.
absl::Time SelfReportTime(const natscope::v1::IngestRequest& batch,
                          absl::Time received);

// Whether the batch says anything of the agent itself: a version or
// counters.
bool HasSelfReport(const natscope::v1::IngestRequest& batch);

// Whether `report`, a probe report of `batch`, answers a probe request
// made at `requested_at` (the server's clock): it started at or after the
// request, its start taken to the server's clock with the batch's clock
// skew (ClockSkewMillis) and never later than `received`. The send time
// an agent puts on a batch has whole seconds, so a report started up to a
// second before the request may count: better end a request a second
// early than repeat it for ever.
bool AnswersProbeRequest(const natscope::v1::IngestRequest& batch,
                         const natscope::v1::ProbeReport& report,
                         absl::Time received, absl::Time requested_at);

// FactStore::IngestIntake's checks of its arguments: InvalidArgument when
// `digests` and the records differ in number, a digest is empty, or a
// record is not a log event.
absl::Status CheckIntakeBatch(const natscope::v1::IngestRequest& batch,
                              const std::vector<std::string>& digests);

// What IngestIntake answers when `host`'s agent id is registered at
// `registered_site`, another site: PermissionDenied, one line.
absl::Status IntakeOtherSiteError(const natscope::v1::AgentIdentity& host,
                                  const std::string& registered_site);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_INGEST_RULES_H_
