#include "ingest/netpath/default_gateway.h"

#include <array>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace natscope::ingest {
namespace {

constexpr uint32_t kRtfUp = 0x1;
constexpr uint32_t kRtfGateway = 0x2;

// /proc/net/route prints addresses as the hex of the in-memory (network
// order) 32-bit value, i.e. little-endian on x86: "0101A8C0" = 192.168.1.1.
std::optional<std::array<uint8_t, 4>> HexAddress(absl::string_view hex) {
  uint32_t value = 0;
  if (hex.size() != 8 || !absl::SimpleHexAtoi(hex, &value)) return std::nullopt;
  std::array<uint8_t, 4> bytes;
  std::memcpy(bytes.data(), &value, 4);
  return bytes;
}

}  // namespace

absl::StatusOr<net::SocketAddress> ParseDefaultGateway(
    absl::string_view proc_net_route) {
  std::vector<absl::string_view> lines =
      absl::StrSplit(proc_net_route, '\n', absl::SkipWhitespace());
  if (lines.empty() || !absl::StartsWith(lines[0], "Iface")) {
    return absl::InvalidArgumentError(
        "not /proc/net/route: the header line \"Iface Destination Gateway "
        "...\" is missing");
  }
  std::optional<net::SocketAddress> best;
  uint32_t best_metric = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<absl::string_view> f =
        absl::StrSplit(lines[i], absl::ByAnyChar(" \t"), absl::SkipEmpty());
    // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
    if (f.size() < 8) continue;
    auto destination = HexAddress(f[1]);
    auto gateway = HexAddress(f[2]);
    auto mask = HexAddress(f[7]);
    uint32_t flags = 0, metric = 0;
    if (!destination || !gateway || !mask ||
        !absl::SimpleHexAtoi(f[3], &flags) ||
        !absl::SimpleAtoi(f[6], &metric)) {
      continue;
    }
    const std::array<uint8_t, 4> zero{};
    if (*destination != zero || *mask != zero || *gateway == zero) continue;
    if ((flags & (kRtfUp | kRtfGateway)) != (kRtfUp | kRtfGateway)) continue;
    if (!best || metric < best_metric) {
      best = net::SocketAddress::IPv4(*gateway, 0);
      best_metric = metric;
    }
  }
  if (!best) {
    return absl::NotFoundError(
        "this host has no IPv4 default route via a gateway, so there is no "
        "gateway to ask for NAT-PMP, PCP or UPnP");
  }
  return *best;
}

absl::StatusOr<net::SocketAddress> DefaultGateway(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::UnavailableError(
        absl::StrCat("cannot read ", path, " to find the default gateway"));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseDefaultGateway(text.str());
}

}  // namespace natscope::ingest
