// The NAT-PMP (RFC 6886) and PCP (RFC 6887) messages natscope exchanges
// with a gateway, all read-only: NAT-PMP's external-address request
// (opcode 0) and PCP's ANNOUNCE (opcode 0). Pure byte codecs.
//
// PCP has no request that returns the external address without creating
// a mapping (MAP/PEER do; a MAP with lifetime 0 deletes mappings), so
// natscope only sends ANNOUNCE: its answer tells that a PCP server exists
// (and its epoch), not the address.
#ifndef NATSCOPE_INGEST_NETPATH_PMP_WIRE_H_
#define NATSCOPE_INGEST_NETPATH_PMP_WIRE_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/net/socket_address.h"

namespace natscope::ingest {

// The UDP port NAT-PMP and PCP servers listen on.
constexpr uint16_t kPmpServerPort = 5351;

// NAT-PMP version 0, opcode 0: two zero bytes.
std::string EncodeNatPmpExternalAddressRequest();

struct NatPmpExternalAddress {
  // 0 success, 1 unsupported version, 2 refused, 3 network failure,
  // 4 out of resources, 5 unsupported opcode.
  uint16_t result_code = 0;
  uint32_t epoch_seconds = 0;
  // Meaningful when result_code is 0.
  std::array<uint8_t, 4> address{};
};

// Decodes the 12-byte answer to opcode 0 (version 0, opcode 128). Error
// answers may be shorter (8 bytes, RFC 6886 section 3.5). InvalidArgument
// saying what is wrong for anything else.
absl::StatusOr<NatPmpExternalAddress> DecodeNatPmpExternalAddressResponse(
    absl::string_view bytes);

// Plain-language meaning of a NAT-PMP result code.
std::string NatPmpResultText(uint16_t code);

// PCP version 2 ANNOUNCE request (24 bytes) from `client` (the local
// address the request leaves from; IPv4 goes in as ::ffff:a.b.c.d).
std::string EncodePcpAnnounceRequest(const net::SocketAddress& client);

struct PcpResponse {
  // 2 for PCP; 0 when a NAT-PMP-only server answered "unsupported version".
  uint8_t version = 0;
  uint8_t opcode = 0;  // without the response bit
  uint8_t result_code = 0;
  uint32_t lifetime = 0;
  uint32_t epoch_seconds = 0;
};

// Decodes a PCP response header (24+ bytes, R bit set), or a NAT-PMP
// version-0 reply to it. InvalidArgument saying what is wrong otherwise.
absl::StatusOr<PcpResponse> DecodePcpResponse(absl::string_view bytes);

// Plain-language meaning of a PCP result code.
std::string PcpResultText(uint8_t code);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_NETPATH_PMP_WIRE_H_
