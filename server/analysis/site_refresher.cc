#include "server/analysis/site_refresher.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "server/analysis/site_analysis.h"

namespace natscope::server {
namespace {

metrics::CounterFamily& SitesCounter() {
  static metrics::CounterFamily& sites = metrics::DefaultRegistry().Counter(
      "natscope_site_refresh_sites_total",
      "Sites re-analysed by the refresher, by result (stored, failed).",
      {"result"});
  return sites;
}

}  // namespace

SiteRefresher::SiteRefresher(SiteHealthStore* health, FactStore* facts,
                             const Clock* clock,
                             SiteRefresherOptions options)
    : health_(health), facts_(facts), clock_(clock), options_(options) {}

SiteRefresher::~SiteRefresher() { Stop(); }

absl::StatusOr<int> SiteRefresher::RefreshDirty() {
  int stored = 0;
  while (!stopping_.load()) {
    ASSIGN_OR_RETURN(std::vector<std::string> sites,
                     health_->ClaimDirtySites(options_.batch));
    if (sites.empty()) {
      drained_at_ns_ = absl::ToUnixNanos(clock_->Now());
      return stored;
    }
    const absl::Time now = clock_->Now();
    std::vector<v1::SiteSummary> summaries;
    summaries.reserve(sites.size());
    std::vector<std::string> failed;
    absl::Status first_error;
    // One site's failure must not hold back the others claimed with it.
    for (const std::string& site : sites) {
      auto facts = LoadSiteFacts(
          *facts_, site, now,
          SiteFactsOptions{options_.aws_ranges, options_.forget_after});
      if (!facts.ok()) {
        failed.push_back(site);
        if (first_error.ok()) first_error = facts.status();
        continue;
      }
      v1::SiteSummary& summary =
          summaries.emplace_back(AnalyseAndSummarize(site, *facts, now));
      *summary.mutable_computed_at() = ToProtoTime(now);
    }
    absl::Status put = health_->PutSiteHealth(summaries, now);
    if (!put.ok()) {
      // Claimed sites must not be forgotten: mark them again (best effort;
      // the sweep catches them otherwise).
      health_->MarkSitesDirty(sites, now).IgnoreError();
      return put;
    }
    stored += static_cast<int>(summaries.size());
    SitesCounter().With({"stored"}).Increment(summaries.size());
    if (!failed.empty()) {
      SitesCounter().With({"failed"}).Increment(failed.size());
      // Behind the others, so that a site that keeps failing is retried
      // without starving the rest.
      health_->MarkSitesDirty(failed, now + options_.retry_failed_after).IgnoreError();
      return first_error;
    }
    if (sites.size() < static_cast<size_t>(options_.batch)) {
      drained_at_ns_ = absl::ToUnixNanos(now);
      return stored;
    }
  }
  return stored;  // Stopping: the marks left are another server's, or the next start's.
}

absl::Duration SiteRefresher::RefreshTick() {
  const absl::Time start = clock_->Now();
  absl::StatusOr<int> stored = RefreshDirty();
  // What is left for the next tick (sites marked meanwhile, or by other
  // servers): one count of a small table a tick.
  static metrics::GaugeFamily& pending = metrics::DefaultRegistry().Gauge(
      "natscope_site_refresh_sites_pending",
      "Sites marked for a new analysis and not yet taken by a refresher, "
      "as of this server's last refresh.");
  if (absl::StatusOr<int64_t> count = health_->CountDirtySites(); count.ok()) {
    pending.With({}).Set(static_cast<double>(*count));
  }
  if (!stored.ok()) {
    LogEvent(LogLevel::kWarning, "site health refresh failed; retrying",
             {{"error", std::string(stored.status().message())}});
  } else if (*stored > 0) {
    LogEvent(LogLevel::kInfo, "site health refreshed",
             {{"sites", absl::StrCat(*stored)},
              {"ms", absl::StrCat(absl::ToInt64Milliseconds(clock_->Now() - start))}});
  }
  return absl::ZeroDuration();
}

absl::Duration SiteRefresher::SweepTick() {
  // Marked a little in the future, so that sites whose agents just sent
  // something (marked now) are refreshed before the sweep's 10,000.
  absl::Status marked = health_->MarkSitesDirty({}, clock_->Now() + absl::Minutes(1));
  if (!marked.ok()) {
    LogEvent(LogLevel::kWarning, "site health sweep failed; retrying in a minute",
             {{"error", std::string(marked.message())}});
    return absl::Minutes(1);
  }
  if (refresh_) refresh_->Poke();
  return absl::ZeroDuration();
}

void SiteRefresher::Start() {
  drained_at_ns_ = absl::ToUnixNanos(clock_->Now());
  lag_metric_ = metrics::DefaultRegistry().AddGauge(
      "natscope_site_refresh_lag_seconds",
      "Seconds since the site refresher last found no site waiting for a "
      "new analysis (about its interval when it keeps up).",
      [this] {
        return absl::ToDoubleSeconds(clock_->Now() -
                                     absl::FromUnixNanos(drained_at_ns_));
      });
  refresh_ = std::make_unique<Periodic>(
      "site-refresh", options_.interval, options_.interval,
      [this] { return RefreshTick(); });
  sweep_ = std::make_unique<Periodic>("site-sweep", absl::ZeroDuration(),
                                      options_.sweep_interval,
                                      [this] { return SweepTick(); });
}

void SiteRefresher::Stop() {
  lag_metric_.Reset();
  stopping_ = true;
  if (sweep_) sweep_->Stop();
  if (refresh_) refresh_->Stop();
}

}  // namespace natscope::server
