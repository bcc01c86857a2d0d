// libFuzzer target for natscope-server's pure UDP responder cores and the
// QUIC version negotiation library.
//
// Each input picks the responder's configuration (IPv4 or IPv6 server,
// with or without an alternate address, a wildcard primary, 0 to 20
// advertised ports), the source address (IPv4, IPv6 or IPv4-mapped), the
// receiving sockets, how often the datagram is repeated, from which
// related sources (same IPv6 /64 or not) and how far the clock moves, and
// the datagram itself (raw, or repaired into well-framed STUN, optionally
// with a valid FINGERPRINT or as an RFC 3489 "classic" header without the
// magic cookie, or padded to a QUIC Initial's 1200 bytes).
// These parameters are consumed before the datagram, which FuzzedDataProvider
// takes from the input's end, so the datagram is the input's front and raw
// STUN seeds stay meaningful (corpus/stun/ipv6_alternate_16_ports.bin is a
// bare Binding request followed by the parameters of the largest reply).
// Invariants checked on every reply:
//   * STUN replies decode, carry a valid FINGERPRINT and the request's
//     transaction id, come from a socket the server has, go to the source
//     IP, and are at most kMaxResponseGrowth bytes larger than the request
//     (no larger at all when they carry PADDING);
//   * successes list a prefix of the advertised ports, all of them (up to
//     kMaxAdvertisedPorts) for a request of 28 bytes or more without
//     PADDING;
//   * classic requests get classic replies: no cookie, the 16-byte id,
//     only attributes a classic client reads (values a multiple of 4),
//     always back to the source, within kMaxResponseGrowth too; successes
//     carry the source as MAPPED-ADDRESS, CHANGED-ADDRESS exactly when
//     there is an alternate, and answer no unknown required attribute;
//   * the rate limiter never refuses a source it has not seen before and
//     never tracks more than its max_sources;
//   * QUIC VN replies parse, echo the connection IDs swapped, are smaller
//     than the datagram, and only answer >= 1200-byte long-header packets
//     of versions other than 0 and 1;
//   * the client-side parser never crashes and its result adds up;
//   * a probe built from the input's seed is answered and accepted.
// A broken invariant aborts, which libFuzzer reports as a crash.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "common/quic/version_negotiation.h"
#include "common/stun/classic.h"
#include "common/stun/classic_testing.h"
#include "common/stun/codec.h"
#include "common/stun/integrity.h"
#include "common/stun/natscope_ports.h"
#include "server/stun/quic_responder_core.h"
#include "server/stun/rate_limiter.h"
#include "server/stun/stun_server_core.h"

namespace natscope::server {
namespace {

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

absl::Span<const uint8_t> Bytes(const std::string& s) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()),
                                   s.size());
}

enum class SourceKind { kIPv4, kIPv6, kIPv4Mapped };

net::SocketAddress Source(FuzzedDataProvider& in, SourceKind kind) {
  const uint16_t port = in.ConsumeIntegral<uint16_t>();
  std::array<uint8_t, 16> ip{};
  if (kind == SourceKind::kIPv6) {
    for (uint8_t& b : ip) b = in.ConsumeIntegral<uint8_t>();
    return net::SocketAddress::IPv6(ip, port);
  }
  for (int i = 12; i < 16; ++i) ip[i] = in.ConsumeIntegral<uint8_t>();
  if (kind == SourceKind::kIPv4) {
    return net::SocketAddress::IPv4({ip[12], ip[13], ip[14], ip[15]}, port);
  }
  ip[10] = ip[11] = 0xff;
  return net::SocketAddress::IPv6(ip, port);
}

// The source of the i-th repeat: `hop` 0 is `base` itself, 1 the same
// IPv6 /64 (another IPv4 address), 2 another /64 or IPv4 address.
net::SocketAddress Hop(const net::SocketAddress& base, uint8_t hop, int i) {
  if (hop == 0) return base;
  const absl::Span<const uint8_t> b = base.address_bytes();
  const uint8_t flip = static_cast<uint8_t>(i + 1);
  if (base.is_ipv4()) {
    std::array<uint8_t, 4> ip{b[0], b[1], b[2], b[3]};
    ip[hop == 1 ? 3 : 0] ^= flip;
    return net::SocketAddress::IPv4(ip, base.port());
  }
  std::array<uint8_t, 16> ip;
  std::copy(b.begin(), b.end(), ip.begin());
  const bool mapped = RateLimitKey(base).is_ipv4();
  ip[hop == 1 ? 15 : (mapped ? 12 : 7)] ^= flip;
  return net::SocketAddress::IPv6(ip, base.port());
}

