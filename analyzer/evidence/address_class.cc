#include "analyzer/evidence/address_class.h"

#include <array>
#include <cstdint>

#include "absl/strings/str_cat.h"

namespace natscope::analyzer {
namespace {

struct Range {
  std::array<uint8_t, 16> network;
  int length;
  AddressClass cls;
};

bool InRange(absl::Span<const uint8_t> bytes, const Range& r) {
  int bits = r.length;
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    const uint8_t mask =
        bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((bytes[i] & mask) != (r.network[i] & mask)) return false;
  }
  return true;
}

// Most specific first where ranges nest (the table is scanned in order).
const Range kIPv4Ranges[] = {
    {{0}, 8, AddressClass::kOther},
    {{10}, 8, AddressClass::kPrivate},
    {{100, 64}, 10, AddressClass::kCgnat},
    {{127}, 8, AddressClass::kLoopback},
    {{169, 254}, 16, AddressClass::kLinkLocal},
    {{172, 16}, 12, AddressClass::kPrivate},
    {{192, 0, 0}, 24, AddressClass::kOther},
    {{192, 0, 2}, 24, AddressClass::kDocumentation},
    {{192, 168}, 16, AddressClass::kPrivate},
    {{198, 18}, 15, AddressClass::kOther},
    {{198, 51, 100}, 24, AddressClass::kDocumentation},
    {{203, 0, 113}, 24, AddressClass::kDocumentation},
    {{224}, 3, AddressClass::kOther},  // multicast, 240/4 and broadcast
};

const Range kIPv6Ranges[] = {
    {{}, 128, AddressClass::kOther},  // ::
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
     128,
     AddressClass::kLoopback},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, AddressClass::kDocumentation},
    {{0x3f, 0xff}, 20, AddressClass::kDocumentation},
    {{0x20, 0x01}, 23, AddressClass::kOther},  // IETF protocol assignments
    {{0x20, 0x02}, 16, AddressClass::kOther},  // 6to4
    {{0x20}, 3, AddressClass::kPublic},
    {{0xfc}, 7, AddressClass::kPrivate},
    {{0xfe, 0x80}, 10, AddressClass::kLinkLocal},
};

template <size_t N>
AddressClass Lookup(absl::Span<const uint8_t> bytes, const Range (&table)[N],
                    AddressClass otherwise) {
  for (const Range& r : table) {
    if (InRange(bytes, r)) return r.cls;
  }
  return otherwise;
}

}  // namespace

AddressClass ClassifyAddress(const net::SocketAddress& address) {
  absl::Span<const uint8_t> bytes = address.address_bytes();
  if (address.is_ipv4()) {
    return Lookup(bytes, kIPv4Ranges, AddressClass::kPublic);
  }
  static constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0,    0,
                                                0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMappedPrefix, kMappedPrefix + 12, bytes.begin())) {
    return ClassifyAddress(net::SocketAddress::IPv4(
        {bytes[12], bytes[13], bytes[14], bytes[15]}, 0));
  }
  return Lookup(bytes, kIPv6Ranges, AddressClass::kOther);
}

absl::StatusOr<net::SocketAddress> ParseIpOrEndpoint(absl::string_view text) {
  auto bare = net::SocketAddress::FromIp(text, 0);
  if (bare.ok()) return bare;
  auto endpoint = net::SocketAddress::Parse(text);
  if (endpoint.ok()) return endpoint;
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text,
                   "\" is not an IP address or IP:PORT (e.g. 192.0.2.1, "
                   "192.0.2.1:3478, [2001:db8::1]:3478)"));
}

absl::StatusOr<AddressClass> ClassifyAddress(absl::string_view ip_or_endpoint) {
  auto address = ParseIpOrEndpoint(ip_or_endpoint);
  if (!address.ok()) return address.status();
  return ClassifyAddress(*address);
}

absl::string_view AddressClassName(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kCgnat:
      return "cgnat";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kLinkLocal:
      return "link-local";
    case AddressClass::kDocumentation:
      return "documentation";
    case AddressClass::kOther:
      return "other";
  }
  return "other";
}

}  // namespace natscope::analyzer
