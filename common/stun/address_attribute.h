// Encoding of the address-valued attributes (MAPPED-ADDRESS family and
// XOR-MAPPED-ADDRESS, RFC 8489 §14.1-14.2). Internal to //common/stun:codec.
#ifndef NATSCOPE_COMMON_STUN_ADDRESS_ATTRIBUTE_H_
#define NATSCOPE_COMMON_STUN_ADDRESS_ATTRIBUTE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/net/socket_address.h"
#include "common/stun/message.h"

namespace natscope::stun::internal {

// Parses a plain address value. `name` (e.g. "MAPPED-ADDRESS") appears in
// the InvalidArgument returned for a bad family or length.
absl::StatusOr<net::SocketAddress> DecodeAddress(
    absl::Span<const uint8_t> value, absl::string_view name);

// Parses an XOR-MAPPED-ADDRESS value of a message with `transaction_id`.
absl::StatusOr<net::SocketAddress> DecodeXorAddress(
    absl::Span<const uint8_t> value, const TransactionId& transaction_id);

// Appends the 8- or 20-byte attribute value (no attribute header).
void AppendAddress(const net::SocketAddress& address,
                   std::vector<uint8_t>* out);
void AppendXorAddress(const net::SocketAddress& address,
                      const TransactionId& transaction_id,
                      std::vector<uint8_t>* out);

}  // namespace natscope::stun::internal

#endif  // NATSCOPE_COMMON_STUN_ADDRESS_ATTRIBUTE_H_
