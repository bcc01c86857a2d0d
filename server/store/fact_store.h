// What agents told the server: ingested batches, each agent's latest
// state, its probe history and its recent log activity. Facts only: what
// they mean (NAT types, verdicts, findings) is the analyzer's to decide,
// on the server's side (server/analysis). Callers: the AgentService
// (Ingest), the site analysis and the QueryService (reads). Errors and
// thread safety: see agent_registry.h.
#ifndef NATSCOPE_SERVER_STORE_FACT_STORE_H_
#define NATSCOPE_SERVER_STORE_FACT_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "analyzer/agent_activity.h"
#include "natscope/v1/agent.pb.h"
#include "natscope/v1/probe.pb.h"
#include "natscope/v1/query.pb.h"

namespace natscope::server {

struct IngestResult {
  // Records stored by this call (0 when `duplicate`).
  uint32_t records_committed = 0;
  // True when (agent, epoch, sequence) had been committed before.
  bool duplicate = false;
  // When an admin asked the agent to probe (AgentRegistry::RequestProbe),
  // if that request is still pending after this batch; unset when none.
  std::optional<absl::Time> probe_requested;
  // IngestIntake: records skipped because they had been stored before.
  uint32_t duplicate_records = 0;
};

class FactStore {
 public:
  virtual ~FactStore() = default;

  // Stores a batch atomically. `agent` is the authenticated identity (from
  // the credential); `batch.agent()` is ignored. When (agent_id, epoch,
  // sequence) was committed before with the same records (BatchDigest,
  // ingest_rules.h), stores nothing and returns duplicate=true; with other
  // records, stores nothing, adds one to the agent's batch_conflicts and
  // answers BatchConflictError. Otherwise stores every record that has a
  // payload and what analyzer::SummarizeBatch decides of the batch: the
  // agent's newest stun_nat_type line, sdwan_state line and probe report
  // (each kept only when newer than the stored one), its hourly tunnel
  // and relay counts; its last seen time (`received`) and clock skew
  // (ClockSkewMillis) when the batch has a send time; and what the batch
  // says of the agent itself, its version (`batch.agent().version()`, when
  // not empty) and counters (when present), unless a batch with a later
  // SelfReportTime (ingest_rules.h) said it. Either way marks the
  // agent's site for the health refresher. A batch with no records at all
  // (records_size() == 0: an agent's check-in, whatever its epoch and
  // sequence) is not a batch: no ledger row, no record, no site mark;
  // only the agent's last seen time, clock skew, version and counters, as
  // above; it is never a duplicate or a conflict. A pending probe request
  // is cleared when the batch carries a probe report started at or after
  // it (AnswersProbeRequest, ingest_rules.h), and returned otherwise
  // (also with a duplicate). NotFound when the agent is not registered
  // (at that site).
  virtual absl::StatusOr<IngestResult> Ingest(
      const natscope::v1::AgentIdentity& agent,
      const natscope::v1::IngestRequest& batch, absl::Time received) = 0;

  // Intake (server/intake): stores the log records of `batch` for `host`,
  // a host whose logs a log shipper sends, as Ingest stores a batch (the
  // same tables, latest state, activity counts and site mark; batch.sent
  // and counters are ignored) but with no ledger row. Instead `digests`
  // holds one digest per record (server/intake/intake_digest.h, which
  // covers the agent id, so that a digest names one agent's line): a
  // record whose digest was stored before is skipped (a shipper's retry),
  // and the others' digests are remembered until retention drops facts
  // received before them. When host.agent_id() is not registered,
  // registers it first, in the same transaction, as a log-only agent of
  // host.site() (no credential; AgentState.intake) with host's role and
  // hostname; an agent id registered at host.site() is used as it is.
  // records_committed: the records stored; duplicate_records: those
  // skipped. PermissionDenied when the agent id is registered at another
  // site; InvalidArgument when `digests` and the records differ in number
  // or a record is not a log event.
  virtual absl::StatusOr<IngestResult> IngestIntake(
      const natscope::v1::AgentIdentity& host,
      const natscope::v1::IngestRequest& batch,
      const std::vector<std::string>& digests, absl::Time received) = 0;

  // Up to `limit` agents of `site` (every site when empty) whose agent_id
  // sorts (bytewise) after `after_agent_id` (empty: from the start), sorted
  // by agent_id, with their stored facts: identity, last_seen,
  // log_nat_type and log_nat_type_time, latest_probe as the agent sent it,
  // clock_skew_seconds, batch_conflicts, probe_requested_at (a pending
  // AgentRegistry::RequestProbe), and of health: version (the
  // newest batch's, else the enrolled one), last_batch_time (= last_seen)
  // and counters. The derived fields (reported_nat_type, mapping and
  // filtering behaviour, public_address, findings, agent_verdict,
  // health.last_probe_time, healthy and problems) are left empty: the
  // server's analysis fills them (server/analysis/agent_analysis.h,
  // agent_health.h). InvalidArgument when limit < 1.
  virtual absl::StatusOr<std::vector<natscope::v1::AgentState>> ListAgents(
      absl::string_view site, absl::string_view after_agent_id, int limit) = 0;

  // The agent's probe reports as it sent them, newest first (by probe
  // time, ties by arrival), at most `limit`, at its current site. Empty
  // for an unknown agent.
  virtual absl::StatusOr<std::vector<natscope::v1::ProbeReport>> ProbeHistory(
      absl::string_view agent_id, int limit) = 0;

  // Per agent of `site` that has any: its analytics (tunnel_path direct or
  // relayed), relay_unavailable and relay_listener_failed lines dated in
  // the UTC hour of `since` or later, counted, and its newest sdwan_state
  // line of any age. Agents with neither are absent.
  virtual absl::StatusOr<std::map<std::string, analyzer::AgentActivity>>
  RecentActivity(absl::string_view site, absl::Time since) = 0;
};

// What FactStore::Ingest answers for a batch whose (epoch, sequence) was
// committed with other records.
inline absl::Status BatchConflictError(
    const natscope::v1::IngestRequest& batch) {
  return absl::AlreadyExistsError(absl::StrCat(
      "batch (epoch ", batch.epoch(), ", sequence ", batch.sequence(),
      ") was committed before with other records: this agent's state looks "
      "cloned or restored from a backup; send the records again under a new "
      "epoch, and give each host its own state directory"));
}

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_FACT_STORE_H_
