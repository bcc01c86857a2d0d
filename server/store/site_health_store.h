// Each site's analysed health and its hourly trend, kept current by the
// refresher (server/analysis/site_refresher.h), and the set of sites waiting
// for a new analysis. Callers: the refresher (mark, claim, put), the
// QueryService and the report data (reads). Errors and thread safety: see
// agent_registry.h.
#ifndef NATSCOPE_SERVER_STORE_SITE_HEALTH_STORE_H_
#define NATSCOPE_SERVER_STORE_SITE_HEALTH_STORE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "natscope/v1/query.pb.h"

namespace natscope::server {

// One point of a site's (or the fleet's) trend.
struct TrendSample {
  absl::Time bucket;  // Start of the hour (or UTC day).
  int64_t clients = 0;
  int64_t p2p_clients = 0;
  int64_t connectors = 0;
  // Agents per finding code (SiteSummary.finding_counts), summed like the
  // counts above; a code no agent carried is absent.
  std::map<natscope::v1::FindingCode, int64_t> finding_agents;
};

// Where a page of ListSiteHealthPage starts: after this site in the
// listing's order. Empty site: from the start.
struct SiteCursor {
  int64_t severity_score = 0;  // Of that site (worst-first order only).
  std::string site;
};

class SiteHealthStore {
 public:
  virtual ~SiteHealthStore() = default;

  // Marks `sites` (every site with an agent when empty) as needing a new
  // analysis. FactStore::Ingest marks the agent's site itself.
  virtual absl::Status MarkSitesDirty(const std::vector<std::string>& sites,
                                      absl::Time now) = 0;
  // Takes up to `limit` marked sites off the dirty set (the oldest marks
  // first) and returns them, in no particular order. Sites another caller
  // is taking at the same moment are skipped, so that several servers
  // share the work.
  virtual absl::StatusOr<std::vector<std::string>> ClaimDirtySites(
      int limit) = 0;
  // How many sites are marked and not yet claimed: the refresher's work
  // waiting (natscope_site_refresh_sites_pending).
  virtual absl::StatusOr<int64_t> CountDirtySites() = 0;
  // Stores each summary as its site's health (severity_score, site and the
  // summary itself) and as the site's trend point for the hour of
  // `computed`, with its finding counts (replacing an earlier one in that
  // hour, findings included). A summary with no
  // clients and no connectors removes the site's health instead (its
  // agents are gone).
  virtual absl::Status PutSiteHealth(
      const std::vector<natscope::v1::SiteSummary>& summaries,
      absl::Time computed) = 0;
  // Every stored site health: worst first (severity_score, then name), or
  // by name.
  virtual absl::StatusOr<std::vector<natscope::v1::SiteSummary>>
  ListSiteHealth(bool by_name) = 0;
  // The same, up to `limit` sites after `after` (keyset paging: worst
  // first is severity_score descending then site; by name is site).
  // InvalidArgument when limit < 1.
  virtual absl::StatusOr<std::vector<natscope::v1::SiteSummary>>
  ListSiteHealthPage(bool by_name, const SiteCursor& after, int limit) = 0;
  // The trend of `site` (the fleet's sum when empty) from `from` to `to`:
  // one sample per hour, or per UTC day (the day's hourly samples
  // averaged, each count rounded half away from zero; a finding absent
  // from an hour counts 0 in its day's mean), oldest first. Trend points
  // stored before schema version 7 have no finding counts.
  virtual absl::StatusOr<std::vector<TrendSample>> SiteTrend(
      absl::string_view site, absl::Time from, absl::Time to, bool daily) = 0;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_SITE_HEALTH_STORE_H_
