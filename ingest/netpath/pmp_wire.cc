#include "ingest/netpath/pmp_wire.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace natscope::ingest {
namespace {

uint32_t Be32(absl::string_view b, size_t at) {
  return (uint32_t{static_cast<uint8_t>(b[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(b[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(b[at + 2])} << 8) |
         uint32_t{static_cast<uint8_t>(b[at + 3])};
}

uint16_t Be16(absl::string_view b, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(b[at]) << 8) |
                               static_cast<uint8_t>(b[at + 1]));
}

}  // namespace

std::string EncodeNatPmpExternalAddressRequest() {
  return std::string(2, '\0');
}

absl::StatusOr<NatPmpExternalAddress> DecodeNatPmpExternalAddressResponse(
    absl::string_view bytes) {
  if (bytes.size() < 8) {
    return absl::InvalidArgumentError(absl::StrCat(
        "NAT-PMP answer of ", bytes.size(), " bytes is too short (want 12)"));
  }
  if (bytes[0] != 0 || static_cast<uint8_t>(bytes[1]) != 128) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a NAT-PMP external-address answer (version ",
                     static_cast<uint8_t>(bytes[0]), ", opcode ",
                     static_cast<uint8_t>(bytes[1]), "; want 0 and 128)"));
  }
  NatPmpExternalAddress out;
  out.result_code = Be16(bytes, 2);
  out.epoch_seconds = Be32(bytes, 4);
  if (out.result_code == 0) {
    if (bytes.size() < 12) {
      return absl::InvalidArgumentError(
          absl::StrCat("NAT-PMP success answer of ", bytes.size(),
                       " bytes lacks the address (want 12)"));
    }
    std::memcpy(out.address.data(), bytes.data() + 8, 4);
  }
  return out;
}

std::string NatPmpResultText(uint16_t code) {
  switch (code) {
    case 0:
      return "success";
    case 1:
      return "unsupported version";
    case 2:
      return "not authorised (NAT-PMP is switched off on the gateway)";
    case 3:
      return "network failure (the gateway has no usable external address; "
             "it may itself sit behind another NAT)";
    case 4:
      return "out of resources";
    case 5:
      return "unsupported opcode";
    default:
      return absl::StrCat("unknown result code ", code);
  }
}

std::string EncodePcpAnnounceRequest(const net::SocketAddress& client) {
  std::string out(24, '\0');
  out[0] = 2;  // version
  out[1] = 0;  // R=0, opcode ANNOUNCE
  // Bytes 4-7: requested lifetime 0. Bytes 8-23: client IP as IPv6.
  absl::Span<const uint8_t> ip = client.address_bytes();
  if (client.is_ipv4()) {
    out[18] = out[19] = static_cast<char>(0xff);
    std::memcpy(&out[20], ip.data(), 4);
  } else {
    std::memcpy(&out[8], ip.data(), 16);
  }
  return out;
}

absl::StatusOr<PcpResponse> DecodePcpResponse(absl::string_view bytes) {
  PcpResponse out;
  if (bytes.size() >= 4 && bytes[0] == 0) {
    // A NAT-PMP server answering a PCP request (RFC 6887 section 9).
    out.version = 0;
    out.opcode = static_cast<uint8_t>(bytes[1]) & 0x7f;
    out.result_code = static_cast<uint8_t>(Be16(bytes, 2));
    return out;
  }
  if (bytes.size() < 24) {
    return absl::InvalidArgumentError(absl::StrCat(
        "PCP answer of ", bytes.size(), " bytes is too short (want 24)"));
  }
  if (bytes[0] != 2 || (static_cast<uint8_t>(bytes[1]) & 0x80) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a PCP response (version ", static_cast<uint8_t>(bytes[0]),
        ", byte 1 = ", static_cast<uint8_t>(bytes[1]), ")"));
  }
  out.version = 2;
  out.opcode = static_cast<uint8_t>(bytes[1]) & 0x7f;
  out.result_code = static_cast<uint8_t>(bytes[3]);
  out.lifetime = Be32(bytes, 4);
  out.epoch_seconds = Be32(bytes, 8);
  return out;
}

std::string PcpResultText(uint8_t code) {
  static const char* const kNames[] = {
      "success",
      "unsupported version",
      "not authorised",
      "malformed request",
      "unsupported opcode",
      "unsupported option",
      "malformed option",
      "network failure",
      "no resources",
      "unsupported protocol",
      "user exceeded quota",
      "cannot provide external address",
      "address mismatch (another NAT sits between this host and the PCP "
      "server)",
      "excessive remote peers"};
  if (code < sizeof(kNames) / sizeof(kNames[0])) return kNames[code];
  return absl::StrCat("unknown result code ", code);
}

}  // namespace natscope::ingest
