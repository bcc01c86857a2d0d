#include "server/service/query_service.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/grpc_status.h"
#include "common/proto_time.h"
#include "analyzer/site/site_findings.h"
#include "analyzer/site/probe_verdicts.h"
#include "server/analysis/agent_analysis.h"
#include "server/analysis/agent_health.h"
#include "server/analysis/recent_activity.h"
#include "server/analysis/site_analysis.h"
#include "server/reports/report_data.h"
#include "server/service/query_findings.h"
#include "common/status_macros.h"
#include "google/protobuf/util/time_util.h"

namespace natscope::server {
namespace {


constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
constexpr absl::string_view kTokenPrefix = "after:";

std::string PageToken(absl::string_view last_agent_id) {
  return absl::WebSafeBase64Escape(absl::StrCat(kTokenPrefix, last_agent_id));
}

absl::StatusOr<std::string> AfterFromToken(absl::string_view token) {
  if (token.empty()) return std::string();
  std::string decoded;
  absl::string_view rest;
  if (absl::WebSafeBase64Unescape(token, &decoded)) {
    rest = decoded;
    if (absl::ConsumePrefix(&rest, kTokenPrefix)) return std::string(rest);
  }
  return absl::InvalidArgumentError(
      "page_token is not one this server issued: pass next_page_token of the "
      "previous page unchanged, or leave it empty for the first page");
}

// Site page tokens: "name:<site>" or "worst:<severity>:<site>", web-safe
// base64. The sort is part of the token: a token of one sort is refused by
// the other.
std::string SiteToken(bool by_name, int64_t severity, const std::string& site) {
  return absl::WebSafeBase64Escape(
      by_name ? absl::StrCat("name:", site) : absl::StrCat("worst:", severity, ":", site));
}

absl::StatusOr<SiteCursor> SiteCursorFromToken(absl::string_view token, bool by_name) {
  SiteCursor cursor;
  if (token.empty()) return cursor;
  std::string decoded;
  if (absl::WebSafeBase64Unescape(token, &decoded)) {
    absl::string_view rest = decoded;
    if (by_name && absl::ConsumePrefix(&rest, "name:") && !rest.empty()) {
      cursor.site = std::string(rest);
      return cursor;
    }
    if (!by_name && absl::ConsumePrefix(&rest, "worst:")) {
      const size_t colon = rest.find(':');
      if (colon != absl::string_view::npos && colon + 1 < rest.size() &&
          absl::SimpleAtoi(rest.substr(0, colon), &cursor.severity_score)) {
        cursor.site = std::string(rest.substr(colon + 1));
        return cursor;
      }
    }
  }
  return absl::InvalidArgumentError(
      "page_token is not one this server issued for this sort: pass "
      "next_page_token of the previous page unchanged, with the same "
      "sort_by_name, or leave it empty for the first page");
}

absl::Status NoSuchAgent(absl::string_view agent_id) {
  return absl::NotFoundError(absl::StrCat(
      "no agent \"", agent_id, "\" (natscope agents SITE lists a site's agents)"));
}

}  // namespace

absl::StatusOr<v1::ListSitesResponse> QueryServiceCore::ListSites(
    const v1::ListSitesRequest& request, absl::Time) {
  // One stored row per site, kept current by the SiteRefresher.
  v1::ListSitesResponse response;
  const bool by_name = request.sort_by_name();
  if (request.page_size() == 0 && request.page_token().empty()) {
    ASSIGN_OR_RETURN(std::vector<v1::SiteSummary> sites, health_->ListSiteHealth(by_name));
    response.mutable_sites()->Reserve(static_cast<int>(sites.size()));
    for (v1::SiteSummary& site : sites) *response.add_sites() = std::move(site);
    return response;
  }
  constexpr int kMaxSitesPage = 10000;
  const int page_size = request.page_size() == 0 ? kMaxSitesPage : request.page_size();
  if (page_size < 1 || page_size > kMaxSitesPage) {
    return absl::InvalidArgumentError(absl::StrCat(
        "page_size ", request.page_size(), " is out of range 1..", kMaxSitesPage,
        " (0 for every site at once)"));
  }
  ASSIGN_OR_RETURN(SiteCursor after, SiteCursorFromToken(request.page_token(), by_name));
  ASSIGN_OR_RETURN(std::vector<v1::SiteSummary> sites,
                   health_->ListSiteHealthPage(by_name, after, page_size + 1));
  const bool more = sites.size() > static_cast<size_t>(page_size);
  if (more) sites.resize(page_size);
  for (v1::SiteSummary& site : sites) *response.add_sites() = std::move(site);
  if (more) {
    const v1::SiteSummary& last = response.sites(page_size - 1);
    response.set_next_page_token(SiteToken(by_name, last.severity_score(), last.site()));
  }
  return response;
}

absl::StatusOr<SiteFacts> QueryServiceCore::SiteFactsOf(
    absl::string_view site, absl::Time now, const AwsRangesSnapshot& aws_ranges) {
  if (site.empty()) {
    return absl::InvalidArgumentError("site is empty: name the site to show");
  }
  ASSIGN_OR_RETURN(SiteFacts facts,
                   LoadSiteFacts(*facts_, site, now,
                                 SiteFactsOptions{FixedAwsRanges(aws_ranges),
                                                  forget_after_}));
  if (facts.agents.empty() && facts.forgotten > 0) {
    return absl::NotFoundError(absl::StrCat(
        "every agent of site "", site, "" has been silent for longer than "
        "the server's --forget_after (", absl::FormatDuration(forget_after_),
        "): natscope agents ", site, " --all lists them"));
  }
  if (facts.agents.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "no site \"", site, "\": no agent of that site has enrolled "
        "(natscope sites lists the known ones)"));
  }
  return facts;
}

