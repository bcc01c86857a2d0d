// The server's durable state: registered agents, ingested batches, and the
// latest known state of every agent, as one abstract interface.
//
// Implementations: PostgresStore (postgres_store.h), MemoryStore
// (memory_store.h, for tests of pure logic). Every implementation passes
// the conformance suite in store_conformance.h.
//
// Thread safety: every implementation is thread-safe; all methods may be
// called concurrently from any thread.
//
// Errors common to every method: Unavailable (the database cannot be
// reached; retry with backoff), Aborted (a conflict with a concurrent
// transaction; retry), Unknown (the connection broke while committing, so
// the outcome is unknown; Ingest may be retried, its dedup makes that
// safe), Internal (anything else; the message carries the SQLSTATE).
#ifndef NATSCOPE_SERVER_STORE_STORE_H_
#define NATSCOPE_SERVER_STORE_STORE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "natscope/v1/admin.pb.h"
#include "natscope/v1/agent.pb.h"
#include "natscope/v1/query.pb.h"
#include "natscope/v1/reports.pb.h"

namespace natscope::server {

struct IngestResult {
  // Records stored by this call (0 when `duplicate`).
  uint32_t records_committed = 0;
  // True when (agent, epoch, sequence) had been committed before.
  bool duplicate = false;
};

// One point of a site's (or the fleet's) trend.
struct TrendSample {
  absl::Time bucket;  // Start of the hour (or UTC day).
  int64_t clients = 0;
  int64_t p2p_clients = 0;
  int64_t connectors = 0;
};

// One agent's recent log activity the analysis needs beyond its latest
// state (see Store::RecentActivity).
struct AgentActivity {  // See Store::RecentActivity.
  uint32_t direct = 0;             // "analytics" lines, tunnel_path "direct"
  uint32_t relayed = 0;            // "analytics" lines, tunnel_path "relayed"
  uint32_t relay_unavailable = 0;  // "relay_unavailable" lines
  absl::Time last_tunnel = absl::InfinitePast();  // newest counted analytics line
  std::string sdwan_state;         // newest "sdwan_state" line's state
  absl::Time sdwan_state_time = absl::InfinitePast();
};

// Where a page of ListSiteHealthPage starts: after this site in the
// listing's order. Empty site: from the start.
struct SiteCursor {
  int64_t severity_score = 0;  // Of that site (worst-first order only).
  std::string site;
};

// What ApplyRetention removed.
struct RetentionResult {
  int partitions_dropped = 0;
  int64_t ledger_rows_deleted = 0;
  int64_t trend_rows_deleted = 0;
};

// A report run as stored, with its id and (optionally) its content.
struct StoredReportRun {
  int64_t run_id = 0;
  natscope::v1::ReportRun run;
  std::string content;  // Empty unless asked for.
};

class Store {
 public:
  virtual ~Store() = default;

  // Brings the schema up to the newest version this binary knows, applying
  // the missing migrations in order in one transaction; a no-op when up to
  // date, and safe to run from several servers at once. FailedPrecondition
  // "database schema version N is newer than this natscope-server knows
  // (M): upgrade natscope-server" when the database is ahead. Call before
  // any other method.
  virtual absl::Status Migrate() = 0;

  // Registers `agent`, or replaces the identity and credential of the agent
  // with the same agent_id. `credential_hash` identifies the agent from now
  // on (the old one stops working). AlreadyExists when another agent has
  // the same credential hash; InvalidArgument when agent_id or
  // credential_hash is empty.
  virtual absl::Status UpsertAgent(const natscope::v1::AgentIdentity& agent,
                                   absl::string_view credential_hash) = 0;

  // The agent registered with `credential_hash`; NotFound when none.
  virtual absl::StatusOr<natscope::v1::AgentIdentity> AgentByCredentialHash(
      absl::string_view credential_hash) = 0;

  // Stores a batch atomically. `agent` is the authenticated identity (from
  // the credential); `batch.agent()` is ignored. When (agent_id, epoch,
  // sequence) was committed before with the same records (BatchDigest,
  // ingest_rules.h), stores nothing and returns duplicate=true; with other
  // records, stores nothing, adds one to the agent's batch_conflicts and
  // answers AlreadyExists. Otherwise stores every record that has a payload
  // and updates the agent's latest state: last seen at `received`, its
  // clock skew (ClockSkewMillis) when the batch has a send time, the latest
  // `stun_nat_type` log event (kind "stun_nat_type", field "nat_type") and
  // the latest probe report, "latest" by RankTime of the record's own time
  // (`received` when it has none), ties going to the later arrival. Either
  // way marks the agent's site for the health refresher. NotFound when the
  // agent is not registered (at that site).
  virtual absl::StatusOr<IngestResult> Ingest(
      const natscope::v1::AgentIdentity& agent,
      const natscope::v1::IngestRequest& batch, absl::Time received) = 0;

