#include "common/quic/version_negotiation.h"

#include <algorithm>

#include "absl/random/distributions.h"
#include "absl/strings/str_format.h"

namespace natscope::quic {
namespace {

constexpr uint8_t kLongHeaderBit = 0x80;
constexpr uint8_t kFixedBit = 0x40;
// Long packet type 0 (Initial) with a 4-byte packet number (low bits 11).
constexpr uint8_t kInitialFirstByte = kLongHeaderBit | kFixedBit | 0x03;

void AppendU32(uint32_t v, std::vector<uint8_t>* out) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<uint8_t>(v >> shift));
  }
}

uint32_t ReadU32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

ConnectionId RandomConnectionId(absl::BitGenRef gen) {
  ConnectionId id(kProbeConnectionIdLength);
  for (uint8_t& b : id) b = absl::Uniform<uint8_t>(gen);
  return id;
}

void AppendConnectionId(const ConnectionId& id, std::vector<uint8_t>* out) {
  out->push_back(static_cast<uint8_t>(id.size()));
  out->insert(out->end(), id.begin(), id.end());
}

// The invariant part of any long header (RFC 8999 §5.1).
struct LongHeader {
  uint32_t version = 0;
  ConnectionId dcid;
  ConnectionId scid;
  size_t end = 0;  // Offset of the first byte after the SCID.
};

// Reads the long header's invariant fields, or explains why it cannot.
absl::StatusOr<LongHeader> ReadLongHeader(absl::Span<const uint8_t> d) {
  if (d.empty() || (d[0] & kLongHeaderBit) == 0) {
    return absl::InvalidArgumentError(
        "not a QUIC long-header packet (header form bit is 0)");
  }
  if (d.size() < 7) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "QUIC long header truncated: %d bytes, at least 7 needed", d.size()));
  }
  LongHeader h;
  h.version = ReadU32(d.data() + 1);
  size_t pos = 5;
  for (ConnectionId* id : {&h.dcid, &h.scid}) {
    if (pos >= d.size() || d[pos] > d.size() - pos - 1) {
      return absl::InvalidArgumentError(
          "QUIC long header truncated inside a connection ID");
    }
    const size_t len = d[pos++];
    id->assign(d.begin() + pos, d.begin() + pos + len);
    pos += len;
  }
  h.end = pos;
  return h;
}

std::string Hex(const ConnectionId& id) {
  std::string s;
  for (uint8_t b : id) s += absl::StrFormat("%02x", b);
  return s.empty() ? "(empty)" : s;
}

}  // namespace

bool IsReservedVersion(uint32_t version) {
  return (version & 0x0F0F0F0Fu) == 0x0A0A0A0Au;
}

uint32_t RandomReservedVersion(absl::BitGenRef gen) {
  return (absl::Uniform<uint32_t>(gen) & 0xF0F0F0F0u) | 0x0A0A0A0Au;
}

VersionProbe BuildVersionProbe(absl::BitGenRef gen) {
  VersionProbe probe;
  probe.version = RandomReservedVersion(gen);
  probe.dcid = RandomConnectionId(gen);
  probe.scid = RandomConnectionId(gen);
  std::vector<uint8_t>& out = probe.bytes;
  out.push_back(kInitialFirstByte);
  AppendU32(probe.version, &out);
  AppendConnectionId(probe.dcid, &out);
  AppendConnectionId(probe.scid, &out);
  out.push_back(0);  // Token length (varint 0).
  // Length (2-byte varint) covers packet number and payload: the rest.
  const size_t length = kMinInitialDatagramSize - out.size() - 2;
  out.push_back(static_cast<uint8_t>(0x40 | (length >> 8)));
  out.push_back(static_cast<uint8_t>(length & 0xFF));
  // Packet number and payload: opaque without the version's keys, so
  // random, as a protected packet would look.
  while (out.size() < kMinInitialDatagramSize) {
    out.push_back(absl::Uniform<uint8_t>(gen));
  }
  return probe;
}

absl::StatusOr<VersionNegotiation> ParseVersionNegotiation(
    absl::Span<const uint8_t> datagram) {
  absl::StatusOr<LongHeader> header = ReadLongHeader(datagram);
  if (!header.ok()) return header.status();
  if (header->version != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "not a Version Negotiation packet: version is 0x%08x, not 0",
        header->version));
  }
  const size_t rest = datagram.size() - header->end;
  if (rest == 0 || rest % 4 != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "Version Negotiation packet has %d bytes of version list; it must be "
        "a non-empty multiple of 4",
        rest));
  }
  VersionNegotiation vn;
  vn.dcid = std::move(header->dcid);
  vn.scid = std::move(header->scid);
  for (size_t pos = header->end; pos < datagram.size(); pos += 4) {
    vn.supported_versions.push_back(ReadU32(datagram.data() + pos));
  }
  return vn;
}

absl::Status CheckAnswersProbe(const VersionNegotiation& vn,
                               const VersionProbe& probe) {
  if (vn.dcid != probe.scid || vn.scid != probe.dcid) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "Version Negotiation packet does not echo the probe's connection IDs "
        "(got DCID %s SCID %s, expected DCID %s SCID %s): it answers another "
        "packet, or a middlebox rewrote it",
        Hex(vn.dcid), Hex(vn.scid), Hex(probe.scid), Hex(probe.dcid)));
  }
  if (std::find(vn.supported_versions.begin(), vn.supported_versions.end(),
                probe.version) != vn.supported_versions.end()) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "Version Negotiation packet lists the probe's own version 0x%08x; "
        "RFC 9000 §6.2 requires discarding it",
        probe.version));
  }
  return absl::OkStatus();
}

absl::StatusOr<VersionNegotiation> ParseProbeAnswer(
    absl::Span<const uint8_t> datagram, const VersionProbe& probe) {
  absl::StatusOr<VersionNegotiation> vn = ParseVersionNegotiation(datagram);
  if (!vn.ok()) return vn.status();
  absl::Status answers = CheckAnswersProbe(*vn, probe);
  if (!answers.ok()) return answers;
  return vn;
}

std::optional<std::vector<uint8_t>> VersionNegotiationFor(
    absl::Span<const uint8_t> datagram, absl::Span<const uint32_t> supported,
    absl::BitGenRef gen) {
  if (datagram.size() < kMinInitialDatagramSize || supported.empty()) {
    return std::nullopt;
  }
  absl::StatusOr<LongHeader> header = ReadLongHeader(datagram);
  if (!header.ok() || header->version == 0 ||
      std::find(supported.begin(), supported.end(), header->version) !=
          supported.end()) {
    return std::nullopt;
  }
  std::vector<uint8_t> out;
  out.push_back(kLongHeaderBit | kFixedBit |
                (absl::Uniform<uint8_t>(gen) & 0x3F));
  AppendU32(0, &out);
  AppendConnectionId(header->scid, &out);
  AppendConnectionId(header->dcid, &out);
  for (uint32_t version : supported) AppendU32(version, &out);
  if (out.size() > datagram.size()) return std::nullopt;
  return out;
}

}  // namespace natscope::quic