absl::StatusOr<v1::SiteHealth> QueryServiceCore::GetSiteHealth(
    const v1::GetSiteHealthRequest& request, absl::Time now) {
  // Live: one site's agents are few, and the answer then reflects the
  // very latest ingest.
  ASSIGN_OR_RETURN(SiteFacts facts,
                   SiteFactsOf(request.site(), now, SnapshotOf(aws_ranges_)));
  v1::SiteHealth health;
  *health.mutable_summary() = AnalyseAndSummarize(request.site(), facts, now);
  *health.mutable_summary()->mutable_computed_at() = ToProtoTime(now);
  // Each agent's findings as the analysis uses them (the log's too, each
  // with its source).
  const std::vector<v1::AgentView> views = AgentViewsOf(facts, now);
  for (size_t i = 0; i < facts.agents.size(); ++i) {
    AppendFindings(facts.agents[i], views[i].findings(),
                   health.mutable_findings());
  }
  SortFindings(health.mutable_findings());
  return health;
}

bool QueryServiceCore::Matches(const v1::ListAgentsRequest& request,
                               const v1::AgentState& agent) {
  if (request.role() != v1::ROLE_UNSPECIFIED &&
      agent.identity().role() != request.role()) {
    return false;
  }
  if (!request.nat_type().empty() &&
      agent.reported_nat_type() != request.nat_type()) {
    return false;
  }
  return !request.unhealthy_only() || !agent.health().healthy();
}

absl::StatusOr<v1::ListAgentsResponse> QueryServiceCore::ListAgents(
    const v1::ListAgentsRequest& request, absl::Time now) {
  int page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  if (page_size < 0 || page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "page_size ", request.page_size(), " is out of range 1..", kMaxPageSize));
  }
  ASSIGN_OR_RETURN(std::string after, AfterFromToken(request.page_token()));
  v1::ListAgentsResponse response;
  const bool forgets = !request.include_forgotten() &&
                       forget_after_ != absl::InfiniteDuration();
  const bool filtered = request.role() != v1::ROLE_UNSPECIFIED ||
                        !request.nat_type().empty() ||
                        request.finding() != v1::FINDING_UNSPECIFIED ||
                        request.unhealthy_only() || forgets;
  // Unfiltered: one extra row tells whether another page follows.
  // Filtered: scan store pages until the page is full, but at most
  // kMaxScan agents per call (the token then resumes the scan).
  const int fetch = filtered ? kMaxPageSize : page_size + 1;
  constexpr int kMaxScan = 10 * kMaxPageSize;
  std::string cursor = after;  // The last agent looked at.
  const AwsRangesSnapshot aws_ranges = SnapshotOf(aws_ranges_);
  int scanned = 0;
  std::map<std::string, std::set<std::string>> affected_by_site;
  RecentActivityCache activity(facts_, now);
  while (true) {
    ASSIGN_OR_RETURN(std::vector<v1::AgentState> agents,
                     facts_->ListAgents(request.site(), cursor, fetch));
    for (v1::AgentState& agent : agents) {
      if (response.agents_size() == page_size) {  // Full, and more follow.
        response.set_next_page_token(PageToken(cursor));
        return response;
      }
      cursor = agent.identity().agent_id();
      ++scanned;
      if (forgets && IsForgotten(agent, now, forget_after_)) continue;
      ASSIGN_OR_RETURN(const analyzer::AgentActivity* recent,
                       activity.Of(agent.identity()));
      DescribeAgent(&agent, aws_ranges.get(), now, recent);
      JudgeAgentHealth(&agent, now);
      if (!Matches(request, agent)) continue;
      if (request.finding() != v1::FINDING_UNSPECIFIED) {
        ASSIGN_OR_RETURN(bool has, HasFinding(agent, request.finding(), now,
                                              aws_ranges, &affected_by_site));
        if (!has) continue;
      }
      *response.add_agents() = std::move(agent);
    }
    if (agents.size() < static_cast<size_t>(fetch)) return response;
    if (scanned >= kMaxScan) {
      response.set_next_page_token(PageToken(cursor));
      return response;
    }
  }
}

