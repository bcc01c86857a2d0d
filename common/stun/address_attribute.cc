#include "common/stun/address_attribute.h"

#include <algorithm>
#include <array>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "common/stun/wire.h"

namespace natscope::stun::internal {
namespace {

constexpr uint8_t kFamilyIPv4 = 0x01;
constexpr uint8_t kFamilyIPv6 = 0x02;

// XOR-MAPPED-ADDRESS masks the port with the cookie's high 16 bits and the
// address with the cookie followed by the transaction id (RFC 8489 §14.2).
// Applying it twice restores the input, so it serves both directions.
void ApplyXorMask(const TransactionId& transaction_id, uint8_t* value,
                  size_t size) {
  std::array<uint8_t, 16> mask;
  WriteU32(kMagicCookie, mask.data());
  std::copy(transaction_id.begin(), transaction_id.end(), mask.begin() + 4);
  value[2] ^= mask[0];
  value[3] ^= mask[1];
  for (size_t i = 4; i < size; ++i) value[i] ^= mask[i - 4];
}

}  // namespace

absl::StatusOr<net::SocketAddress> DecodeAddress(
    absl::Span<const uint8_t> value, absl::string_view name) {
  if (value.size() < 4) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s is %d bytes, too short for an address", name, value.size()));
  }
  const uint8_t family = value[1];
  const uint16_t port = ReadU16(value.data() + 2);
  if (family != kFamilyIPv4 && family != kFamilyIPv6) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "bad address family 0x%02x in %s; expected 0x01 (IPv4) or 0x02 "
        "(IPv6)",
        family, name));
  }
  const size_t expected = family == kFamilyIPv4 ? 8 : 20;
  if (value.size() != expected) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "bad %s length %d for %s, expected %d", name, value.size(),
        family == kFamilyIPv4 ? "IPv4" : "IPv6", expected));
  }
  if (family == kFamilyIPv4) {
    return net::SocketAddress::IPv4({value[4], value[5], value[6], value[7]},
                                    port);
  }
  std::array<uint8_t, 16> bytes;
  std::copy(value.begin() + 4, value.end(), bytes.begin());
  return net::SocketAddress::IPv6(bytes, port);
}

absl::StatusOr<net::SocketAddress> DecodeXorAddress(
    absl::Span<const uint8_t> value, const TransactionId& transaction_id) {
  if (value.size() != 8 && value.size() != 20) {
    // No family has this length, so this fails; it words the error.
    return DecodeAddress(value, "XOR-MAPPED-ADDRESS");
  }
  std::array<uint8_t, 20> copy{};
  std::copy(value.begin(), value.end(), copy.begin());
  ApplyXorMask(transaction_id, copy.data(), value.size());
  return DecodeAddress(absl::MakeConstSpan(copy.data(), value.size()),
                       "XOR-MAPPED-ADDRESS");
}

void AppendAddress(const net::SocketAddress& address,
                   std::vector<uint8_t>* out) {
  out->push_back(0);
  out->push_back(address.is_ipv4() ? kFamilyIPv4 : kFamilyIPv6);
  AppendU16(address.port(), out);
  const auto bytes = address.address_bytes();
  out->insert(out->end(), bytes.begin(), bytes.end());
}

void AppendXorAddress(const net::SocketAddress& address,
                      const TransactionId& transaction_id,
                      std::vector<uint8_t>* out) {
  const size_t start = out->size();
  AppendAddress(address, out);
  ApplyXorMask(transaction_id, out->data() + start, out->size() - start);
}

}  // namespace natscope::stun::internal
