#include "server/service/query_service.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/grpc_status.h"
#include "analyzer/site/agent_view.h"
#include "analyzer/site/site_health.h"
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

void AppendFindings(const v1::AgentState& agent,
                    google::protobuf::RepeatedPtrField<v1::AgentFinding>* out) {
  for (const v1::Finding& finding : agent.findings()) {
    v1::AgentFinding* entry = out->Add();
    entry->set_agent_id(agent.identity().agent_id());
    entry->set_site(agent.identity().site());
    entry->set_role(agent.identity().role());
    *entry->mutable_finding() = finding;
  }
}

void SortFindings(google::protobuf::RepeatedPtrField<v1::AgentFinding>* findings) {
  std::stable_sort(findings->begin(), findings->end(),
                   [](const v1::AgentFinding& a, const v1::AgentFinding& b) {
                     return std::make_tuple(-a.finding().severity(), a.site(),
                                            a.agent_id()) <
                            std::make_tuple(-b.finding().severity(), b.site(),
                                            b.agent_id());
                   });
}

}  // namespace

absl::StatusOr<v1::ListSitesResponse> QueryServiceCore::ListSites(
    const v1::ListSitesRequest& request, absl::Time now) {
  ASSIGN_OR_RETURN(std::vector<v1::SiteSummary> sites, store_->ListSites());
  // One query per site: fine for thousands of sites; a fleet larger than
  // that wants the analysis kept up to date at ingest instead.
  for (v1::SiteSummary& site : sites) {
    ASSIGN_OR_RETURN(std::vector<v1::AgentState> agents, AllAgents(site.site()));
    const v1::SiteHealthView view = Analyse(site.site(), agents, now);
    site.set_p2p_capable_share(view.p2p_capable_share());
    site.set_p2p_capable_clients(view.p2p_capable_clients());
    site.set_severity_score(view.severity_score());
    if (!view.findings().empty()) site.set_worst_finding(view.findings(0).code());
  }
  if (!request.sort_by_name()) {
    std::stable_sort(sites.begin(), sites.end(),
                     [](const v1::SiteSummary& a, const v1::SiteSummary& b) {
                       return a.severity_score() > b.severity_score();
                     });
  }
  v1::ListSitesResponse response;
  for (v1::SiteSummary& site : sites) *response.add_sites() = std::move(site);
  return response;
}

absl::StatusOr<std::vector<v1::AgentState>> QueryServiceCore::AllAgents(
    absl::string_view site) {
  std::vector<v1::AgentState> all;
  std::string after;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<v1::AgentState> page,
                     store_->ListAgents(site, after, kMaxPageSize));
    if (page.empty()) break;
    after = page.back().identity().agent_id();
    const bool last = page.size() < static_cast<size_t>(kMaxPageSize);
    for (v1::AgentState& agent : page) all.push_back(std::move(agent));
    if (last) break;
  }
  return all;
}

absl::StatusOr<v1::SiteHealth> QueryServiceCore::GetSiteHealth(
    const v1::GetSiteHealthRequest& request) {
  if (request.site().empty()) {
    return absl::InvalidArgumentError("site is empty: name the site to show");
  }
  ASSIGN_OR_RETURN(std::vector<v1::SiteSummary> sites, store_->ListSites());
  auto it = std::find_if(sites.begin(), sites.end(), [&](const v1::SiteSummary& s) {
    return s.site() == request.site();
  });
  if (it == sites.end()) {
    return absl::NotFoundError(absl::StrCat(
        "no site \"", request.site(), "\": no agent of that site has enrolled "
        "(natscope sites lists the known ones)"));
  }
  v1::SiteHealth health;
  *health.mutable_summary() = std::move(*it);
  ASSIGN_OR_RETURN(std::vector<v1::AgentState> agents, AllAgents(request.site()));
  for (const v1::AgentState& agent : agents) {
    AppendFindings(agent, health.mutable_findings());
  }
  SortFindings(health.mutable_findings());
  return health;
}

absl::StatusOr<v1::ListAgentsResponse> QueryServiceCore::ListAgents(
    const v1::ListAgentsRequest& request) {
  int page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  if (page_size < 0 || page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "page_size ", request.page_size(), " is out of range 1..", kMaxPageSize));
  }
  ASSIGN_OR_RETURN(std::string after, AfterFromToken(request.page_token()));
  // One extra row tells whether another page follows.
  ASSIGN_OR_RETURN(std::vector<v1::AgentState> agents,
                   store_->ListAgents(request.site(), after, page_size + 1));
  v1::ListAgentsResponse response;
  const bool more = agents.size() > static_cast<size_t>(page_size);
  if (more) agents.resize(page_size);
  for (v1::AgentState& agent : agents) *response.add_agents() = std::move(agent);
  if (more) {
    response.set_next_page_token(
        PageToken(response.agents(page_size - 1).identity().agent_id()));
  }
  return response;
}

