#include "server/cli/format.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace natscope::server {

std::string RoleName(v1::Role role) {
  switch (role) {
    case v1::ROLE_CLIENT:
      return "client";
    case v1::ROLE_CONNECTOR:
      return "connector";
    default:
      return "unspecified";
  }
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
      {"SITE", "ROLE", "AGENTS", "NAT TYPES (agents)"}};
  for (const v1::SiteSummary& site : response.sites()) {
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
  }
  return RenderTable(rows);
}

}  // namespace natscope::server