// Gives arbitrary bytes a valid STUN header (and optionally FINGERPRINT),
// so that the fuzzer spends its time past the framing checks. With both
// top bits of `type` set (they are not part of a message type) the header
// is a classic one: the cookie field keeps the input's bytes, unless they
// happen to be the cookie.
std::string Repair(std::string d, uint16_t type, bool fingerprint) {
  d.resize(std::max<size_t>(d.size(), 20));
  d.resize(20 + (d.size() - 20) / 4 * 4);
  const uint16_t length =
      static_cast<uint16_t>(std::min<size_t>(d.size() - 20, 0xFFFC));
  d.resize(20 + length);
  d[0] = static_cast<char>((type >> 8) & 0x3F);
  d[1] = static_cast<char>(type & 0xFF);
  d[2] = static_cast<char>(length >> 8);
  d[3] = static_cast<char>(length & 0xFF);
  const char cookie[] = {0x21, 0x12, static_cast<char>(0xA4), 0x42};
  if ((type & 0xC000) == 0xC000) {
    if (d.compare(4, 4, cookie, 4) == 0) d[4] ^= 1;
    return d;
  }
  d.replace(4, 4, cookie, 4);
  if (!fingerprint) return d;
  auto decoded = stun::Decode(Bytes(d));
  if (!decoded.ok()) return d;
  stun::EncodeOptions options;
  options.add_fingerprint = true;
  auto encoded = stun::Encode(*decoded, options);
  if (!encoded.ok()) return d;
  return std::string(encoded->begin(), encoded->end());
}

// A success lists a prefix of `advertised`, and all of it (up to the cap)
// when the request leaves room for that.
void CheckListedPorts(const stun::Message& m, size_t request_size,
                      const std::vector<uint16_t>& advertised) {
  const std::vector<uint16_t> listed =
      stun::NatscopePorts(m).value_or(std::vector<uint16_t>{});
  Check(listed.size() <= advertised.size() &&
            std::equal(listed.begin(), listed.end(), advertised.begin()),
        "NATSCOPE-PORTS is not a prefix of the advertised ports");
  const size_t all = std::min(advertised.size(), stun::kMaxAdvertisedPorts);
  Check(listed.size() >= std::min<size_t>(all, 12),
        "fewer than 12 advertised ports listed");
  if (request_size >= 28 && !m.padding_length) {
    Check(listed.size() == all, "advertised ports dropped from a 28+ request");
  }
}

// A classic request gets a classic reply (RFC 8489 §11).
void CheckClassicReply(const StunServerCore& core, const std::string& request,
                       StunSocket on, const net::SocketAddress& source,
                       const StunReply& reply) {
  auto decoded_request = stun::DecodeClassic(Bytes(request));
  Check(decoded_request.ok(), "answered an undecodable classic request");
  Check(!stun::IsStunMessage(Bytes(reply.bytes)),
        "classic reply carries the magic cookie");
  Check(stun::CheckClassicReadable(Bytes(reply.bytes)).ok(),
        "a classic client cannot read the reply");
  stun::ClassicTransactionId id;
  auto m = stun::DecodeClassicForTest(Bytes(reply.bytes), &id);
  Check(m.ok(), "classic reply does not decode");
  Check(id == decoded_request->transaction_id, "classic transaction id");
  Check(m->method == decoded_request->method, "classic reply's method");
  Check(reply.bytes.size() <= request.size() + kMaxResponseGrowth,
        "classic reply amplifies beyond kMaxResponseGrowth");
  Check(reply.to == source, "classic reply not sent back to the source");
  Check(core.has_alternate() || reply.from == StunSocket::kPrimary,
        "single-address server sent from a socket it lacks");
  if (m->message_class == stun::MessageClass::kErrorResponse) {
    Check(reply.from == on, "classic error not sent from the receiving socket");
    return;
  }
  Check(m->message_class == stun::MessageClass::kSuccessResponse,
        "classic reply is not a response");
  Check(decoded_request->unknown_comprehension_required.empty(),
        "classic success despite an unknown required attribute");
  Check(m->mapped_address == source, "MAPPED-ADDRESS is not the source");
  Check(m->changed_address.has_value() == core.has_alternate(),
        "CHANGED-ADDRESS present without an alternate, or missing");
  Check(!m->source_address || *m->source_address == core.AddressOf(reply.from),
        "SOURCE-ADDRESS is not the sending socket");
}

