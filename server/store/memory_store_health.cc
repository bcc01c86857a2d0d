// MemoryStore's partitions, retention, dirty marks, site health and
// trends; the SQL it mirrors is in pg_partitions.cc and pg_site_health.cc.
#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/store/memory_store.h"
#include "server/store/pg_encoding.h"

namespace natscope::server {
namespace {

using natscope::v1::SiteSummary;

// PostgreSQL's round(avg(x)) of integers: avg is numeric, and round()
// takes halves away from zero.
int64_t RoundedMean(int64_t sum, int64_t count) {
  const int64_t magnitude = (2 * (sum < 0 ? -sum : sum) + count) / (2 * count);
  return sum < 0 ? -magnitude : magnitude;
}

// The summary's finding counts, each code once (as FindingArrays in
// pg_site_health.cc).
std::map<natscope::v1::FindingCode, int64_t> FindingAgents(
    const SiteSummary& summary) {
  std::map<natscope::v1::FindingCode, int64_t> agents;
  for (const natscope::v1::FindingCount& count : summary.finding_counts()) {
    if (count.code() != natscope::v1::FINDING_UNSPECIFIED && count.agents() > 0) {
      agents[count.code()] += count.agents();
    }
  }
  return agents;
}

absl::Status NegativeLimit(absl::string_view method, int limit) {
  return absl::InvalidArgumentError(
      absl::StrCat(method, " limit must not be negative, not ", limit));
}

}  // namespace

void MemoryStore::AddPartitions(absl::Time from, absl::Time to) {
  // Clamped first: an infinite bound would never be reached a day at a time.
  const absl::Time first = StartOfUtcDay(StoredTime(from));
  const absl::Time last = StartOfUtcDay(StoredTime(to));
  for (absl::Time day = first; day <= last; day += absl::Hours(24)) {
    partition_days_.insert(day);
  }
  partitions_until_ = std::max(partitions_until_, last + absl::Hours(24));
}

absl::Status MemoryStore::EnsurePartitions(absl::Time from, absl::Time to) {
  absl::MutexLock lock(&mu_);
  AddPartitions(from, to);
  return absl::OkStatus();
}

absl::StatusOr<RetentionResult> MemoryStore::ApplyRetention(
    absl::Time cutoff, absl::Time trend_cutoff) {
  RetentionResult result;
  // A day's facts go with its partition, once the whole day is older
  // than `cutoff`; its ledger rows go with it.
  const auto expired = [cutoff](absl::Time received) {
    return StartOfUtcDay(received) + absl::Hours(24) <= cutoff;
  };
  const absl::Time ledger_cutoff = StoredTime(StartOfUtcDay(cutoff));
  const absl::Time trend_before = StoredTime(trend_cutoff);
  absl::MutexLock lock(&mu_);
  while (!partition_days_.empty() && expired(*partition_days_.begin())) {
    partition_days_.erase(partition_days_.begin());
    result.partitions_dropped += 2;  // log_events and probe_reports.
  }
  for (auto& [agent_id, history] : history_) {
    std::vector<LogRow>& logs = history.logs;
    logs.erase(std::remove_if(
                   logs.begin(), logs.end(),
                   [&](const LogRow& row) { return expired(row.received); }),
               logs.end());
    std::vector<ProbeRow>& probes = history.probes;
    probes.erase(std::remove_if(probes.begin(), probes.end(),
                                [&](const ProbeRow& row) {
                                  return expired(row.received);
                                }),
                 probes.end());
  }
  for (auto row = ledger_.begin(); row != ledger_.end();) {
    if (row->second.received < ledger_cutoff) {
      row = ledger_.erase(row);
      ++result.ledger_rows_deleted;
    } else {
      ++row;
    }
  }
  // Intake's ledger goes with the facts, as the batches' ledger does.
  for (auto row = intake_seen_.begin(); row != intake_seen_.end();) {
    if (row->second.received < ledger_cutoff) {
      row = intake_seen_.erase(row);
      ++result.ledger_rows_deleted;
    } else {
      ++row;
    }
  }
  for (auto& [key, hours] : activity_) {
    hours.erase(hours.begin(), hours.lower_bound(ledger_cutoff));
  }
  for (auto point = trend_.begin(); point != trend_.end();) {
    if (point->first.second < trend_before) {
      point = trend_.erase(point);
      ++result.trend_rows_deleted;
    } else {
      ++point;
    }
  }
  return result;
}

absl::Status MemoryStore::MarkSitesDirty(const std::vector<std::string>& sites,
                                         absl::Time now) {
  const absl::Time since = StoredTime(now);
  absl::MutexLock lock(&mu_);
  if (sites.empty()) {
    for (const auto& [agent_id, agent] : agents_) {
      MarkDirty(agent.identity.site(), since);
    }
  }
  for (const std::string& site : sites) MarkDirty(site, since);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> MemoryStore::ClaimDirtySites(
    int limit) {
  if (limit < 0) return NegativeLimit("ClaimDirtySites", limit);
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<absl::Time, std::string>> marks;
  for (const auto& [site, since] : dirty_) marks.emplace_back(since, site);
  std::sort(marks.begin(), marks.end());  // Oldest mark first, then site.
  if (marks.size() > static_cast<size_t>(limit)) marks.resize(limit);
  std::vector<std::string> sites;
  for (auto& [since, site] : marks) {
    dirty_.erase(site);
    sites.push_back(std::move(site));
  }
  return sites;
}

absl::StatusOr<int64_t> MemoryStore::CountDirtySites() {
  absl::MutexLock lock(&mu_);
  return static_cast<int64_t>(dirty_.size());
}

absl::StatusOr<std::map<std::string, analyzer::AgentActivity>>
MemoryStore::RecentActivity(absl::string_view site, absl::Time since) {
  // Counted per hour at ingest, as PostgresStore reads agent_activity;
  // sdwan_state: the newest of any age, from the latest state.
  const absl::Time first = StoredTime(StartOfUtcHour(since));
  absl::MutexLock lock(&mu_);
  std::map<std::string, analyzer::AgentActivity> activity;
  for (const auto& [key, hours] : activity_) {
    if (key.first != site) continue;
    analyzer::AgentActivity sum;
    for (auto hour = hours.lower_bound(first); hour != hours.end(); ++hour) {
      sum.direct += hour->second.direct;
      sum.relayed += hour->second.relayed;
      sum.relay_unavailable += hour->second.relay_unavailable;
      sum.relay_listener_errors += hour->second.relay_listener_errors;
      sum.last_tunnel = std::max(sum.last_tunnel, hour->second.last_tunnel);
    }
    if (sum.direct + sum.relayed + sum.relay_unavailable +
            sum.relay_listener_errors >
        0) {
      activity[key.second] = sum;
    }
  }
  for (const auto& [agent_id, state] : states_) {
    if (state.site != site || !state.sdwan_state.has_value()) continue;
    analyzer::AgentActivity& agent = activity[agent_id];
    agent.sdwan_state = *state.sdwan_state;
    agent.sdwan_state_time = state.sdwan_time;
  }
  return activity;
}

absl::Status MemoryStore::PutSiteHealth(
    const std::vector<SiteSummary>& summaries, absl::Time computed) {
  const absl::Time at = StoredTime(computed);
  const absl::Time bucket = StoredTime(StartOfUtcHour(computed));
  absl::MutexLock lock(&mu_);
  for (const SiteSummary& summary : summaries) {
    if (summary.clients() == 0 && summary.connectors() == 0) {
      health_.erase(summary.site());
      continue;
    }
    // A slower refresher must not overwrite a newer analysis.
    auto [health, new_site] = health_.try_emplace(summary.site());
    if (new_site || health->second.computed <= at) {
      health->second = HealthRow{summary, at};
    }
    auto [point, new_point] = trend_.try_emplace({summary.site(), bucket});
    if (new_point || point->second.computed <= at) {
      point->second = TrendRow{summary.clients(), summary.p2p_capable_clients(),
                               summary.connectors(), at, FindingAgents(summary)};
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SiteSummary>> MemoryStore::ListSiteHealth(
    bool by_name) {
  absl::MutexLock lock(&mu_);
  std::vector<SiteSummary> sites;
  sites.reserve(health_.size());
  for (const auto& [site, row] : health_) sites.push_back(row.summary);
  if (!by_name) {
    // Worst first; the map's order breaks ties by name.
    std::stable_sort(sites.begin(), sites.end(),
                     [](const SiteSummary& a, const SiteSummary& b) {
                       return a.severity_score() > b.severity_score();
                     });
  }
  return sites;
}

absl::StatusOr<std::vector<SiteSummary>> MemoryStore::ListSiteHealthPage(
    bool by_name, const SiteCursor& after, int limit) {
  if (limit < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ListSiteHealthPage limit must be at least 1, not ", limit));
  }
  absl::StatusOr<std::vector<SiteSummary>> all = ListSiteHealth(by_name);
  if (!all.ok()) return all.status();
  // Keyset paging over the listing's order, as PostgresStore pages in SQL.
  const auto past = [&](const SiteSummary& site) {
    if (after.site.empty()) return true;
    if (by_name) return site.site() > after.site;
    return site.severity_score() < after.severity_score ||
           (site.severity_score() == after.severity_score &&
            site.site() > after.site);
  };
  std::vector<SiteSummary> page;
  for (SiteSummary& site : *all) {
    if (static_cast<int>(page.size()) == limit) break;
    if (past(site)) page.push_back(std::move(site));
  }
  return page;
}

absl::StatusOr<std::vector<TrendSample>> MemoryStore::SiteTrend(
    absl::string_view site, absl::Time from, absl::Time to, bool daily) {
  const absl::Time first = StoredTime(from);
  const absl::Time last = StoredTime(to);
  std::map<absl::Time, TrendSample> hours;  // The sites' sum per hour.
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [key, row] : trend_) {
      const auto& [point_site, bucket] = key;
      if (!site.empty() && point_site != site) continue;
      if (bucket < first || bucket > last) continue;
      TrendSample& sample = hours[bucket];
      sample.bucket = bucket;
      sample.clients += row.clients;
      sample.p2p_clients += row.p2p_clients;
      sample.connectors += row.connectors;
      for (const auto& [code, agents] : row.finding_agents) {
        sample.finding_agents[code] += agents;
      }
    }
  }
  std::vector<TrendSample> samples;
  if (!daily) {
    for (const auto& [bucket, sample] : hours) samples.push_back(sample);
    return samples;
  }
  struct Day {
    TrendSample sum;
    int64_t hours = 0;
  };
  std::map<absl::Time, Day> days;
  for (const auto& [bucket, sample] : hours) {
    Day& day = days[StartOfUtcDay(bucket)];
    day.sum.clients += sample.clients;
    day.sum.p2p_clients += sample.p2p_clients;
    day.sum.connectors += sample.connectors;
    for (const auto& [code, agents] : sample.finding_agents) {
      day.sum.finding_agents[code] += agents;
    }
    ++day.hours;
  }
  for (const auto& [start, day] : days) {
    TrendSample& sample = samples.emplace_back();
    sample.bucket = start;
    sample.clients = RoundedMean(day.sum.clients, day.hours);
    sample.p2p_clients = RoundedMean(day.sum.p2p_clients, day.hours);
    sample.connectors = RoundedMean(day.sum.connectors, day.hours);
    // An hour without the code counts 0; a mean rounded to 0 is left out.
    for (const auto& [code, agents] : day.sum.finding_agents) {
      const int64_t mean = RoundedMean(agents, day.hours);
      if (mean > 0) sample.finding_agents[code] = mean;
    }
  }
  return samples;
}

}  // namespace natscope::server
