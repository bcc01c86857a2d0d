#include "analyzer/evidence/aws_ranges.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace natscope::analyzer {
namespace {

using U128 = unsigned __int128;

U128 ToNumber(absl::Span<const uint8_t> bytes) {
  U128 n = 0;
  for (uint8_t b : bytes) n = (n << 8) | b;
  return n;
}

// Keeps the top `length` of `width` bits.
U128 Mask(U128 n, int length, int width) {
  if (length == 0) return 0;
  const U128 ones = width == 128 ? ~U128{0} : ((U128{1} << width) - 1);
  return n & (ones << (width - length)) & ones;
}

bool IsKeptService(absl::string_view service) {
  return service == "EC2" || service == "AMAZON";
}

// EC2 is more telling than the AMAZON superset tag for the same prefix.
int ServiceRank(absl::string_view service) { return service == "EC2" ? 0 : 1; }

absl::Status Bad(absl::string_view source, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("AWS ranges file ", source, ": ", what,
                   "; use the unmodified ip-ranges.json published at "
                   "https://ip-ranges.amazonaws.com/ip-ranges.json"));
}

}  // namespace

absl::StatusOr<AwsRanges> AwsRanges::ParseJson(absl::string_view json,
                                               absl::string_view source) {
  evidence::AwsIpRangesFile file;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &file, options);
  if (!status.ok()) {
    return Bad(source, absl::StrCat("not JSON of the expected shape (",
                                    std::string(status.message()), ")"));
  }
  return FromProto(file, source);
}

absl::StatusOr<AwsRanges> AwsRanges::FromProto(
    const evidence::AwsIpRangesFile& file, absl::string_view source) {
  if (file.create_date().empty())
    return Bad(source, "\"createDate\" is missing");
  AwsRanges ranges;
  ranges.create_date_ = file.create_date();
  ranges.source_ = std::string(source);
  for (int i = 0; i < file.prefixes_size(); ++i) {
    const evidence::AwsIpv4Prefix& p = file.prefixes(i);
    if (!IsKeptService(p.service())) continue;
    absl::Status s =
        ranges.Add(p.ip_prefix(), false, p.region(), p.service(),
                   p.network_border_group(), absl::StrCat("prefixes[", i, "]"));
    if (!s.ok()) return Bad(source, s.message());
  }
  for (int i = 0; i < file.ipv6_prefixes_size(); ++i) {
    const evidence::AwsIpv6Prefix& p = file.ipv6_prefixes(i);
    if (!IsKeptService(p.service())) continue;
    absl::Status s = ranges.Add(p.ipv6_prefix(), true, p.region(), p.service(),
                                p.network_border_group(),
                                absl::StrCat("ipv6_prefixes[", i, "]"));
    if (!s.ok()) return Bad(source, s.message());
  }
  if (ranges.entries_.empty()) {
    return Bad(source, "it lists no EC2 or AMAZON prefixes");
  }
  ranges.Finish();
  return ranges;
}

absl::Status AwsRanges::Add(absl::string_view cidr, bool ipv6,
                            const std::string& region,
                            const std::string& service,
                            const std::string& border,
                            absl::string_view where) {
  const size_t slash = cidr.find('/');
  const int width = ipv6 ? 128 : 32;
  const absl::Status bad = absl::InvalidArgumentError(
      absl::StrCat(where, " has \"", cidr, "\", which is not an IPv",
                   ipv6 ? 6 : 4, " CIDR prefix"));
  if (slash == absl::string_view::npos) return bad;
  auto address = net::SocketAddress::FromIp(cidr.substr(0, slash), 0);
  int length = -1;
  if (!address.ok() || address->is_ipv6() != ipv6 ||
      !absl::SimpleAtoi(cidr.substr(slash + 1), &length) || length < 0 ||
      length > width) {
    return bad;
  }
  std::vector<Table>& tables = ipv6 ? v6_ : v4_;
  auto table = std::find_if(tables.begin(), tables.end(),
                            [&](const Table& t) { return t.length == length; });
  if (table == tables.end()) {
    tables.push_back(Table{length, {}});
    table = tables.end() - 1;
  }
  const U128 network = Mask(ToNumber(address->address_bytes()), length, width);
  table->networks.emplace_back(network, static_cast<uint32_t>(entries_.size()));
  entries_.push_back(Entry{std::string(cidr), region, service, border});
  return absl::OkStatus();
}

void AwsRanges::Finish() {
  for (std::vector<Table>* tables : {&v4_, &v6_}) {
    std::sort(
        tables->begin(), tables->end(),
        [](const Table& a, const Table& b) { return a.length > b.length; });
    for (Table& t : *tables) {
      std::sort(t.networks.begin(), t.networks.end(),
                [this](const auto& a, const auto& b) {
                  if (a.first != b.first) return a.first < b.first;
                  return ServiceRank(entries_[a.second].service) <
                         ServiceRank(entries_[b.second].service);
                });
      // After sorting, the first of equal networks is the preferred one.
      t.networks.erase(std::unique(t.networks.begin(), t.networks.end(),
                                   [](const auto& a, const auto& b) {
                                     return a.first == b.first;
                                   }),
                       t.networks.end());
    }
  }
}

std::optional<v1::AwsMatch> AwsRanges::Lookup(
    const net::SocketAddress& address) const {
  const bool ipv6 = address.is_ipv6();
  const int width = ipv6 ? 128 : 32;
  const U128 n = ToNumber(address.address_bytes());
  for (const Table& t : ipv6 ? v6_ : v4_) {
    const U128 key = Mask(n, t.length, width);
    auto it = std::lower_bound(
        t.networks.begin(), t.networks.end(), key,
        [](const auto& entry, U128 k) { return entry.first < k; });
    if (it == t.networks.end() || it->first != key) continue;
    const Entry& e = entries_[it->second];
    v1::AwsMatch match;
    match.set_prefix(e.prefix);
    match.set_region(e.region);
    match.set_service(e.service);
    match.set_network_border_group(e.network_border_group);
    match.set_ranges_date(create_date_);
    return match;
  }
  return std::nullopt;
}

std::optional<absl::Time> ParseAwsCreateDate(absl::string_view create_date) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%d-%H-%M-%S", create_date, absl::UTCTimeZone(),
                       &time, &error)) {
    return std::nullopt;
  }
  return time;
}

evidence::AwsIpRangesFile AwsRanges::Strip(
    const evidence::AwsIpRangesFile& file) {
  evidence::AwsIpRangesFile out;
  out.set_sync_token(file.sync_token());
  out.set_create_date(file.create_date());
  std::set<std::string> ec2;
  for (const auto& p : file.prefixes()) {
    if (p.service() == "EC2") ec2.insert(p.ip_prefix());
  }
  for (const auto& p : file.ipv6_prefixes()) {
    if (p.service() == "EC2") ec2.insert(p.ipv6_prefix());
  }
  for (const auto& p : file.prefixes()) {
    if (p.service() == "EC2" ||
        (p.service() == "AMAZON" && ec2.count(p.ip_prefix()) == 0)) {
      *out.add_prefixes() = p;
    }
  }
  for (const auto& p : file.ipv6_prefixes()) {
    if (p.service() == "EC2" ||
        (p.service() == "AMAZON" && ec2.count(p.ipv6_prefix()) == 0)) {
      *out.add_ipv6_prefixes() = p;
    }
  }
  return out;
}

}  // namespace natscope::analyzer
