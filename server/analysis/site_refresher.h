// Keeps every site's stored health (SiteHealthStore::PutSiteHealth) current, so that
// listing sites reads one row per site instead of analysing every agent.
//
// A site is re-analysed when it is marked dirty: by every ingest of one of
// its agents and every enrollment (the Store does that), and by a sweep
// that marks every site, because time alone changes a site's health
// (agents turn stale, silent, then forgotten) and because the sweep leaves
// one trend point per site and hour. Several servers may refresh at once: each claims
// different sites (Store::ClaimDirtySites).
#ifndef NATSCOPE_SERVER_ANALYSIS_SITE_REFRESHER_H_
#define NATSCOPE_SERVER_ANALYSIS_SITE_REFRESHER_H_

#include <atomic>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/metrics/metrics.h"
#include "common/periodic.h"
#include "server/analysis/aws_ranges_provider.h"
#include "server/store/fact_store.h"
#include "server/store/site_health_store.h"

namespace natscope::server {

struct SiteRefresherOptions {
  // The server's current AWS ranges, for re-deciding stored probes (empty:
  // no AWS detection); asked once per site analysed. What it reads must
  // outlive the refresher.
  AwsRangesProvider aws_ranges;
  // Agents silent for longer leave the summaries (SiteFactsOptions,
  // --forget_after); the sweep notices an agent turning forgotten.
  absl::Duration forget_after = absl::InfiniteDuration();
  // How often dirty sites are looked for.
  absl::Duration interval = absl::Seconds(2);
  // How often every site is marked dirty. At most an hour, or the trend
  // has gaps.
  absl::Duration sweep_interval = absl::Minutes(15);
  // Sites claimed (and written back) at a time.
  int batch = 200;
  // A site whose analysis failed is marked again this far in the future
  // (behind the others).
  absl::Duration retry_failed_after = absl::Minutes(1);
};

class SiteRefresher {
 public:
  // Not owned; all must outlive this object.
  SiteRefresher(SiteHealthStore* health, FactStore* facts, const Clock* clock,
                SiteRefresherOptions options = {});
  ~SiteRefresher();

  // Analyses and stores every site marked dirty, until none is left (or
  // only sites other servers are taking, or Stop() was called: it returns
  // after the batch in hand). Returns how many it stored; the first error
  // when a site could not be analysed (the others are stored, the site is
  // marked again to be retried after retry_failed_after).
  absl::StatusOr<int> RefreshDirty();

  // Starts the background loops (refresh every interval, sweep every
  // sweep_interval, the first sweep at once).
  void Start();
  // Stops them, waiting for a refresh in progress.
  void Stop();

 private:
  absl::Duration RefreshTick();
  absl::Duration SweepTick();

  SiteHealthStore* health_;
  FactStore* facts_;
  const Clock* clock_;
  std::atomic<bool> stopping_{false};
  const SiteRefresherOptions options_;
  std::unique_ptr<Periodic> refresh_;
  std::unique_ptr<Periodic> sweep_;
  // When the dirty set was last seen empty (Unix ns), for
  // natscope_site_refresh_lag_seconds, registered while started.
  std::atomic<int64_t> drained_at_ns_{0};
  metrics::CallbackHandle lag_metric_;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_ANALYSIS_SITE_REFRESHER_H_
