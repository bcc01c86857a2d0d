#include "server/cli/format.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analyzer/verdict_names.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace natscope::server {

using analyzer::RoleName;

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

std::string RenderTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&line, row[i]);
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string FormatSites(const v1::ListSitesResponse& response) {
  if (response.sites().empty()) {
    return "no sites yet: no agent has enrolled with this server\n";
  }
  std::vector<std::vector<std::string>> rows = {
      {"SITE", "ROLE", "AGENTS", "NAT TYPES (agents)", "UNHEALTHY"}};
  for (const v1::SiteSummary& site : response.sites()) {
    const size_t first_row = rows.size();
    for (v1::Role role : {v1::ROLE_CLIENT, v1::ROLE_CONNECTOR}) {
      const uint32_t agents =
          role == v1::ROLE_CLIENT ? site.clients() : site.connectors();
      std::vector<std::string> types;
      for (const v1::NatTypeCount& count : site.nat_types()) {
        if (count.role() != role) continue;
        types.push_back(absl::StrCat(count.nat_type(), ": ", count.agents()));
      }
      if (agents == 0 && types.empty()) continue;
      rows.push_back({site.site(), RoleName(role), absl::StrCat(agents),
                      types.empty() ? "-" : absl::StrJoin(types, ", ")});
    }
    // The site's count, on its first line; blank when none (no trailing
    // blanks either, for grep).
    if (site.unhealthy_agents() > 0 && rows.size() > first_row) {
      rows[first_row].push_back(absl::StrCat(site.unhealthy_agents()));
    }
  }
  std::string out = RenderTable(rows);
  absl::StrAppend(&out, "\nPeer-to-peer (worst first unless --by_name):\n");
  for (const v1::SiteSummary& site : response.sites()) {
    absl::StrAppend(&out, "  ", site.site(), ": ");
    if (site.clients() == 0 || site.connectors() == 0) {
      absl::StrAppend(&out, "no ", site.clients() == 0 ? "client" : "connector",
                      " has reported yet");
    } else {
      absl::StrAppend(&out, site.p2p_capable_clients(), " of ", site.clients(),
                      " client(s) can reach a connector directly",
                      absl::StrFormat(" (%.0f%%)", 100.0 * site.p2p_capable_share()));
    }
    if (site.worst_finding() != v1::FINDING_UNSPECIFIED) {
      absl::StrAppend(&out, "; worst finding ", analyzer::FindingToken(site.worst_finding()));
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

}  // namespace natscope::server

namespace natscope::server {
namespace {

std::string VerdictName(v1::PairVerdict verdict) {
  switch (verdict) {
    case v1::PAIR_VERDICT_DIRECT:
      return "direct";
    case v1::PAIR_VERDICT_DIRECT_UNRELIABLE:
      return "direct, unreliable";
    case v1::PAIR_VERDICT_RELAY_ONLY:
      return "RELAY ONLY";
    default:
      return "cannot tell";
  }
}

std::string SeverityName(v1::Severity severity) {
  switch (severity) {
    case v1::SEVERITY_CRITICAL:
      return "CRITICAL";
    case v1::SEVERITY_WARNING:
      return "WARNING";
    default:
      return "INFO";
  }
}

}  // namespace

std::string FormatSiteAnalysis(const v1::SiteHealthView& view) {
  std::string out = absl::StrCat(
      "Site ", view.site(), ": ", view.clients(), " client(s), ",
      view.connectors(), " connector(s)\n",
      absl::StrFormat("Peer-to-peer: %d of %d client(s) (%.0f%%) can reach a "
                      "connector of the site directly\n",
                      view.p2p_capable_clients(), view.clients(),
                      100.0 * view.p2p_capable_share()),
      "Connectors' STUN discovery: ", view.stun_discovery().available(),
      " available, ", view.stun_discovery().unavailable(), " unavailable, ",
      view.stun_discovery().unknown(), " unknown\n");
  for (const v1::ConnectorStunDiscovery& c : view.stun_discovery().connectors()) {
    absl::StrAppend(&out, "  ", c.agent_id(), ": ",
                    analyzer::StunDiscoveryName(c.discovery().state()), " (",
                    analyzer::SourceName(c.discovery().source()), ")\n");
  }
  if (!view.pair_matrix().empty()) {
    absl::StrAppend(&out, "\nClient x connector pairs\n");
    std::vector<std::vector<std::string>> rows = {
        {"  CLIENTS", "CONNECTORS", "PAIRS", "VERDICT", "RESTS ON", "WHY"}};
    for (const v1::PairCell& cell : view.pair_matrix()) {
      rows.push_back({absl::StrCat("  ", cell.clients(), " ",
                                   cell.client_class().label()),
                      absl::StrCat(cell.connectors(), " ",
                                   cell.connector_class().label()),
                      absl::StrCat(cell.pairs()), VerdictName(cell.verdict()),
                      analyzer::SourceName(cell.source()), cell.reason()});
    }
    absl::StrAppend(&out, RenderTable(rows));
  }
  absl::StrAppend(&out, "\nFindings\n");
  if (view.findings().empty()) {
    absl::StrAppend(&out, "  none: nothing measured blocks peer-to-peer\n");
  }
  for (const v1::SiteFinding& f : view.findings()) {
    // Each affected agent with what its finding rests on.
    std::vector<std::string> affects;
    for (int i = 0; i < f.agent_ids_size(); ++i) {
      affects.push_back(
          i < f.sources_size()
              ? absl::StrCat(f.agent_ids(i), " (",
                             analyzer::SourceName(static_cast<v1::EvidenceSource>(
                                 f.sources(i))),
                             ")")
              : f.agent_ids(i));
    }
    absl::StrAppend(&out, "  [", SeverityName(f.severity()), "] ",
                    analyzer::FindingToken(f.code()), ": ", f.summary(), "\n",
                    "      affects: ", absl::StrJoin(affects, ", "), "\n");
    for (const std::string& e : f.evidence()) {
      absl::StrAppend(&out, "      evidence: ", e, "\n");
    }
    absl::StrAppend(&out, "      what to do: ", f.remediation(), "\n");
  }
  return out;
}

}  // namespace natscope::server

namespace natscope::server {
namespace {

// "ok", or how many problems (natscope agents --unhealthy lists them).
std::string HealthCell(const v1::AgentHealth& health) {
  if (health.problems().empty()) return "ok";
  return absl::StrCat("UNHEALTHY (", health.problems_size(), ")");
}

// The agents table; with `with_site`, a SITE column after AGENT.
std::string AgentsTable(const v1::ListAgentsResponse& response, bool with_site) {
  if (response.agents().empty()) return "no agents\n";
  std::vector<std::string> header = {"AGENT",     "ROLE",      "NAT TYPE",
                                     "MAPPING",   "FILTERING", "PUBLIC ADDRESS",
                                     "FINDINGS",  "RESTS ON",  "LAST SEEN",
                                     "HEALTH"};
  if (with_site) header.insert(header.begin() + 1, "SITE");
  std::vector<std::vector<std::string>> rows = {header};
  for (const v1::AgentState& a : response.agents()) {
    std::vector<std::string>& row = rows.emplace_back(std::vector<std::string>{
        a.identity().agent_id(), RoleName(a.identity().role()),
        a.reported_nat_type(), analyzer::MappingToken(a.mapping_behavior()),
        analyzer::FilteringToken(a.filtering_behavior()),
        a.public_address().empty() ? "-" : a.public_address(),
        absl::StrCat(a.findings_size()),
        analyzer::SourceName(a.nat_class_source()),
        a.has_last_seen() ? google::protobuf::util::TimeUtil::ToString(a.last_seen())
                          : "-",
        HealthCell(a.health())});
    if (with_site) row.insert(row.begin() + 1, a.identity().site());
  }
  std::string out = RenderTable(rows);
  if (!response.next_page_token().empty()) {
    absl::StrAppend(&out, "(more: --page_token=", response.next_page_token(), ")\n");
  }
  return out;
}

}  // namespace

std::string FormatAgents(const v1::ListAgentsResponse& response) {
  return AgentsTable(response, /*with_site=*/false);
}

std::string FormatFleetAgents(const v1::ListAgentsResponse& response) {
  return AgentsTable(response, /*with_site=*/true);
}

std::string FormatAgentHistory(const v1::AgentHistory& history) {
  const v1::AgentIdentity& id = history.identity();
  std::string out = absl::StrCat("Agent ", id.agent_id(), " (", RoleName(id.role()),
                                 " at site ", id.site(), ", host ", id.hostname(), ")\n");
  if (history.probes().empty()) return out + "no probe reports yet\n";
  std::vector<std::vector<std::string>> rows = {
      {"PROBED", "UDP", "MAPPING", "FILTERING", "PUBLIC ADDRESS", "FINDINGS"}};
  for (const v1::ProbeReport& p : history.probes()) {
    std::vector<std::string> codes;
    for (const v1::Finding& f : p.findings()) {
      codes.push_back(analyzer::FindingToken(f.code()));
    }
    rows.push_back({google::protobuf::util::TimeUtil::ToString(p.time()),
                    p.udp_reachable() ? "ok" : "BLOCKED",
                    analyzer::MappingToken(p.mapping_behavior()),
                    analyzer::FilteringToken(p.filtering_behavior()),
                    p.public_address().empty() ? "-" : p.public_address(),
                    codes.empty() ? "-" : absl::StrJoin(codes, ", ")});
  }
  return out + RenderTable(rows);
}

std::string FormatFindings(const v1::ListFindingsResponse& response) {
  if (!response.fleet().empty()) {
    std::string out = "Findings across the fleet, in the order to troubleshoot:\n";
    for (const v1::FleetFinding& f : response.fleet()) {
      absl::StrAppend(&out, "  ", analyzer::FindingToken(f.code()), ": ",
                      f.agents(), " agent(s) at ", f.sites(), " site(s)",
                      f.worst_sites().empty() ? "" : " (most: ",
                      absl::StrJoin(f.worst_sites(), ", "),
                      f.worst_sites().empty() ? "" : ")",
                      "\n      what to do: ", f.remediation(), "\n");
    }
    return out;
  }
  if (response.findings().empty()) {
    return "no findings: nothing measured blocks peer-to-peer\n";
  }
  std::string out;
  for (const v1::AgentFinding& f : response.findings()) {
    // A site-wide finding names no agent.
    const std::string who =
        f.agent_id().empty() ? std::string(" (the site)")
                             : absl::StrCat("/", f.agent_id(), " (", RoleName(f.role()), ")");
    absl::StrAppend(&out, "[", SeverityName(f.finding().severity()), "] ", f.site(), who,
                    ": ",
                    analyzer::FindingToken(f.finding().code()),
                    f.finding().source() == v1::EVIDENCE_SOURCE_UNSPECIFIED
                        ? std::string()
                        : absl::StrCat(" (", analyzer::SourceName(f.finding().source()),
                                       ")"),
                    ": ", f.finding().summary(),
                    "\n      what to do: ", f.finding().remediation(), "\n");
  }
  return out;
}

}  // namespace natscope::server
