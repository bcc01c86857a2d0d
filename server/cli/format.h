// Renders query results as the plain-text tables the natscope CLI prints.
// Pure functions.
#ifndef NATSCOPE_SERVER_CLI_FORMAT_H_
#define NATSCOPE_SERVER_CLI_FORMAT_H_

#include <string>
#include <vector>

#include "google/protobuf/message.h"
#include "natscope/v1/admin.pb.h"
#include "natscope/v1/analysis.pb.h"
#include "natscope/v1/query.pb.h"
#include "natscope/v1/reports.pb.h"

namespace natscope::server {

// `message` in proto3 JSON, indented, as `--json` prints it.
std::string ToJson(const google::protobuf::Message& message);

// Left-aligned columns separated by two spaces; `rows[0]` is the header.
std::string RenderTable(const std::vector<std::vector<std::string>>& rows);

// One line per (site, role): agents by reported NAT type; UNHEALTHY, on
// the site's first line, how many of its agents are unhealthy (blank:
// none).
std::string FormatSites(const v1::ListSitesResponse& sites);

// One site analysed: peer-to-peer share, pair matrix, findings with the
// agents they affect and what to do.
std::string FormatSiteAnalysis(const v1::SiteHealthView& view);

// A site's agents, one line each: id, role, reported NAT type, mapping,
// filtering, public address, number of findings, last seen, health ("ok"
// or the number of problems).
std::string FormatAgents(const v1::ListAgentsResponse& agents);
// The same with a SITE column: agents of every site.
std::string FormatFleetAgents(const v1::ListAgentsResponse& agents);

// Agents' health (`natscope agents --unhealthy`), one line each: id, site
// (with `with_site`), role, version, last batch and the problems.
std::string FormatAgentsHealth(const v1::ListAgentsResponse& agents,
                               bool with_site);

// One agent's probe reports, newest first, one line each.
std::string FormatAgentHistory(const v1::AgentHistory& history);

// One agent (`natscope agent ID`): who it is, its health (problems,
// version, last batch and probe, clock skew, spool and counters), what its
// verdicts rest on (FormatAgentAnalysis), then its probe history as
// FormatAgentHistory.
std::string FormatAgentDetail(const v1::AgentState& agent,
                              const v1::AgentHistory& history);

// What one agent's verdicts rest on: its NAT class with its source
// ("probe", "log", "probe and log agree", "probe and log disagree"), a
// connector's STUN discovery with its evidence, and its findings, each
// with its source. Empty when the agent was not analysed (no nat_class).
std::string FormatAgentAnalysis(const v1::AgentState& agent);

// Findings across the fleet (or a site), worst first.
std::string FormatFindings(const v1::ListFindingsResponse& findings);

// A trend, one line per point: time, clients, peer-to-peer capable, share
// and a bar; then agents per finding at each time, one column per finding
// code (its token), or a line saying no finding affected an agent.
std::string FormatTrend(const v1::Trend& trend);

// Report schedules, one line each.
std::string FormatSchedules(const v1::ListSchedulesResponse& schedules);

// Report runs, newest first, one line each.
std::string FormatReports(const v1::ListReportsResponse& reports);

// A site token just created (`natscope tokens enroll create`): what it is
// and, for an intake token, how log shippers present it; its secret, shown
// only now, alone on the last line.
std::string FormatCreatedSiteToken(
    const v1::CreateEnrollmentTokenResponse& created);

// Site tokens, one line each: id, site, purpose (enroll or intake), the
// default role of an intake token's hosts, created, expires ("never" when
// unset) and, for enrollment tokens, uses (of max_uses when limited).
std::string FormatSiteTokens(const v1::ListEnrollmentTokensResponse& tokens);


}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_CLI_FORMAT_H_
