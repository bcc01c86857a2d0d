// The Store in memory: for tests of pure logic (services, refresher,
// report producer) and for trying natscope without PostgreSQL. Every
// state is lost when the process exits.
//
// MemoryStore passes the same conformance suite as PostgresStore
// (store_conformance.h) and mirrors its SQL: the same dedup key, the same
// "latest" rule, the same orders, text sanitised and times kept to the
// microsecond (clamped to the years 1..9999) as PostgreSQL keeps them.
// Where they differ:
//   - Methods work before Migrate(), which only refuses a schema version
//     newer than this binary knows (see SetSchemaVersionForTest).
//   - Site names and ids are stored as given, even when PostgreSQL would
//     reject their bytes (invalid UTF-8, NUL).
//   - A negative limit is InvalidArgument (PostgreSQL: Internal).
//   - EnsurePartitions only keeps the list of daily partitions that
//     ApplyRetention counts; an Ingest never fails for want of one.
//   - Times PostgreSQL takes from now() (the dirty mark of EnrollAgent)
//     come from absl::Now().
//
// Thread-safe: one mutex serialises every method. Never returns
// Unavailable, Aborted, Unknown or Internal.
#ifndef NATSCOPE_SERVER_STORE_MEMORY_STORE_H_
#define NATSCOPE_SERVER_STORE_MEMORY_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "analyzer/batch_summary.h"
#include "server/store/store.h"

namespace natscope::server {

class MemoryStore : public ServerStore {
 public:
  MemoryStore() = default;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  // Marks schema version `version` as applied, as a newer natscope-server
  // would: the next Migrate() then fails with FailedPrecondition when
  // `version` is beyond the migrations this binary knows.
  void SetSchemaVersionForTest(int version);
  // Log events plus probe reports held for `agent_id` at its current site
  // (0 when unknown), for the conformance suite's count_records.
  int64_t CountRecordsForTest(const std::string& agent_id);

  absl::Status Migrate() override;
  absl::StatusOr<natscope::v1::AgentIdentity> AgentByCredentialHash(
      absl::string_view credential_hash) override;
  absl::StatusOr<IngestResult> Ingest(const natscope::v1::AgentIdentity& agent,
                                      const natscope::v1::IngestRequest& batch,
                                      absl::Time received) override;
  // memory_store_intake.cc.
  absl::StatusOr<IngestResult> IngestIntake(
      const natscope::v1::AgentIdentity& host,
      const natscope::v1::IngestRequest& batch,
      const std::vector<std::string>& digests, absl::Time received) override;
  absl::StatusOr<std::vector<natscope::v1::AgentState>> ListAgents(
      absl::string_view site, absl::string_view after_agent_id,
      int limit) override;
  absl::StatusOr<std::vector<natscope::v1::ProbeReport>> ProbeHistory(
      absl::string_view agent_id, int limit) override;
  absl::StatusOr<natscope::v1::AgentIdentity> AgentById(
      absl::string_view agent_id) override;

  // Access tokens: memory_store_tokens.cc.
  absl::Status CreateApiToken(const natscope::v1::ApiTokenInfo& info,
                              absl::string_view token_hash) override;
  absl::StatusOr<natscope::v1::ApiTokenInfo> ApiTokenByHash(
      absl::string_view token_hash) override;
  absl::StatusOr<natscope::v1::ApiTokenInfo> RevokeApiToken(
      absl::string_view token_id, absl::Time now) override;
  absl::StatusOr<std::vector<natscope::v1::ApiTokenInfo>> ListApiTokens()
      override;
  absl::Status CreateEnrollmentToken(
      const natscope::v1::EnrollmentTokenInfo& info,
      absl::string_view token_hash) override;
  absl::StatusOr<natscope::v1::EnrollmentTokenInfo> EnrollmentTokenByHash(
      absl::string_view token_hash) override;
  absl::StatusOr<natscope::v1::EnrollmentTokenInfo> RevokeEnrollmentToken(
      absl::string_view token_id, absl::Time now) override;
  absl::StatusOr<std::vector<natscope::v1::EnrollmentTokenInfo>>
  ListEnrollmentTokens(absl::string_view site) override;
  absl::StatusOr<natscope::v1::EnrollmentTokenInfo> UseEnrollmentToken(
      absl::string_view token_hash) override;

  // Enrolment and release: memory_store_agents.cc.
  absl::Status EnrollAgent(const natscope::v1::AgentIdentity& agent,
                           absl::string_view credential_hash,
                           absl::string_view current_hash,
                           absl::string_view use_token_hash) override;
  absl::StatusOr<natscope::v1::AgentIdentity> ReleaseAgent(
      absl::string_view agent_id) override;
  absl::StatusOr<natscope::v1::AgentIdentity> RemoveAgent(
      absl::string_view agent_id) override;
  absl::StatusOr<std::vector<natscope::v1::AgentIdentity>> RequestProbe(
      absl::string_view site, absl::string_view agent_id,
      absl::Time seen_since, absl::Time now) override;
  absl::StatusOr<int64_t> AuthGeneration() override;