void CheckStunReply(const StunServerCore& core, const std::string& request,
                    StunSocket on, const net::SocketAddress& source,
                    const std::vector<uint16_t>& advertised,
                    const StunReply& reply) {
  if (stun::IsClassicStun(Bytes(request))) {
    CheckClassicReply(core, request, on, source, reply);
    return;
  }
  auto decoded_request = stun::Decode(Bytes(request));
  Check(decoded_request.ok(), "answered an undecodable request");
  Check(stun::VerifyFingerprint(Bytes(reply.bytes)).ok(), "bad FINGERPRINT");
  auto m = stun::Decode(Bytes(reply.bytes));
  Check(m.ok(), "reply does not decode");
  Check(m->transaction_id == decoded_request->transaction_id, "transaction id");
  Check(m->message_class == stun::MessageClass::kSuccessResponse ||
            m->message_class == stun::MessageClass::kErrorResponse,
        "reply is not a response");
  Check(reply.bytes.size() <= request.size() + kMaxResponseGrowth,
        "reply amplifies beyond kMaxResponseGrowth");
  if (m->padding_length && *m->padding_length > 0) {
    Check(reply.bytes.size() <= request.size(), "PADDING reply amplifies");
  }
  Check(reply.to.WithPort(0) == source.WithPort(0), "reply to another IP");
  Check(core.has_alternate() || reply.from == StunSocket::kPrimary,
        "single-address server sent from a socket it lacks");
  if (m->message_class == stun::MessageClass::kErrorResponse) {
    Check(reply.from == on && reply.to == source, "error not sent back");
    return;
  }
  if (reply.to != source) {
    Check(decoded_request->response_port.has_value(), "unasked redirect");
  }
  CheckListedPorts(*m, request.size(), advertised);
}

// Everything but the datagram, consumed first (from the input's end).
struct Params {
  uint8_t mode = 0;
  uint16_t stun_type = 0;
  // The responder's configuration.
  bool alternate = false;
  bool server_ipv6 = false;
  bool wildcard = false;  // Primary 0.0.0.0 or ::; only without alternate.
  std::vector<uint16_t> advertised_ports;
  net::SocketAddress source;
  absl::Time now;
  int repeats = 1;
  std::array<StunSocket, 4> on{};
  std::array<int, 4> delta_ms{};
  std::array<uint8_t, 4> hop{};  // See Hop().
  uint64_t vn_seed = 0;
  uint64_t probe_seed = 0;
};

void ConsumeConfig(FuzzedDataProvider& in, Params* p) {
  const uint8_t shape = in.ConsumeIntegral<uint8_t>();
  p->alternate = shape & 1;
  p->server_ipv6 = shape & 2;
  p->wildcard = (shape & 4) && !p->alternate;
  // More than kMaxAdvertisedPorts, to check the cap.
  const int port_count = in.ConsumeIntegralInRange<int>(0, 20);
  const uint16_t first_port = in.ConsumeIntegral<uint16_t>();
  for (int i = 0; i < port_count; ++i) {
    p->advertised_ports.push_back(static_cast<uint16_t>(first_port + i));
  }
}

Params ConsumeParams(FuzzedDataProvider& in) {
  Params p;
  p.mode = in.ConsumeIntegral<uint8_t>();
  p.stun_type = in.ConsumeIntegral<uint16_t>();
  ConsumeConfig(in, &p);
  p.source =
      Source(in, static_cast<SourceKind>(in.ConsumeIntegralInRange<int>(0, 2)));
  p.now = absl::FromUnixSeconds(1700000000) +
          absl::Milliseconds(in.ConsumeIntegral<uint32_t>());
  p.repeats = in.ConsumeIntegralInRange<int>(1, 4);
  for (int i = 0; i < 4; ++i) {
    p.on[i] = static_cast<StunSocket>(in.ConsumeIntegralInRange<int>(0, 3));
    p.delta_ms[i] = in.ConsumeIntegralInRange<int>(-100, 3000);
    p.hop[i] = in.ConsumeIntegralInRange<uint8_t>(0, 2);
  }
  p.vn_seed = in.ConsumeIntegral<uint64_t>();
  p.probe_seed = in.ConsumeIntegral<uint64_t>();
  return p;
}

StunServerConfig MakeConfig(const Params& p) {
  auto parse = [](const char* text) {
    return *net::SocketAddress::Parse(text);
  };
  if (p.wildcard) {
    return {parse(p.server_ipv6 ? "[::]:3478" : "0.0.0.0:3478"), std::nullopt};
  }
  StunServerConfig config{
      parse(p.server_ipv6 ? "[2001:db8::1]:3478" : "198.51.100.1:3478"),
      std::nullopt};
  if (p.alternate) {
    config.alternate =
        parse(p.server_ipv6 ? "[2001:db8::2]:3479" : "198.51.100.2:3479");
  }
  return config;
}