absl::StatusOr<v1::SiteHealthView> QueryServiceCore::GetSiteAnalysis(
    const v1::GetSiteHealthRequest& request, absl::Time now) {
  ASSIGN_OR_RETURN(SiteFacts facts,
                   SiteFactsOf(request.site(), now, SnapshotOf(aws_ranges_)));
  return AnalyseSite(request.site(), facts, now);
}

absl::StatusOr<v1::Trend> QueryServiceCore::GetTrend(
    const v1::GetTrendRequest& request, absl::Time now) {
  const bool daily = request.granularity() == v1::TREND_GRANULARITY_DAILY;
  const absl::Time to = request.has_to() ? FromProtoTime(request.to()) : now;
  const absl::Time from = request.has_from()
                              ? FromProtoTime(request.from())
                              : to - (daily ? absl::Hours(24 * 90) : absl::Hours(24 * 7));
  if (from > to) {
    return absl::InvalidArgumentError(
        "from is after to: give a window that starts before it ends");
  }
  ASSIGN_OR_RETURN(std::vector<TrendSample> samples,
                   health_->SiteTrend(request.site(), from, to, daily));
  if (samples.empty() && !request.site().empty()) {
    ASSIGN_OR_RETURN(std::vector<v1::AgentState> agents,
                     facts_->ListAgents(request.site(), "", 1));
    if (agents.empty()) {
      return absl::NotFoundError(absl::StrCat(
          "no site \"", request.site(), "\" (natscope sites lists the known ones)"));
    }
  }
  v1::Trend trend;
  trend.set_site(request.site());
  trend.set_granularity(daily ? v1::TREND_GRANULARITY_DAILY
                              : v1::TREND_GRANULARITY_HOURLY);
  for (const TrendSample& sample : samples) *trend.add_points() = TrendPointOf(sample);
  for (v1::FindingTrend& series : FindingTrendsOf(samples)) {
    *trend.add_findings() = std::move(series);
  }
  return trend;
}

absl::StatusOr<v1::AgentIdentity> QueryServiceCore::IdentityOf(
    const std::string& agent_id) {
  if (agent_id.empty()) {
    return absl::InvalidArgumentError("agent_id is empty: name the agent to show");
  }
  absl::StatusOr<v1::AgentIdentity> identity = agents_->AgentById(agent_id);
  if (absl::IsNotFound(identity.status())) return NoSuchAgent(agent_id);
  return identity;
}

absl::StatusOr<v1::AgentState> QueryServiceCore::GetAgent(
    const v1::GetAgentRequest& request, absl::Time now) {
  ASSIGN_OR_RETURN(v1::AgentIdentity identity, IdentityOf(request.agent_id()));
  absl::StatusOr<v1::AgentState> agent = OneAgentOf(*facts_, identity);
  // Removed since AgentById.
  if (absl::IsNotFound(agent.status())) return NoSuchAgent(request.agent_id());
  if (!agent.ok()) return agent.status();
  RecentActivityCache activity(facts_, now);
  ASSIGN_OR_RETURN(const analyzer::AgentActivity* recent,
                   activity.Of(agent->identity()));
  DescribeAgent(&*agent, SnapshotOf(aws_ranges_).get(), now, recent);
  JudgeAgentHealth(&*agent, now);
  return agent;
}

absl::StatusOr<v1::AgentHistory> QueryServiceCore::GetAgentHistory(
    const v1::GetAgentHistoryRequest& request) {
  const int limit = request.limit() == 0 ? 20 : request.limit();
  if (limit < 0 || limit > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit ", request.limit(), " is out of range 1..1000"));
  }
  ASSIGN_OR_RETURN(v1::AgentIdentity identity, IdentityOf(request.agent_id()));
  ASSIGN_OR_RETURN(std::vector<v1::ProbeReport> probes,
                   facts_->ProbeHistory(request.agent_id(), limit));
  v1::AgentHistory history;
  *history.mutable_identity() = identity;
  // Each with the server's verdicts, as everywhere else.
  const AwsRangesSnapshot aws_ranges = SnapshotOf(aws_ranges_);
  for (const v1::ProbeReport& probe : probes) {
    *history.add_probes() = analyzer::Reclassify(probe, aws_ranges.get());
  }
  return history;
}

}  // namespace natscope::server
