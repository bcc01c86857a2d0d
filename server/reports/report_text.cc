#include "server/reports/report_text.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analyzer/verdict_names.h"

namespace natscope::server {

using natscope::v1::FindingCode;
using natscope::v1::ReportData;
using natscope::v1::ReportSiteRow;

std::string FindingLabel(FindingCode code) {
  switch (code) {
    case natscope::v1::FINDING_UNSPECIFIED:
      return "none";
    case natscope::v1::FINDING_UDP_BLOCKED:
      return "UDP blocked";
    case natscope::v1::FINDING_QUIC_BLOCKED:
      return "QUIC blocked";
    case natscope::v1::FINDING_OUTBOUND_PORTS_RESTRICTED:
      return "outbound ports restricted";
    case natscope::v1::FINDING_OUTBOUND_IPS_RESTRICTED:
      return "outbound destinations restricted";
    case natscope::v1::FINDING_DOUBLE_NAT:
      return "double NAT";
    case natscope::v1::FINDING_CGNAT:
      return "carrier-grade NAT";
    case natscope::v1::FINDING_ENDPOINT_DEPENDENT_MAPPING:
      return "endpoint-dependent mapping (symmetric NAT)";
    case natscope::v1::FINDING_AWS_NAT_GATEWAY:
      return "AWS NAT gateway";
    case natscope::v1::FINDING_STUN_DISCOVERY_UNAVAILABLE:
      return "STUN discovery unavailable";
    case natscope::v1::FINDING_LOG_PROBE_DISAGREE:
      return "logs and probes disagree";
    case natscope::v1::FINDING_RELAYED_DESPITE_COMPATIBLE:
      return "relayed despite compatible NATs";
    default:
      break;
  }
  // A code newer than this file: show its proto name or number.
  const std::string& name = natscope::v1::FindingCode_Name(code);
  return name.empty() ? absl::StrCat("finding ", static_cast<int>(code)) : name;
}

std::string SeverityLabel(natscope::v1::Severity severity) {
  switch (severity) {
    case natscope::v1::SEVERITY_CRITICAL:
      return "critical";
    case natscope::v1::SEVERITY_WARNING:
      return "warning";
    default:
      return "info";
  }
}

std::string AffectsLine(const natscope::v1::ReportFinding& finding) {
  std::string line;
  for (const natscope::v1::ReportHost& host : finding.hosts()) {
    absl::StrAppend(&line, line.empty() ? "" : ", ", host.agent_id(), " (");
    if (!host.hostname().empty() && host.hostname() != host.agent_id()) {
      absl::StrAppend(&line, host.hostname(), ", ");
    }
    absl::StrAppend(&line, analyzer::RoleName(host.role()), ")");
  }
  if (finding.more_hosts() > 0) {
    absl::StrAppend(&line, line.empty() ? "" : " and ", finding.more_hosts(),
                    line.empty() ? " agents" : " more");
  }
  return line.empty() ? "no agent listed" : line;
}

std::string Percent(double share) {
  if (!(share >= 0)) share = 0;  // Also maps NaN to 0.
  if (share > 1) share = 1;
  return absl::StrFormat("%.0f%%", share * 100);
}

std::vector<const ReportSiteRow*> SitesWorstFirst(const ReportData& data) {
  std::vector<const ReportSiteRow*> rows;
  rows.reserve(data.sites_size());
  for (const ReportSiteRow& row : data.sites()) rows.push_back(&row);
  std::sort(rows.begin(), rows.end(),
            [](const ReportSiteRow* a, const ReportSiteRow* b) {
              if (a->p2p_capable_share() != b->p2p_capable_share()) {
                return a->p2p_capable_share() < b->p2p_capable_share();
              }
              const bool a_found = a->worst_finding() != 0;
              const bool b_found = b->worst_finding() != 0;
              if (a_found != b_found) return a_found;
              return a->site() < b->site();
            });
  return rows;
}

bool HasNoData(const ReportData& data) { return data.sites_size() == 0; }

absl::Time FromProtoTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

std::string FormatReportTime(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", FromProtoTime(t),
                          absl::UTCTimeZone());
}

std::string FormatReportDay(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d", FromProtoTime(t), absl::UTCTimeZone());
}

namespace {

std::string TrendClause(const ReportData& data) {
  if (data.trend_size() < 2) return "";
  const auto& first = data.trend(0);
  const auto& last = data.trend(data.trend_size() - 1);
  const long points =
      std::lround((last.p2p_capable_share() - first.p2p_capable_share()) * 100);
  const std::string since = absl::FormatTime(
      "%Y-%m-%d", FromProtoTime(first.time()), absl::UTCTimeZone());
  if (points == 0) return absl::StrCat(", unchanged since ", since);
  const long size = std::labs(points);
  return absl::StrCat(points > 0 ? ", up " : ", down ", size,
                      size == 1 ? " point" : " points", " since ", since);
}

}  // namespace

std::string SummaryLine(const ReportData& data) {
  if (HasNoData(data)) return NoDataText(data);
  const auto& totals = data.totals();
  const int sites = data.sites_size();
  std::string line = absl::StrCat(
      "Across ", sites, sites == 1 ? " site, " : " sites, ",
      Percent(totals.p2p_capable_share()), " of ", totals.clients(),
      totals.clients() == 1 ? " client" : " clients",
      " can go peer-to-peer with a connector of their site", TrendClause(data),
      ".");
  const ReportSiteRow& worst = *SitesWorstFirst(data).front();
  absl::StrAppend(&line, " Worst: ", worst.site(), " (",
                  Percent(worst.p2p_capable_share()));
  if (worst.worst_finding() != natscope::v1::FINDING_UNSPECIFIED) {
    absl::StrAppend(&line, ", mostly ", FindingLabel(worst.worst_finding()));
  }
  absl::StrAppend(&line, ").");
  return line;
}

std::string NoDataText(const ReportData& data) {
  const std::string scope = data.scope_description().empty()
                                ? "this scope"
                                : data.scope_description();
  return absl::StrCat("No data yet: no agent in ", scope,
                      " has reported. The report fills in once agents at "
                      "these sites send their first probes.");
}

}  // namespace natscope::server