absl::StatusOr<v1::ListFindingsResponse> QueryServiceCore::ListFindings(
    const v1::ListFindingsRequest& request) {
  ASSIGN_OR_RETURN(std::vector<v1::AgentState> agents, AllAgents(request.site()));
  v1::ListFindingsResponse response;
  for (const v1::AgentState& agent : agents) {
    AppendFindings(agent, response.mutable_findings());
  }
  SortFindings(response.mutable_findings());
  return response;
}

v1::SiteHealthView QueryServiceCore::Analyse(
    absl::string_view site, const std::vector<v1::AgentState>& agents,
    absl::Time now) {
  std::vector<v1::AgentView> views;
  for (const v1::AgentState& agent : agents) {
    // The store keeps the latest log-reported NAT type, not every event:
    // hand it to the analyzer as the one event it stands for.
    std::vector<v1::LogEvent> events;
    if (!agent.log_nat_type().empty()) {
      v1::LogEvent& event = events.emplace_back();
      event.set_kind("stun_nat_type");
      (*event.mutable_fields())["nat_type"] = agent.log_nat_type();
      *event.mutable_time() = agent.last_seen();
    }
    analyzer::AgentFacts facts;
    facts.identity = agent.identity();
    facts.latest_probe = agent.has_latest_probe() ? &agent.latest_probe() : nullptr;
    facts.events = events;
    facts.last_arrival = absl::FromUnixMicros(
        google::protobuf::util::TimeUtil::TimestampToMicroseconds(agent.last_seen()));
    views.push_back(analyzer::BuildAgentView(facts, now));
  }
  return analyzer::BuildSiteHealth(site, views);
}

absl::StatusOr<v1::SiteHealthView> QueryServiceCore::GetSiteAnalysis(
    const v1::GetSiteHealthRequest& request, absl::Time now) {
  ASSIGN_OR_RETURN(v1::SiteHealth health, GetSiteHealth(request));  // NotFound etc.
  ASSIGN_OR_RETURN(std::vector<v1::AgentState> agents, AllAgents(request.site()));
  return Analyse(request.site(), agents, now);
}

absl::StatusOr<v1::AgentHistory> QueryServiceCore::GetAgentHistory(
    const v1::GetAgentHistoryRequest& request) {
  if (request.agent_id().empty()) {
    return absl::InvalidArgumentError("agent_id is empty: name the agent to show");
  }
  const int limit = request.limit() == 0 ? 20 : request.limit();
  if (limit < 0 || limit > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit ", request.limit(), " is out of range 1..1000"));
  }
  auto identity = store_->AgentById(request.agent_id());
  if (absl::IsNotFound(identity.status())) {
    return absl::NotFoundError(absl::StrCat(
        "no agent \"", request.agent_id(),
        "\" (natscope agents SITE lists a site's agents)"));
  }
  if (!identity.ok()) return identity.status();
  ASSIGN_OR_RETURN(std::vector<v1::ProbeReport> probes,
                   store_->ProbeHistory(request.agent_id(), limit));
  v1::AgentHistory history;
  *history.mutable_identity() = *identity;
  for (v1::ProbeReport& probe : probes) *history.add_probes() = std::move(probe);
  return history;
}

namespace {
template <typename T>
grpc::Status Reply(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(result).value();
  return grpc::Status::OK;
}
}  // namespace

grpc::Status QueryServiceImpl::ListSites(grpc::ServerContext*,
                                         const v1::ListSitesRequest* request,
                                         v1::ListSitesResponse* response) {
  return Reply(core_->ListSites(*request), response);
}

grpc::Status QueryServiceImpl::GetSiteHealth(
    grpc::ServerContext*, const v1::GetSiteHealthRequest* request,
    v1::SiteHealth* response) {
  return Reply(core_->GetSiteHealth(*request), response);
}

grpc::Status QueryServiceImpl::ListAgents(grpc::ServerContext*,
                                          const v1::ListAgentsRequest* request,
                                          v1::ListAgentsResponse* response) {
  return Reply(core_->ListAgents(*request), response);
}

grpc::Status QueryServiceImpl::GetSiteAnalysis(
    grpc::ServerContext*, const v1::GetSiteHealthRequest* request,
    v1::SiteHealthView* response) {
  return Reply(core_->GetSiteAnalysis(*request, absl::Now()), response);
}

grpc::Status QueryServiceImpl::GetAgentHistory(
    grpc::ServerContext*, const v1::GetAgentHistoryRequest* request,
    v1::AgentHistory* response) {
  return Reply(core_->GetAgentHistory(*request), response);
}

grpc::Status QueryServiceImpl::ListFindings(
    grpc::ServerContext*, const v1::ListFindingsRequest* request,
    v1::ListFindingsResponse* response) {
  return Reply(core_->ListFindings(*request), response);
}

}  // namespace natscope::server
