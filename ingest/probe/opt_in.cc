#include "ingest/probe/opt_in.h"

#include <thread>

#include "absl/time/clock.h"
#include "common/io/udp_socket.h"
#include "common/stun/codec.h"
#include "ingest/probe/binding.h"

namespace natscope::ingest {
namespace {

net::SocketAddress Wildcard(const net::SocketAddress& like) {
  return like.is_ipv4() ? net::SocketAddress() : net::SocketAddress::IPv6({}, 0);
}

// Test I from `socket`: the mapped address, or nullopt.
std::optional<net::SocketAddress> Mapping(io::UdpSocket& socket,
                                          const net::SocketAddress& server,
                                          const RetransmitPolicy& policy,
                                          const Clock& clock) {
  auto results = RunBindings(socket, {{server, NewBindingRequest(), "binding", server}},
                             socket.local_address(), policy, clock, nullptr);
  const auto& response = results[0].response;
  if (!response || !response->xor_mapped_address) return std::nullopt;
  return response->xor_mapped_address;
}

// True when `socket` receives a STUN message with transaction id `id`
// within `wait`.
bool Receives(io::UdpSocket& socket, const stun::TransactionId& id,
              absl::Duration wait) {
  const absl::Time until = absl::Now() + wait;
  do {  // At least one look, even with no time to wait.
    auto datagram = socket.Receive(std::max(absl::ZeroDuration(), until - absl::Now()));
    if (!datagram.ok() || !datagram->has_value()) continue;
    const std::string& p = (*datagram)->payload;
    auto decoded = stun::Decode(absl::Span<const uint8_t>(
        reinterpret_cast<const uint8_t*>(p.data()), p.size()));
    if (decoded.ok() && decoded->transaction_id == id) return true;
  } while (absl::Now() < until);
  return false;
}

}  // namespace

std::optional<bool> TestHairpinning(const net::SocketAddress& server,
                                    const RetransmitPolicy& policy,
                                    const Clock& clock) {
  auto socket = io::UdpSocket::Bind(Wildcard(server));
  auto other = io::UdpSocket::Bind(Wildcard(server));
  if (!socket.ok() || !other.ok()) return std::nullopt;
  const std::optional<net::SocketAddress> mapped = Mapping(*socket, server, policy, clock);
  if (!mapped) return std::nullopt;
  const stun::Message probe = NewBindingRequest();
  auto wire = stun::Encode(probe);
  if (!wire.ok()) return std::nullopt;
  const std::string bytes(wire->begin(), wire->end());
  for (const absl::Duration at : TransmissionOffsets(policy)) {
    (void)at;
    (void)other->SendTo(bytes, *mapped);
    if (Receives(*socket, probe.transaction_id, policy.initial_rto)) return true;
  }
  return false;
}

std::optional<int64_t> TestBindingLifetime(const net::SocketAddress& server,
                                           absl::Duration longest,
                                           const RetransmitPolicy& policy,
                                           const Clock& clock) {
  auto asker = io::UdpSocket::Bind(Wildcard(server));
  if (!asker.ok()) return std::nullopt;
  int64_t survived = 0;
  // A fresh mapping per interval, so an answer that reached one mapping
  // cannot have refreshed the next.
  for (absl::Duration idle = absl::Seconds(1); idle <= longest; idle *= 2) {
    auto socket = io::UdpSocket::Bind(Wildcard(server));
    if (!socket.ok()) return std::nullopt;
    const std::optional<net::SocketAddress> mapped =
        Mapping(*socket, server, policy, clock);
    if (!mapped) return std::nullopt;
    absl::SleepFor(idle);
    stun::Message request = NewBindingRequest();
    request.response_port = mapped->port();
    auto wire = stun::Encode(request);
    if (!wire.ok()) return std::nullopt;
    (void)asker->SendTo(std::string(wire->begin(), wire->end()), server);
    // The answer goes to the mapping's port; the asker hears only errors
    // (a server without RESPONSE-PORT answers it with 420).
    if (!Receives(*socket, request.transaction_id, policy.timeout)) {
      if (survived == 0 && Receives(*asker, request.transaction_id, absl::ZeroDuration())) {
        return std::nullopt;
      }
      break;
    }
    survived = absl::ToInt64Seconds(idle);
  }
  return survived;
}

}  // namespace natscope::ingest