  // Partitions, retention, site health and trends: memory_store_health.cc.
  absl::Status EnsurePartitions(absl::Time from, absl::Time to) override;
  absl::StatusOr<RetentionResult> ApplyRetention(
      absl::Time cutoff, absl::Time trend_cutoff) override;
  absl::Status MarkSitesDirty(const std::vector<std::string>& sites,
                              absl::Time now) override;
  absl::StatusOr<std::vector<std::string>> ClaimDirtySites(int limit) override;
  absl::StatusOr<int64_t> CountDirtySites() override;
  absl::StatusOr<std::map<std::string, analyzer::AgentActivity>>
  RecentActivity(absl::string_view site, absl::Time since) override;
  absl::Status PutSiteHealth(
      const std::vector<natscope::v1::SiteSummary>& summaries,
      absl::Time computed) override;
  absl::StatusOr<std::vector<natscope::v1::SiteSummary>> ListSiteHealth(
      bool by_name) override;
  absl::StatusOr<std::vector<natscope::v1::SiteSummary>> ListSiteHealthPage(
      bool by_name, const SiteCursor& after, int limit) override;
  absl::StatusOr<std::vector<TrendSample>> SiteTrend(absl::string_view site,
                                                     absl::Time from,
                                                     absl::Time to,
                                                     bool daily) override;

  // Report schedules and runs: memory_store_reports.cc.
  absl::Status CreateSchedule(
      const natscope::v1::ReportSchedule& schedule) override;
  absl::StatusOr<std::vector<natscope::v1::ReportSchedule>> ListSchedules()
      override;
  absl::Status DeleteSchedule(absl::string_view schedule_id) override;
  absl::StatusOr<absl::Time> LastScheduledRun(
      absl::string_view schedule_id) override;
  absl::StatusOr<bool> ClaimRun(absl::string_view schedule_id,
                                absl::Time scheduled_for, bool on_demand,
                                natscope::v1::ReportFormat format,
                                absl::string_view claimed_by, absl::Time now,
                                int64_t* run_id) override;
  absl::Status FinishRun(int64_t run_id, const natscope::v1::ReportRun& run,
                         absl::string_view content) override;
  absl::StatusOr<std::vector<StoredReportRun>> ListRuns(
      absl::string_view schedule_id, int limit) override;
  absl::StatusOr<StoredReportRun> GetRun(int64_t run_id) override;
  absl::StatusOr<int> FailAbandonedRuns(absl::Time before,
                                        absl::Time now) override;
  absl::StatusOr<int64_t> DeleteRunsBefore(absl::Time cutoff) override;

 private:
  // `t` as a timestamptz column keeps it: clamped to the years 1..9999 and
  // truncated to the microsecond. Every stored time goes through here.
  static absl::Time StoredTime(absl::Time t);
  // `agent` as the agents table keeps it (hostname and version sanitised).
  static natscope::v1::AgentIdentity StoredIdentity(
      const natscope::v1::AgentIdentity& agent);
  // Sets `out` to StoredTime(t).
  static void SetStoredTime(absl::Time t, google::protobuf::Timestamp* out);

  struct AgentRow {
    natscope::v1::AgentIdentity identity;
    std::string credential_hash;  // Empty: released.
    uint64_t batch_conflicts = 0;
    std::optional<absl::Time> probe_requested;  // Stored; unset: none.
    bool intake = false;  // Registered by IngestIntake.
  };
  // An agent's latest state at its site (agent_state).
  struct LatestState {
    std::string site;
    absl::Time last_seen;
    std::optional<std::string> nat_type;  // Sanitised; unset: never logged.
    absl::Time nat_time;
    std::optional<natscope::v1::ProbeReport> probe;  // Unset: never probed.
    absl::Time probe_time;
    std::optional<int64_t> clock_skew_ms;  // Unset: never said.
    std::optional<std::string> sdwan_state;  // Sanitised; unset: never logged.
    absl::Time sdwan_time;
    // What the newest batch said of the agent itself (ingest_rules.h).
    std::optional<std::string> version;  // Sanitised; unset: never named.
    std::optional<natscope::v1::AgentCounters> counters;
    std::optional<absl::Time> self_report_time;  // Stored; unset: never.
  };
  // What the ledger keeps of a batch.
  struct LedgerRow {
    absl::Time received;
    std::string digest;  // BatchDigest.
  };
  // What is kept of a log event: what retention reads; what it means was
  // summarised at ingest.
  struct LogRow {
    std::string site;
    absl::Time received;  // Retention goes by arrival, as partitions do.
  };
  struct ProbeRow {
    std::string site;
    int64_t id;  // Arrival order.
    absl::Time probe_time;
    absl::Time received;
    natscope::v1::ProbeReport report;
  };
  // An agent's facts, whatever their site.
  struct History {
    std::vector<LogRow> logs;
    std::vector<ProbeRow> probes;
  };
  // (site, agent_id, epoch, sequence).
  using LedgerKey = std::tuple<std::string, std::string, uint64_t, uint64_t>;
  struct HealthRow {
    natscope::v1::SiteSummary summary;
    absl::Time computed;
  };
  struct TrendRow {
    int64_t clients = 0;
    int64_t p2p_clients = 0;
    int64_t connectors = 0;
    absl::Time computed;
    // Agents per finding code (site_finding_trend): kept, replaced and
    // pruned with the point.
    std::map<natscope::v1::FindingCode, int64_t> finding_agents;
  };
  template <typename Info>
  struct TokenRow {
    Info info;
    std::string hash;
  };
  struct RunRow {
    std::string schedule_id;
    absl::Time scheduled_for;
    bool on_demand = false;
    absl::Time started_at;
    std::optional<absl::Time> finished_at;
    natscope::v1::ReportRunStatus status = {};
    natscope::v1::ReportFormat format = {};
    std::string content_path;
    std::string error;
    std::optional<std::string> content;
    std::string claimed_by;
  };