  // Every site that has at least one registered agent, sorted by site
  // name, with its client and connector counts, agents per (role, reported
  // NAT type) as given by analyzer::ReportedNatType, and the newest
  // last-seen time of its agents (unset when none has sent anything).
  virtual absl::StatusOr<std::vector<natscope::v1::SiteSummary>>
  ListSites() = 0;

  // Up to `limit` agents of `site` (every site when empty) whose agent_id
  // sorts (bytewise) after `after_agent_id` (empty: from the start), sorted
  // by agent_id, with their latest state. InvalidArgument when limit < 1.
  virtual absl::StatusOr<std::vector<natscope::v1::AgentState>> ListAgents(
      absl::string_view site, absl::string_view after_agent_id, int limit) = 0;

  // Log events plus probe reports stored for `agent_id` at its current
  // site (0 when unknown).
  virtual absl::StatusOr<int64_t> CountRecords(absl::string_view agent_id) = 0;

  // The agent's probe reports, newest first (by probe time, ties by
  // arrival), at most `limit`, at its current site. Empty for an unknown
  // agent. The default answers Unimplemented (for test fakes that keep no
  // history).
  virtual absl::StatusOr<std::vector<natscope::v1::ProbeReport>> ProbeHistory(
      absl::string_view agent_id, int limit);

  // --- Access tokens (schema version 2). ---
  //
  // Tokens are kept as the hex SHA-256 of their secret (`token_hash`) and
  // named by info.token_id. The defaults answer Unimplemented, so that a
  // Store that keeps no tokens still compiles; PostgresStore implements
  // them all and the conformance suite checks them.

  // Stores a new admin or viewer token. `info` gives token_id, name, role
  // and created; its revoked is ignored. AlreadyExists when token_id or
  // token_hash is taken; InvalidArgument when token_id, token_hash or name
  // is empty or the role is unspecified.
  virtual absl::Status CreateApiToken(const natscope::v1::ApiTokenInfo& info,
                                      absl::string_view token_hash);
  // The API token with `token_hash`, revoked or not; NotFound when none.
  virtual absl::StatusOr<natscope::v1::ApiTokenInfo> ApiTokenByHash(
      absl::string_view token_hash);
  // Marks the token revoked at `now` (an already revoked token keeps its
  // first time) and returns it; NotFound when there is no such token_id.
  virtual absl::StatusOr<natscope::v1::ApiTokenInfo> RevokeApiToken(
      absl::string_view token_id, absl::Time now);
  // Every API token (revoked ones too), by creation time then token_id.
  virtual absl::StatusOr<std::vector<natscope::v1::ApiTokenInfo>>
  ListApiTokens();

  // The same for per-site enrollment tokens: `info` gives token_id, site,
  // created and optionally expires. InvalidArgument when token_id,
  // token_hash or site is empty.
  virtual absl::Status CreateEnrollmentToken(
      const natscope::v1::EnrollmentTokenInfo& info,
      absl::string_view token_hash);
  virtual absl::StatusOr<natscope::v1::EnrollmentTokenInfo>
  EnrollmentTokenByHash(absl::string_view token_hash);
  virtual absl::StatusOr<natscope::v1::EnrollmentTokenInfo>
  RevokeEnrollmentToken(absl::string_view token_id, absl::Time now);
  // Tokens of `site` (every site when empty), revoked ones too, by site,
  // then creation time, then token_id.
  virtual absl::StatusOr<std::vector<natscope::v1::EnrollmentTokenInfo>>
  ListEnrollmentTokens(absl::string_view site);

  // The registered agent `agent_id`; NotFound when none.
  virtual absl::StatusOr<natscope::v1::AgentIdentity> AgentById(
      absl::string_view agent_id);

  // --- Agent enrolment and release (schema version 5). ---

