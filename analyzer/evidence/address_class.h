// Classifies an IP address by the special-purpose range it falls in
// (RFC 6890 and its successors): is it public, private, carrier-grade NAT,
// loopback, link-local, documentation or some other reserved range. Pure
// and thread-safe.
#ifndef NATSCOPE_ANALYZER_EVIDENCE_ADDRESS_CLASS_H_
#define NATSCOPE_ANALYZER_EVIDENCE_ADDRESS_CLASS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/net/socket_address.h"

namespace natscope::analyzer {

enum class AddressClass {
  // Globally routable unicast.
  kPublic,
  // RFC 1918 (10/8, 172.16/12, 192.168/16) and IPv6 ULA (fc00::/7).
  kPrivate,
  // RFC 6598 shared address space 100.64.0.0/10, used by carrier-grade NAT.
  kCgnat,
  // 127.0.0.0/8, ::1.
  kLoopback,
  // 169.254.0.0/16, fe80::/10.
  kLinkLocal,
  // 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32,
  // 3fff::/20. Labs use these as stand-ins for public addresses.
  kDocumentation,
  // Anything else reserved: unspecified, "this network" 0/8, 192.0.0.0/24,
  // benchmarking 198.18/15, multicast, 240/4, broadcast, IPv6 outside
  // 2000::/3, ...
  kOther,
};

// The class of `address` (its port is ignored). An IPv4-mapped IPv6
// address (::ffff:a.b.c.d) is classified as the IPv4 address it carries.
AddressClass ClassifyAddress(const net::SocketAddress& address);

// Classifies "1.2.3.4", "2001:db8::1", "1.2.3.4:5" or "[2001:db8::1]:5".
// InvalidArgument naming the text when it is none of these.
absl::StatusOr<AddressClass> ClassifyAddress(absl::string_view ip_or_endpoint);

// The name used in HopObservation.address_class: "public", "private",
// "cgnat", "loopback", "link-local", "documentation" or "other".
absl::string_view AddressClassName(AddressClass c);

// Parses "1.2.3.4" or "1.2.3.4:5" (and the IPv6 forms) into an address with
// the port, or 0 when there is none. InvalidArgument naming the text.
absl::StatusOr<net::SocketAddress> ParseIpOrEndpoint(absl::string_view text);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_EVIDENCE_ADDRESS_CLASS_H_
