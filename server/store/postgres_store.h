// Every store role (store.h) on PostgreSQL (libpqxx), for the embedded cluster and for
// --postgres=URI alike.
#ifndef NATSCOPE_SERVER_STORE_POSTGRES_STORE_H_
#define NATSCOPE_SERVER_STORE_POSTGRES_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "server/store/ingest_grouper.h"
#include "server/store/store.h"

namespace natscope::server {

class PgConnectionPool;

// Thread-safe: up to `pool_size` calls run at once, each on a connection of
// its own; further calls wait. No libpqxx exception leaves this class.
class PostgresStore final : public ServerStore {
 public:
  // Connects to `conninfo` (a libpq URI or key=value string) and returns a
  // store that uses up to `pool_size` connections. Does not migrate: call
  // Migrate(). Errors: Unavailable "cannot connect to PostgreSQL at
  // <conninfo without password>: <reason>: ..." when the first connection
  // fails; InvalidArgument for a malformed conninfo or pool_size < 1.
  static absl::StatusOr<std::unique_ptr<PostgresStore>> Connect(
      const std::string& conninfo, int pool_size);

  ~PostgresStore() override;

  absl::Status Migrate() override;
  absl::StatusOr<natscope::v1::AgentIdentity> AgentByCredentialHash(
      absl::string_view credential_hash) override;
  // pg_intake.cc.
  absl::StatusOr<IngestResult> IngestIntake(
      const natscope::v1::AgentIdentity& host,
      const natscope::v1::IngestRequest& batch,
      const std::vector<std::string>& digests, absl::Time received) override;
  absl::StatusOr<IngestResult> Ingest(const natscope::v1::AgentIdentity& agent,
                                      const natscope::v1::IngestRequest& batch,
                                      absl::Time received) override;
  absl::StatusOr<std::vector<natscope::v1::AgentState>> ListAgents(
      absl::string_view site, absl::string_view after_agent_id,
      int limit) override;
  absl::StatusOr<std::vector<natscope::v1::ProbeReport>> ProbeHistory(
      absl::string_view agent_id, int limit) override;

  // Access tokens and AgentById: pg_tokens.cc.
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
  absl::StatusOr<natscope::v1::AgentIdentity> AgentById(
      absl::string_view agent_id) override;
  absl::StatusOr<natscope::v1::EnrollmentTokenInfo> UseEnrollmentToken(
      absl::string_view token_hash) override;

  // Enrolment and release: pg_agents.cc.
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

  // Partitions and retention: pg_partitions.cc.
  absl::Status EnsurePartitions(absl::Time from, absl::Time to) override;
  absl::StatusOr<RetentionResult> ApplyRetention(
      absl::Time cutoff, absl::Time trend_cutoff) override;

  // Site health and trends: pg_site_health.cc.
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

  // Report schedules and runs: pg_reports.cc.
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
  PostgresStore(std::unique_ptr<PgConnectionPool> pool, int pool_size);

  // Stores one group of Ingest calls in one transaction (the grouper's
  // function); when that fails other than for want of the database, each
  // call again on its own, so that one bad batch fails alone.
  void StoreIngestGroup(absl::Span<IngestCall* const> calls);
  absl::Status StoreIngestGroupOnce(absl::Span<IngestCall* const> calls);

  std::unique_ptr<PgConnectionPool> pool_;
  // Group commit of concurrent Ingest calls (ingest_grouper.h).
  IngestGrouper grouper_;
  // True when this server has made sure `received`'s day has partitions.
  bool PartitionReady(absl::Time received);

  // UTC days (days since the Unix epoch) known to have their partitions.
  absl::Mutex days_mu_;
  absl::flat_hash_set<int64_t> ready_days_ ABSL_GUARDED_BY(days_mu_);
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_POSTGRES_STORE_H_
