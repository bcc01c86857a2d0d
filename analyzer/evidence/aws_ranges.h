// AWS's published address ranges (ip-ranges.json) as a longest-prefix
// lookup table, for recognising a public address that belongs to an AWS
// NAT gateway. Pure: the caller supplies the file's bytes (see
// analyzer/evidence/aws_ranges_source.h for the file and the embedded copy).
//
// Only the services that NAT gateway addresses come from are kept: "EC2"
// and "AMAZON" (AMAZON is the superset tag AWS puts on almost every
// prefix). Where both tag the same prefix, EC2 wins. An AwsRanges is
// immutable after construction and safe to share between threads.
#ifndef NATSCOPE_ANALYZER_EVIDENCE_AWS_RANGES_H_
#define NATSCOPE_ANALYZER_EVIDENCE_AWS_RANGES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "aws_ranges.pb.h"
#include "common/net/socket_address.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::analyzer {

class AwsRanges {
 public:
  // source() of the copy embedded at build time.
  static constexpr char kBuiltInSource[] = "built-in";

  // Parses the text of ip-ranges.json. `source` names where it came from
  // (a file path, kBuiltInSource), appears in every error and is kept as
  // source(). Unknown
  // JSON fields are ignored. InvalidArgument when the text is not JSON of
  // that shape, a prefix is not CIDR of its family, or createDate or the
  // EC2/AMAZON prefixes are missing.
  static absl::StatusOr<AwsRanges> ParseJson(absl::string_view json,
                                             absl::string_view source);

  // Same, from an already decoded file (e.g. the binary-serialised copy
  // embedded at build time).
  static absl::StatusOr<AwsRanges> FromProto(
      const evidence::AwsIpRangesFile& file, absl::string_view source);

  // Keeps EC2 and AMAZON prefixes only and drops an AMAZON prefix that EC2
  // also lists (lookups would never return it). What the build embeds.
  static evidence::AwsIpRangesFile Strip(const evidence::AwsIpRangesFile& file);

  // The most specific EC2/AMAZON prefix holding `address` (port ignored),
  // with ranges_date set to create_date(); nullopt when none does.
  std::optional<v1::AwsMatch> Lookup(const net::SocketAddress& address) const;

  // createDate of the file, e.g. "2026-08-22-15-17-05".
  const std::string& create_date() const { return create_date_; }
  // Where it came from: kBuiltInSource or the file's path.
  const std::string& source() const { return source_; }
  // Number of prefixes kept (IPv4 + IPv6).
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string prefix;
    std::string region;
    std::string service;
    std::string network_border_group;
  };
  // One sorted table per prefix length present: (network, entry index).
  // The network is the address as a big-endian 128-bit number (IPv4 in the
  // low 32 bits).
  struct Table {
    int length;
    std::vector<std::pair<unsigned __int128, uint32_t>> networks;
  };

  AwsRanges() = default;
  absl::Status Add(absl::string_view cidr, bool ipv6, const std::string& region,
                   const std::string& service, const std::string& border,
                   absl::string_view where);
  void Finish();

  std::string create_date_;
  std::string source_;
  std::vector<Entry> entries_;
  std::vector<Table> v4_;  // longest prefix first
  std::vector<Table> v6_;
};

// The time a createDate names ("2026-08-22-15-17-05", UTC: AWS's format);
// nullopt when it is not of that form.
std::optional<absl::Time> ParseAwsCreateDate(absl::string_view create_date);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_EVIDENCE_AWS_RANGES_H_