void FuzzStun(const Params& p, const std::string& datagram) {
  const size_t kMaxSources = 2;  // Fewer than the sources of 4 repeats.
  RateLimiter limiter({/*rate_per_second=*/1, /*burst=*/2, kMaxSources});
  auto core = StunServerCore::Create(MakeConfig(p), &limiter);
  Check(core.ok(), "valid config rejected");
  core->set_advertised_ports(p.advertised_ports);
  std::vector<net::SocketAddress> seen;  // Rate-limit keys.
  absl::Time now = p.now;
  for (int i = 0; i < p.repeats; ++i) {
    const net::SocketAddress source = Hop(p.source, p.hop[i], i);
    const net::SocketAddress key = RateLimitKey(source);
    const bool fresh = std::find(seen.begin(), seen.end(), key) == seen.end();
    if (fresh) seen.push_back(key);
    const int64_t limited = core->counters().rate_limited;
    auto reply = core->Handle(datagram, p.on[i], source, now);
    if (reply) {
      CheckStunReply(*core, datagram, p.on[i], source, p.advertised_ports,
                     *reply);
    }
    Check(!fresh || core->counters().rate_limited == limited,
          "a source never seen before was rate-limited");
    Check(limiter.tracked_sources() <= kMaxSources, "limiter table overflows");
    now += absl::Milliseconds(p.delta_ms[i]);
  }
  const StunServerCounters& c = core->counters();
  Check(c.responses + c.rate_limited <= c.requests, "counters do not add up");
  Check(c.classic <= c.requests, "more classic requests than requests");
}

void CheckVnReply(const std::string& datagram, const std::string& vn) {
  Check(datagram.size() >= quic::kMinInitialDatagramSize,
        "answered a short one");
  Check(vn.size() < datagram.size(), "VN not smaller than the datagram");
  auto request = quic::ParseVersionNegotiation(Bytes(datagram));
  Check(!request.ok(), "answered a Version Negotiation packet");
  auto parsed = quic::ParseVersionNegotiation(Bytes(vn));
  Check(parsed.ok(), "own VN does not parse");
  Check(parsed->supported_versions == std::vector<uint32_t>{quic::kVersion1},
        "VN lists other versions");
  // The request's DCID starts at byte 6 after its length at byte 5.
  const size_t dcid_len = static_cast<uint8_t>(datagram[5]);
  Check(parsed->scid == quic::ConnectionId(datagram.begin() + 6,
                                           datagram.begin() + 6 + dcid_len),
        "VN SCID is not the request's DCID");
}

void FuzzQuic(const Params& p, const std::string& datagram) {
  auto parsed = quic::ParseVersionNegotiation(Bytes(datagram));
  if (parsed.ok()) {
    Check(!parsed->supported_versions.empty(), "empty version list accepted");
    Check(7 + parsed->dcid.size() + parsed->scid.size() +
                  4 * parsed->supported_versions.size() ==
              datagram.size(),
          "parsed VN does not add up");
  }
  RateLimiter limiter;
  QuicResponderCore core(&limiter, p.vn_seed);
  auto vn = core.Handle(datagram, p.source, p.now);
  if (vn) CheckVnReply(datagram, *vn);
  std::mt19937_64 gen(p.probe_seed);
  quic::VersionProbe probe = quic::BuildVersionProbe(gen);
  auto answer = core.Handle(std::string(probe.bytes.begin(), probe.bytes.end()),
                            p.source, p.now);
  Check(answer.has_value(), "probe not answered");
  Check(quic::ParseProbeAnswer(Bytes(*answer), probe).ok(),
        "probe rejects the server's answer");
}

}  // namespace
}  // namespace natscope::server

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace natscope::server;  // NOLINT: local to the entry point.
  FuzzedDataProvider in(data, size);
  const Params params = ConsumeParams(in);
  std::string datagram = in.ConsumeRemainingBytesAsString();
  if (params.mode & 1) {
    datagram = Repair(std::move(datagram), params.stun_type, params.mode & 2);
  }
  if (params.mode & 4) {
    datagram.resize(std::max<size_t>(datagram.size(), 1200), '\0');
  }
  FuzzStun(params, datagram);
  FuzzQuic(params, datagram);
  return 0;
}
