#include "ingest/netpath/ssdp.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace natscope::ingest {

std::string EncodeSsdpSearch(absl::string_view search_target) {
  return absl::StrCat(
      "M-SEARCH * HTTP/1.1\r\nHOST: ", kSsdpGroup, ":", kSsdpPort,
      "\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ", search_target, "\r\n\r\n");
}

std::optional<std::string> IgdLocation(absl::string_view answer) {
  std::vector<absl::string_view> lines = absl::StrSplit(answer, "\r\n");
  if (lines.empty() || !absl::StartsWith(lines[0], "HTTP/1.1 200")) {
    return std::nullopt;
  }
  std::optional<std::string> location;
  bool igd = false;
  for (absl::string_view line : lines) {
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    const absl::string_view name =
        absl::StripAsciiWhitespace(line.substr(0, colon));
    const absl::string_view value =
        absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (absl::EqualsIgnoreCase(name, "LOCATION") && !value.empty()) {
      location = std::string(value);
    } else if (absl::EqualsIgnoreCase(name, "ST")) {
      igd = absl::StrContains(value, ":device:InternetGatewayDevice:");
    }
  }
  if (!igd) return std::nullopt;
  return location;
}

}  // namespace natscope::ingest
