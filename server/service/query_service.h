// QueryService: what the dashboard backend and the natscope CLI ask.
// Thread-safe (the stores are).
#ifndef NATSCOPE_SERVER_SERVICE_QUERY_SERVICE_H_
#define NATSCOPE_SERVER_SERVICE_QUERY_SERVICE_H_

#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "natscope/v1/query.grpc.pb.h"
#include "server/auth/authenticator.h"
#include "server/analysis/aws_ranges_provider.h"
#include "server/analysis/site_analysis.h"
#include "server/store/agent_registry.h"
#include "server/store/fact_store.h"
#include "server/store/site_health_store.h"

namespace natscope::server {

// The transport-free core, for tests.
class QueryServiceCore {
 public:
  // Not owned; all must outlive this object. `aws_ranges` gives the
  // server's current ranges (empty: no AWS detection), with which every
  // stored probe is re-decided (server/analysis/agent_analysis.h): asked
  // once at the start of each call, which then uses that snapshot
  // throughout. Agents silent for longer than `forget_after`
  // (--forget_after) are forgotten (IsForgotten,
  // server/analysis/site_analysis.h): left out of every answer but GetAgent
  // and ListAgents with include_forgotten.
  QueryServiceCore(AgentRegistry* agents, FactStore* facts,
                   SiteHealthStore* health,
                   AwsRangesProvider aws_ranges,
                   absl::Duration forget_after = absl::InfiniteDuration())
      : agents_(agents),
        facts_(facts),
        health_(health),
        aws_ranges_(std::move(aws_ranges)),
        forget_after_(forget_after) {}

  // Every site's stored summary (kept current by the SiteRefresher),
  // worst first unless sort_by_name.
  absl::StatusOr<v1::ListSitesResponse> ListSites(const v1::ListSitesRequest&,
                                                  absl::Time now = absl::Now());
  // One site analysed now. NotFound for a site with no agents;
  // InvalidArgument for an empty name.
  absl::StatusOr<v1::SiteHealth> GetSiteHealth(const v1::GetSiteHealthRequest&,
                                               absl::Time now = absl::Now());
  // Agents with the server's verdicts (DescribeAgent) and their health as
  // of `now` (JudgeAgentHealth), forgotten ones only with
  // include_forgotten. InvalidArgument for a bad page token or page size.
  absl::StatusOr<v1::ListAgentsResponse> ListAgents(
      const v1::ListAgentsRequest&, absl::Time now = absl::Now());
  // One agent as ListAgents describes it. NotFound for an unknown agent;
  // InvalidArgument for an empty id.
  absl::StatusOr<v1::AgentState> GetAgent(const v1::GetAgentRequest&,
                                          absl::Time now);
  // One site's findings per agent, or the fleet's per code.
  absl::StatusOr<v1::ListFindingsResponse> ListFindings(
      const v1::ListFindingsRequest&, absl::Time now = absl::Now());
  // The analyzer's view of one site (analyzer/site), from every agent's
  // latest probe and log-reported NAT type, as of `now`.
  absl::StatusOr<v1::SiteHealthView> GetSiteAnalysis(
      const v1::GetSiteHealthRequest&, absl::Time now);
  absl::StatusOr<v1::AgentHistory> GetAgentHistory(const v1::GetAgentHistoryRequest&);
  absl::StatusOr<v1::Trend> GetTrend(const v1::GetTrendRequest&, absl::Time now);

 private:
  // What the analysis of `site` reads, its probes re-decided with
  // `aws_ranges` (the call's snapshot): InvalidArgument when the name is
  // empty, NotFound when the site has no agent that is not forgotten.
  absl::StatusOr<SiteFacts> SiteFactsOf(absl::string_view site, absl::Time now,
                                        const AwsRangesSnapshot& aws_ranges);
  // The registered agent `agent_id`: InvalidArgument when empty, NotFound
  // (saying how to list agents) when unknown.
  absl::StatusOr<v1::AgentIdentity> IdentityOf(const std::string& agent_id);
  // Whether `agent` passes the request's filters other than `finding`.
  static bool Matches(const v1::ListAgentsRequest& request,
                      const v1::AgentState& agent);
  // Whether `agent` has `code`: among its probe's findings, or among those
  // the analysis of its site (with `aws_ranges`) finds on it
  // (*affected_by_site caches each site's affected agents for the call).
  absl::StatusOr<bool> HasFinding(
      const v1::AgentState& agent, v1::FindingCode code, absl::Time now,
      const AwsRangesSnapshot& aws_ranges,
      std::map<std::string, std::set<std::string>>* affected_by_site);

  AgentRegistry* agents_;
  FactStore* facts_;
  SiteHealthStore* health_;
  AwsRangesProvider aws_ranges_;
  absl::Duration forget_after_;
};

class QueryServiceImpl final : public v1::QueryService::Service {
 public:
  // Both must outlive this object.
  QueryServiceImpl(QueryServiceCore* core, auth::Authenticator* authenticator)
      : core_(core), authenticator_(authenticator) {}

  grpc::Status ListSites(grpc::ServerContext*, const v1::ListSitesRequest*,
                         v1::ListSitesResponse*) override;
  grpc::Status GetSiteHealth(grpc::ServerContext*,
                             const v1::GetSiteHealthRequest*,
                             v1::SiteHealth*) override;
  grpc::Status ListAgents(grpc::ServerContext*, const v1::ListAgentsRequest*,
                          v1::ListAgentsResponse*) override;
  grpc::Status ListFindings(grpc::ServerContext*,
                            const v1::ListFindingsRequest*,
                            v1::ListFindingsResponse*) override;
  grpc::Status GetSiteAnalysis(grpc::ServerContext*,
                               const v1::GetSiteHealthRequest*,
                               v1::SiteHealthView*) override;
  grpc::Status GetAgent(grpc::ServerContext*, const v1::GetAgentRequest*,
                        v1::AgentState*) override;
  grpc::Status GetAgentHistory(grpc::ServerContext*,
                               const v1::GetAgentHistoryRequest*,
                               v1::AgentHistory*) override;
  grpc::Status GetTrend(grpc::ServerContext*, const v1::GetTrendRequest*,
                        v1::Trend*) override;

 private:
  QueryServiceCore* core_;
  auth::Authenticator* authenticator_;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_SERVICE_QUERY_SERVICE_H_