  // Records the batch's facts and updates the agent's latest state (and
  // its pending probe request); the ledger row is the caller's.
  void StoreBatch(AgentRow& agent_row, const natscope::v1::AgentIdentity& agent,
                  const natscope::v1::IngestRequest& batch, absl::Time received)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes the batch's `nat` and `probe` records into the agent's latest
  // state unless it holds newer ones.
  void UpdateState(const natscope::v1::AgentIdentity& agent,
                   const natscope::v1::IngestRequest& batch,
                   const analyzer::BatchSummary& summary, absl::Time received_at)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes the batch's version and counters into the agent's latest state
  // unless it holds a report ranked later (SelfReportTime).
  void UpdateSelfReport(const natscope::v1::AgentIdentity& agent,
                        const natscope::v1::IngestRequest& batch,
                        absl::Time received) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds the daily partitions from `from`'s day to `to`'s day.
  void AddPartitions(absl::Time from, absl::Time to)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The agent's state as ListAgents returns it.
  natscope::v1::AgentState StateOf(const AgentRow& agent) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The agent's latest state at its current site; nullptr when none.
  const LatestState* FindState(const natscope::v1::AgentIdentity& identity)
      const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MarkDirty(const std::string& site, absl::Time since)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static StoredReportRun ToStoredRun(int64_t run_id, const RunRow& row);

  absl::Mutex mu_;
  int schema_version_ ABSL_GUARDED_BY(mu_) = 0;

  std::map<std::string, AgentRow> agents_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> agent_by_hash_ ABSL_GUARDED_BY(mu_);
  // By agent_id: an agent has state at one site at most, as RemoveAgent
  // drops it.
  std::map<std::string, LatestState> states_ ABSL_GUARDED_BY(mu_);
  std::map<LedgerKey, LedgerRow> ledger_ ABSL_GUARDED_BY(mu_);
  // Intake's ledger (intake_seen): the digest of every intake record
  // stored, with its agent and when it arrived.
  struct SeenRow {
    std::string agent_id;
    absl::Time received;
  };
  std::map<std::string, SeenRow> intake_seen_ ABSL_GUARDED_BY(mu_);
  // Tunnel and relay lines per (site, agent_id) and UTC hour, counted at
  // ingest (agent_activity).
  std::map<std::pair<std::string, std::string>,
           std::map<absl::Time, analyzer::TunnelHour>>
      activity_ ABSL_GUARDED_BY(mu_);
  int64_t auth_generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, History> history_ ABSL_GUARDED_BY(mu_);
  int64_t next_probe_id_ ABSL_GUARDED_BY(mu_) = 1;

  // Start of each UTC day that has a partition, and the horizon below
  // which PostgresStore::Ingest assumes one exists.
  std::set<absl::Time> partition_days_ ABSL_GUARDED_BY(mu_);
  absl::Time partitions_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();

  std::map<std::string, absl::Time> dirty_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, HealthRow> health_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, absl::Time>, TrendRow> trend_
      ABSL_GUARDED_BY(mu_);

  std::map<std::string, TokenRow<natscope::v1::ApiTokenInfo>> api_tokens_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> api_token_by_hash_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, TokenRow<natscope::v1::EnrollmentTokenInfo>>
      enrollment_tokens_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> enrollment_token_by_hash_
      ABSL_GUARDED_BY(mu_);

  std::map<std::string, natscope::v1::ReportSchedule> schedules_
      ABSL_GUARDED_BY(mu_);
  std::map<int64_t, RunRow> runs_ ABSL_GUARDED_BY(mu_);
  // (schedule_id, scheduled_for) of every scheduled run: claimed once.
  std::set<std::pair<std::string, absl::Time>> scheduled_runs_
      ABSL_GUARDED_BY(mu_);
  int64_t next_run_id_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_MEMORY_STORE_H_
