// MemoryStore::IngestIntake: log lines a log shipper sent for a host
// without natscope-agent (fact_store.h).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "server/store/ingest_rules.h"
#include "server/store/memory_store.h"

namespace natscope::server {

using natscope::v1::AgentIdentity;
using natscope::v1::IngestRequest;

absl::StatusOr<IngestResult> MemoryStore::IngestIntake(
    const AgentIdentity& host, const IngestRequest& batch,
    const std::vector<std::string>& digests, absl::Time received) {
  RETURN_IF_ERROR(CheckIntakeBatch(batch, digests));
  absl::MutexLock lock(&mu_);
  if (received >= partitions_until_) {
    AddPartitions(received - absl::Hours(24), received + absl::Hours(48));
  } else {
    AddPartitions(received, received);
  }
  auto registered = agents_.find(host.agent_id());
  if (registered != agents_.end() &&
      registered->second.identity.site() != host.site()) {
    return IntakeOtherSiteError(host, registered->second.identity.site());
  }
  if (registered == agents_.end()) {
    AgentRow row;
    row.identity = StoredIdentity(host);
    row.intake = true;
    registered = agents_.emplace(host.agent_id(), std::move(row)).first;
  }
  // Only the records not stored before, in their order.
  IngestRequest fresh;
  IngestResult result;
  for (int i = 0; i < batch.records_size(); ++i) {
    const auto [seen, inserted] = intake_seen_.try_emplace(
        digests[i], SeenRow{host.agent_id(), StoredTime(received)});
    if (!inserted) {
      ++result.duplicate_records;
      continue;
    }
    *fresh.add_records() = batch.records(i);
  }
  MarkDirty(host.site(), StoredTime(received));
  if (fresh.records().empty()) return result;
  StoreBatch(registered->second, host, fresh, received);
  result.records_committed = fresh.records_size();
  return result;
}

}  // namespace natscope::server
