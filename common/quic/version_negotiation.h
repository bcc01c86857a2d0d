// QUIC version negotiation (RFC 9000 §6, §15, §17.2.1), both halves.
//
// Client: BuildVersionProbe makes a long-header, Initial-like packet that
// carries a reserved ("greased") version, so any QUIC server that sees it
// must answer with a Version Negotiation packet; ParseVersionNegotiation
// and CheckAnswersProbe validate that answer. A VN reply therefore proves
// that QUIC-sized UDP datagrams reach a QUIC endpoint and come back,
// without a handshake, keys or TLS.
//
// Server: VersionNegotiationFor answers a long-header packet with an
// unsupported version.
//
// Pure functions over bytes: no sockets, no clock, no global state;
// randomness comes from the caller's generator. Thread-compatible.
#ifndef NATSCOPE_COMMON_QUIC_VERSION_NEGOTIATION_H_
#define NATSCOPE_COMMON_QUIC_VERSION_NEGOTIATION_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/random/bit_gen_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace natscope::quic {

inline constexpr uint32_t kVersion1 = 0x00000001;
// RFC 9000 §14.1: a client pads datagrams carrying Initial packets to at
// least this size, and servers drop smaller ones of unknown versions.
inline constexpr size_t kMinInitialDatagramSize = 1200;
// The QUIC invariants (RFC 8999) allow connection IDs up to 255 bytes in
// long headers of unknown versions; QUIC v1 caps them at 20.
inline constexpr size_t kMaxConnectionIdLength = 255;
inline constexpr size_t kProbeConnectionIdLength = 8;

using ConnectionId = std::vector<uint8_t>;

// True for the versions RFC 9000 §15 reserves to exercise negotiation:
// 0x?a?a?a?a (the low nibble of every byte is 0xa).
bool IsReservedVersion(uint32_t version);

// A random reserved version.
uint32_t RandomReservedVersion(absl::BitGenRef gen);

struct VersionProbe {
  // The datagram to send: exactly kMinInitialDatagramSize bytes.
  std::vector<uint8_t> bytes;
  uint32_t version = 0;  // A reserved version.
  ConnectionId dcid;     // kProbeConnectionIdLength random bytes.
  ConnectionId scid;     // kProbeConnectionIdLength random bytes.
};

// A long-header Initial-like packet (header form 1, fixed bit 1, type
// Initial) with a random reserved version, random DCID and SCID, an empty
// token, and random payload bytes filling the datagram to 1200 bytes.
VersionProbe BuildVersionProbe(absl::BitGenRef gen);

struct VersionNegotiation {
  ConnectionId dcid;                         // Must equal the probe's SCID.
  ConnectionId scid;                         // Must equal the probe's DCID.
  std::vector<uint32_t> supported_versions;  // Wire order; never empty.
};

// Parses `datagram` as a Version Negotiation packet: header form 1,
// version 0, the two connection IDs, and a non-empty list of 32-bit
// versions filling the rest. Returns InvalidArgument saying what is wrong
// otherwise (short header, another version, truncated, a version list that
// is empty or not a multiple of 4 bytes).
absl::StatusOr<VersionNegotiation> ParseVersionNegotiation(
    absl::Span<const uint8_t> datagram);

// Checks that `vn` answers `probe` (RFC 9000 §6.2): the connection IDs are
// the probe's, swapped, and the list does not contain the probe's own
// version (a client must discard such a packet). Returns FailedPrecondition
// naming the mismatch.
absl::Status CheckAnswersProbe(const VersionNegotiation& vn,
                               const VersionProbe& probe);

// ParseVersionNegotiation then CheckAnswersProbe: the datagram a probe
// client receives, validated in one call.
absl::StatusOr<VersionNegotiation> ParseProbeAnswer(
    absl::Span<const uint8_t> datagram, const VersionProbe& probe);

// Server side: the Version Negotiation packet that answers `datagram`, or
// nullopt when it deserves none. Answers only a long-header packet whose
// version is neither 0 (never answer a VN) nor one of `supported`, in a
// datagram of at least kMinInitialDatagramSize bytes (RFC 9000 §6.1,
// §14.1: smaller ones must be dropped, which also bounds amplification).
// The reply echoes the connection IDs swapped, lists `supported` (which
// must not be empty), sets the unused bits randomly from `gen` with 0x40
// set (RFC 9000 §17.2.1), and is never larger than `datagram`.
std::optional<std::vector<uint8_t>> VersionNegotiationFor(
    absl::Span<const uint8_t> datagram, absl::Span<const uint32_t> supported,
    absl::BitGenRef gen);

}  // namespace natscope::quic

#endif  // NATSCOPE_COMMON_QUIC_VERSION_NEGOTIATION_H_