  // Registers `agent` with `credential_hash` when its agent_id is free to
  // take: not registered, released (ReleaseAgent), or registered with
  // `current_hash` (non-empty: credential rotation). The old credential
  // stops working and the auth generation moves. Unless it is a rotation,
  // counts one use of the enrollment token with `use_token_hash` (when not
  // empty) in the same transaction, as UseEnrollmentToken. Nothing changes
  // on error: PermissionDenied when the id is registered to another site;
  // AlreadyExists when it is enrolled and `current_hash` is empty or not
  // its credential; FailedPrecondition when the token is used up;
  // InvalidArgument when agent_id or credential_hash is empty.
  virtual absl::Status EnrollAgent(const natscope::v1::AgentIdentity& agent,
                                   absl::string_view credential_hash,
                                   absl::string_view current_hash,
                                   absl::string_view use_token_hash = "");
  // Makes the agent's credential stop working and its id free to enroll
  // again (its data stays); returns the agent. NotFound when none.
  virtual absl::StatusOr<natscope::v1::AgentIdentity> ReleaseAgent(
      absl::string_view agent_id);
  // Removes the agent with its latest state and ingest ledger (stored
  // facts age out with retention); returns it. NotFound when none.
  virtual absl::StatusOr<natscope::v1::AgentIdentity> RemoveAgent(
      absl::string_view agent_id);
  // Counts one enrolment by the token with `token_hash` and returns the
  // token as it is after counting. FailedPrecondition when it has enrolled
  // max_uses agents already; NotFound when there is no such token. (Expiry
  // and revocation are the caller's to check.)
  virtual absl::StatusOr<natscope::v1::EnrollmentTokenInfo>
  UseEnrollmentToken(absl::string_view token_hash);
  // A number that changes whenever a credential or token stops working
  // (revocation, release, removal, rotation), on any server sharing the
  // database: whoever caches lookups drops the cache when it moves.
  virtual absl::StatusOr<int64_t> AuthGeneration();

  // --- Time partitions and retention (schema version 3). ---

  // Makes sure the event tables can take rows received between `from` and
  // `to` (daily partitions, UTC). Idempotent, safe from several servers.
  virtual absl::Status EnsurePartitions(absl::Time from, absl::Time to);
  // Removes facts received before `cutoff` (whole days: a day's partition
  // goes once the whole day is older than `cutoff`) with their ledger rows,
  // and trend points older than `trend_cutoff`. The agents' latest state
  // and site health are kept whatever their age.
  virtual absl::StatusOr<RetentionResult> ApplyRetention(
      absl::Time cutoff, absl::Time trend_cutoff);

  // --- Site health, kept current by the refresher (schema version 3). ---

  // Marks `sites` (every site with an agent when empty) as needing a new
  // analysis. Ingest marks the agent's site itself.
  virtual absl::Status MarkSitesDirty(const std::vector<std::string>& sites,
                                      absl::Time now);
  // Takes up to `limit` marked sites off the dirty set (the oldest marks
  // first) and returns them, in no particular order. Sites another caller is taking at the same moment
  // are skipped, so that several servers share the work.
  virtual absl::StatusOr<std::vector<std::string>> ClaimDirtySites(int limit);
  // Stores each summary as its site's health (severity_score, site and the
  // summary itself) and as the site's trend point for the hour of
  // `computed` (replacing an earlier one in that hour). A summary with no
  // clients and no connectors removes the site's health instead (its agents
  // are gone).
  virtual absl::Status PutSiteHealth(
      const std::vector<natscope::v1::SiteSummary>& summaries,
      absl::Time computed);
  // Per agent of `site` that has any: its analytics (tunnel_path direct or
  // relayed) and relay_unavailable lines dated in the UTC hour of `since`
  // or later, counted, and its newest sdwan_state line of any age. Agents
  // with neither are absent. The default answers an empty map (a store
  // that keeps no log history).
  virtual absl::StatusOr<std::map<std::string, AgentActivity>> RecentActivity(
      absl::string_view site, absl::Time since);
  // Every stored site health: worst first (severity_score, then name), or
  // by name.
  virtual absl::StatusOr<std::vector<natscope::v1::SiteSummary>>
  ListSiteHealth(bool by_name);
  // The same, up to `limit` sites after `after` (keyset paging: worst
  // first is severity_score descending then site; by name is site).
  // InvalidArgument when limit < 1. The default reads ListSiteHealth and
  // skips; PostgresStore pages in SQL.
  virtual absl::StatusOr<std::vector<natscope::v1::SiteSummary>>
  ListSiteHealthPage(bool by_name, const SiteCursor& after, int limit);
  // The trend of `site` (the fleet's sum when empty) from `from` to `to`:
  // one sample per hour, or per UTC day (the day's hourly samples
  // averaged), oldest first.
  virtual absl::StatusOr<std::vector<TrendSample>> SiteTrend(
      absl::string_view site, absl::Time from, absl::Time to, bool daily);

  // --- Report schedules and runs (schema version 3). ---

