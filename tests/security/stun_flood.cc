// Test-only STUN client for tests/security/stun_limits_test.sh: Binding
// requests to one server from many distinct loopback source addresses, as
// a flood of spoofed sources would arrive.
//
//   stun_flood flood SERVER --first_source=127.77.0.1 --sources=N
//       --per_source=K [--rounds=R]
//   stun_flood probe SERVER --source=127.78.0.1
//
// flood: source i (first_source + i, each its own socket) sends K requests
// back to back and collects the Binding successes that come back until K
// have or none came for --quiet; R rounds of that per source, one source
// after the other, so the server's receive buffer never overflows. Prints
// "sent=S replies=P answered_sources=A" (A: sources with a reply).
// probe: one Binding request from --source, retransmitted up to --tries
// times (each waiting --quiet); exits 0 and prints "mapped=IP:PORT" for a
// success naming that source, else 1 with "FAIL: ...". Loopback only.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "common/flags.h"
#include "common/io/udp_socket.h"
#include "common/net/socket_address.h"
#include "common/stun/binding.h"
#include "common/stun/codec.h"

namespace natscope {
namespace {

struct Options {
  std::string first_source = "127.77.0.1";
  int64_t sources = 1;
  int64_t per_source = 1;
  int64_t rounds = 1;
  std::string source = "127.78.0.1";
  int64_t tries = 5;
  absl::Duration quiet = absl::Milliseconds(300);
};

int Fail(const std::string& message) {
  std::cout << "FAIL: " << message << std::endl;
  return 1;
}

// The IPv4 address `n` after `first`; loopback (127/8) only.
absl::StatusOr<net::SocketAddress> NthLoopback(const std::string& first,
                                               int64_t n) {
  auto base = net::SocketAddress::FromIp(first, 0);
  if (!base.ok()) return base.status();
  const auto b = base->address_bytes();
  const uint32_t ip = (uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 |
                       uint32_t{b[2]} << 8 | b[3]) +
                      static_cast<uint32_t>(n);
  if (!base->is_ipv4() || b[0] != 127 || ip >> 24 != 127) {
    return absl::InvalidArgumentError(
        absl::StrCat(first, " + ", n,
                     " leaves 127.0.0.0/8; traffic must "
                     "stay on loopback"));
  }
  return net::SocketAddress::IPv4(
      {127, static_cast<uint8_t>(ip >> 16), static_cast<uint8_t>(ip >> 8),
       static_cast<uint8_t>(ip)},
      0);
}

std::string Request(absl::BitGen& gen) {
  stun::EncodeOptions options;
  options.add_fingerprint = true;
  auto bytes = stun::Encode(
      stun::MakeBindingRequest(stun::NewTransactionId(gen)), options);
  return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : "";
}

// True for a Binding success whose XOR-MAPPED-ADDRESS is `self`.
bool IsSuccessFor(const io::Datagram& d, const net::SocketAddress& self) {
  auto m = stun::Decode(absl::Span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(d.payload.data()), d.payload.size()));
  return m.ok() && m->message_class == stun::MessageClass::kSuccessResponse &&
         m->xor_mapped_address == self;
}

// Successes received on `socket` until `want` came or none for `quiet`.
int64_t Collect(io::UdpSocket& socket, int64_t want, absl::Duration quiet) {
  int64_t got = 0;
  while (got < want) {
    auto d = socket.Receive(quiet);
    if (!d.ok() || !d->has_value()) break;
    if (IsSuccessFor(**d, socket.local_address())) ++got;
  }
  return got;
}

int Flood(const net::SocketAddress& server, const Options& o) {
  absl::BitGen gen;
  int64_t sent = 0, replies = 0, answered = 0;
  for (int64_t i = 0; i < o.sources; ++i) {
    auto local = NthLoopback(o.first_source, i);
    if (!local.ok()) return Fail(std::string(local.status().message()));
    auto socket = io::UdpSocket::Bind(*local);
    if (!socket.ok()) return Fail(std::string(socket.status().message()));
    int64_t mine = 0;
    for (int64_t r = 0; r < o.rounds; ++r) {
      for (int64_t k = 0; k < o.per_source; ++k) {
        absl::Status s = socket->SendTo(Request(gen), server);
        if (!s.ok()) return Fail(std::string(s.message()));
        ++sent;
      }
      mine += Collect(*socket, o.per_source, o.quiet);
    }
    replies += mine;
    if (mine > 0) ++answered;
  }
  std::cout << "sent=" << sent << " replies=" << replies
            << " answered_sources=" << answered << std::endl;
  return 0;
}

int Probe(const net::SocketAddress& server, const Options& o) {
  auto local = NthLoopback(o.source, 0);
  if (!local.ok()) return Fail(std::string(local.status().message()));
  auto socket = io::UdpSocket::Bind(*local);
  if (!socket.ok()) return Fail(std::string(socket.status().message()));
  absl::BitGen gen;
  for (int64_t t = 0; t < o.tries; ++t) {
    absl::Status s = socket->SendTo(Request(gen), server);
    if (!s.ok()) return Fail(std::string(s.message()));
    if (Collect(*socket, 1, o.quiet) == 1) {
      std::cout << "mapped=" << socket->local_address().ToString() << std::endl;
      return 0;
    }
  }
  return Fail(absl::StrCat("no Binding success from ", server.ToString(),
                           " to ", socket->local_address().ToString(),
                           " after ", o.tries, " tries"));
}

int Main(int argc, char** argv) {
  Options o;
  FlagSet flags("stun_flood",
                "usage: stun_flood flood|probe 127.0.0.1:PORT [flags]");
  flags.String("first_source", &o.first_source, "flood: first source IP.");
  flags.Int("sources", &o.sources, "flood: number of source IPs.");
  flags.Int("per_source", &o.per_source, "flood: requests per round.");
  flags.Int("rounds", &o.rounds, "flood: rounds per source.");
  flags.String("source", &o.source, "probe: the source IP.");
  flags.Int("tries", &o.tries, "probe: transmissions at most.");
  flags.Duration("quiet", &o.quiet, "How long to wait for more replies.");
  std::vector<std::string> positional;
  absl::Status parsed =
      flags.Parse(std::vector<std::string>(argv + 1, argv + argc), &positional);
  if (!parsed.ok()) return Fail(std::string(parsed.message()));
  if (positional.size() != 2) {
    return Fail("usage: stun_flood flood|probe 127.0.0.1:PORT [flags]");
  }
  auto server = net::SocketAddress::Parse(positional[1]);
  if (!server.ok()) return Fail(std::string(server.status().message()));
  if (!server->is_ipv4() || server->address_bytes()[0] != 127) {
    return Fail("the server must be on loopback (127.0.0.0/8)");
  }
  if (positional[0] == "flood") return Flood(*server, o);
  if (positional[0] == "probe") return Probe(*server, o);
  return Fail("the first argument must be flood or probe");
}

}  // namespace
}  // namespace natscope

int main(int argc, char** argv) { return natscope::Main(argc, argv); }