  // Stores a new schedule (its id set). AlreadyExists for a taken id.
  virtual absl::Status CreateSchedule(
      const natscope::v1::ReportSchedule& schedule);
  // Every schedule, by id.
  virtual absl::StatusOr<std::vector<natscope::v1::ReportSchedule>>
  ListSchedules();
  // Deletes a schedule (its runs stay); NotFound when none.
  virtual absl::Status DeleteSchedule(absl::string_view schedule_id);
  // scheduled_for of the newest scheduled (not on-demand) run of the
  // schedule, or InfinitePast when none.
  virtual absl::StatusOr<absl::Time> LastScheduledRun(
      absl::string_view schedule_id);
  // Claims a run: for trigger "schedule", returns false (and stores
  // nothing) when (schedule_id, scheduled_for) was claimed before, by any
  // server; on-demand runs are always new. The run starts RUNNING. Returns
  // the new run_id through `run_id`.
  virtual absl::StatusOr<bool> ClaimRun(absl::string_view schedule_id,
                                        absl::Time scheduled_for,
                                        bool on_demand,
                                        natscope::v1::ReportFormat format,
                                        absl::string_view claimed_by,
                                        absl::Time now, int64_t* run_id);
  // Records how run `run_id` ended: run.status, finished_at, content_path
  // and error, and the rendered content.
  virtual absl::Status FinishRun(int64_t run_id,
                                 const natscope::v1::ReportRun& run,
                                 absl::string_view content);
  // Runs of `schedule_id` (scheduled and on-demand; every run when empty;
  // "-": every on-demand run), newest first, at most `limit`, without
  // content.
  virtual absl::StatusOr<std::vector<StoredReportRun>> ListRuns(
      absl::string_view schedule_id, int limit);
  // One run with its content; NotFound when none.
  virtual absl::StatusOr<StoredReportRun> GetRun(int64_t run_id);
  // Marks runs still RUNNING that started before `before` as FAILED (their
  // server died): they are never re-run, so nothing is delivered twice.
  virtual absl::StatusOr<int> FailAbandonedRuns(absl::Time before,
                                                absl::Time now);
  // Report retention: deletes the runs, with their stored content, that
  // finished (are not RUNNING) and started before `cutoff`, except the
  // newest scheduled run of each schedule, which tells the scheduler the
  // last firing claimed (so that no firing is ever produced twice). Files
  // already written to output directories are left alone. Returns how
  // many runs were deleted.
  virtual absl::StatusOr<int64_t> DeleteRunsBefore(absl::Time cutoff);
};

// What Store::Ingest answers for a batch whose (epoch, sequence) was
// committed with other records.
inline absl::Status BatchConflictError(
    const natscope::v1::IngestRequest& batch) {
  return absl::AlreadyExistsError(absl::StrCat(
      "batch (epoch ", batch.epoch(), ", sequence ", batch.sequence(),
      ") was committed before with other records: this agent's state looks "
      "cloned or restored from a backup; send the records again under a new "
      "epoch, and give each host its own state directory"));
}

// Default bodies of the token methods: Unimplemented.
inline absl::Status StoreKeepsNoTokens() {
  return absl::UnimplementedError(
      "this store keeps no access tokens: run natscope-server on PostgreSQL");
}
inline absl::Status Store::CreateApiToken(const natscope::v1::ApiTokenInfo&,
                                          absl::string_view) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<natscope::v1::ApiTokenInfo> Store::ApiTokenByHash(
    absl::string_view) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<natscope::v1::ApiTokenInfo> Store::RevokeApiToken(
    absl::string_view, absl::Time) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<std::vector<natscope::v1::ApiTokenInfo>>
Store::ListApiTokens() {
  return StoreKeepsNoTokens();
}
inline absl::Status Store::CreateEnrollmentToken(
    const natscope::v1::EnrollmentTokenInfo&, absl::string_view) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<natscope::v1::EnrollmentTokenInfo>
Store::EnrollmentTokenByHash(absl::string_view) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<natscope::v1::EnrollmentTokenInfo>
Store::RevokeEnrollmentToken(absl::string_view, absl::Time) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<std::vector<natscope::v1::EnrollmentTokenInfo>>
Store::ListEnrollmentTokens(absl::string_view) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<natscope::v1::AgentIdentity> Store::AgentById(
    absl::string_view) {
  return StoreKeepsNoTokens();
}
inline absl::Status Store::EnrollAgent(const natscope::v1::AgentIdentity&,
                                       absl::string_view, absl::string_view,
                                       absl::string_view) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<natscope::v1::AgentIdentity> Store::ReleaseAgent(
    absl::string_view) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<natscope::v1::AgentIdentity> Store::RemoveAgent(
    absl::string_view) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<natscope::v1::EnrollmentTokenInfo>
Store::UseEnrollmentToken(absl::string_view) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<int64_t> Store::AuthGeneration() { return 0; }
// Default bodies of the schema-3 methods: Unimplemented (test fakes).
inline absl::Status StoreLacks(absl::string_view what) {
  return absl::UnimplementedError(
      absl::StrCat("this store keeps no ", what,
                   ": run natscope-server on PostgreSQL"));
}
inline absl::Status Store::EnsurePartitions(absl::Time, absl::Time) {
  return absl::OkStatus();
}
inline absl::StatusOr<RetentionResult> Store::ApplyRetention(absl::Time,
                                                             absl::Time) {
  return StoreLacks("history");
}
inline absl::Status Store::MarkSitesDirty(const std::vector<std::string>&,
                                          absl::Time) {
  return StoreLacks("site health");
}
inline absl::StatusOr<std::vector<std::string>> Store::ClaimDirtySites(int) {
  return StoreLacks("site health");
}
inline absl::Status Store::PutSiteHealth(
    const std::vector<natscope::v1::SiteSummary>&, absl::Time) {
  return StoreLacks("site health");
}
inline absl::StatusOr<std::map<std::string, AgentActivity>> Store::RecentActivity(
    absl::string_view, absl::Time) {
  return std::map<std::string, AgentActivity>();
}
inline absl::StatusOr<std::vector<natscope::v1::SiteSummary>>
Store::ListSiteHealth(bool) {
  return StoreLacks("site health");
}
inline absl::StatusOr<std::vector<natscope::v1::SiteSummary>>
Store::ListSiteHealthPage(bool by_name, const SiteCursor& after, int limit) {
  if (limit < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("ListSiteHealthPage limit must be at least 1, not ", limit));
  }
  absl::StatusOr<std::vector<natscope::v1::SiteSummary>> all = ListSiteHealth(by_name);
  if (!all.ok()) return all.status();
  std::vector<natscope::v1::SiteSummary> page;
  for (natscope::v1::SiteSummary& site : *all) {
    if (!after.site.empty()) {
      const bool past =
          by_name ? site.site() > after.site
                  : (site.severity_score() < after.severity_score ||
                     (site.severity_score() == after.severity_score &&
                      site.site() > after.site));
      if (!past) continue;
    }
    page.push_back(std::move(site));
    if (static_cast<int>(page.size()) == limit) break;
  }
  return page;
}
inline absl::StatusOr<std::vector<TrendSample>> Store::SiteTrend(
    absl::string_view, absl::Time, absl::Time, bool) {
  return StoreLacks("trends");
}
inline absl::Status Store::CreateSchedule(const natscope::v1::ReportSchedule&) {
  return StoreLacks("report schedules");
}
inline absl::StatusOr<std::vector<natscope::v1::ReportSchedule>>
Store::ListSchedules() {
  return StoreLacks("report schedules");
}
inline absl::Status Store::DeleteSchedule(absl::string_view) {
  return StoreLacks("report schedules");
}
inline absl::StatusOr<absl::Time> Store::LastScheduledRun(absl::string_view) {
  return StoreLacks("report runs");
}
inline absl::StatusOr<bool> Store::ClaimRun(absl::string_view, absl::Time,
                                            bool, natscope::v1::ReportFormat,
                                            absl::string_view, absl::Time,
                                            int64_t*) {
  return StoreLacks("report runs");
}
inline absl::Status Store::FinishRun(int64_t, const natscope::v1::ReportRun&,
                                     absl::string_view) {
  return StoreLacks("report runs");
}
inline absl::StatusOr<std::vector<StoredReportRun>> Store::ListRuns(
    absl::string_view, int) {
  return StoreLacks("report runs");
}
inline absl::StatusOr<StoredReportRun> Store::GetRun(int64_t) {
  return StoreLacks("report runs");
}
inline absl::StatusOr<int> Store::FailAbandonedRuns(absl::Time, absl::Time) {
  return StoreLacks("report runs");
}
inline absl::StatusOr<int64_t> Store::DeleteRunsBefore(absl::Time) {
  return StoreLacks("report runs");
}

inline absl::StatusOr<std::vector<natscope::v1::ProbeReport>>
Store::ProbeHistory(absl::string_view, int) {
  return absl::UnimplementedError("this store keeps no probe history");
}

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_STORE_H_
