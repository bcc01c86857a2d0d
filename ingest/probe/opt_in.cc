#include "ingest/probe/opt_in.h"

#include <algorithm>
#include <memory>
#include <string>

#include "common/stun/codec.h"
#include "ingest/probe/binding.h"

namespace natscope::ingest {
namespace {

net::SocketAddress Wildcard(const net::SocketAddress& like) {
  return like.is_ipv4() ? net::SocketAddress() : net::SocketAddress::IPv6({}, 0);
}

// Test I from `socket`: the mapped address, or nullopt.
std::optional<net::SocketAddress> Mapping(DatagramSocket& socket,
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
bool Receives(DatagramSocket& socket, const stun::TransactionId& id,
              absl::Duration wait, const Clock& clock) {
  const absl::Time until = clock.Now() + wait;
  do {  // At least one look, even with no time to wait.
    auto receipt = socket.ReceiveUntil(until);
    if (!receipt.ok() || receipt->kind != Receipt::Kind::kDatagram) continue;
    const std::string& p = receipt->datagram.payload;
    auto decoded = stun::Decode(absl::Span<const uint8_t>(
        reinterpret_cast<const uint8_t*>(p.data()), p.size()));
    if (decoded.ok() && decoded->transaction_id == id) return true;
  } while (clock.Now() < until);
  return false;
}

}  // namespace

std::optional<bool> TestHairpinning(ProbeNetwork& network,
                                    const net::SocketAddress& server,
                                    const RetransmitPolicy& policy,
                                    const Clock& clock) {
  auto socket = network.Bind(Wildcard(server));
  auto other = network.Bind(Wildcard(server));
  if (!socket.ok() || !other.ok()) return std::nullopt;
  const std::optional<net::SocketAddress> mapped =
      Mapping(**socket, server, policy, clock);
  if (!mapped) return std::nullopt;
  const stun::Message probe = NewBindingRequest();
  auto wire = stun::Encode(probe);
  if (!wire.ok()) return std::nullopt;
  const std::string bytes(wire->begin(), wire->end());
  for (size_t i = 0; i < TransmissionOffsets(policy).size(); ++i) {
    (void)(*other)->SendTo(bytes, *mapped);
    if (Receives(**socket, probe.transaction_id, policy.initial_rto, clock)) return true;
  }
  return false;
}

std::optional<int64_t> TestBindingLifetime(ProbeNetwork& network,
                                           const net::SocketAddress& server,
                                           absl::Duration longest,
                                           const RetransmitPolicy& policy,
                                           const Clock& clock) {
  auto asker = network.Bind(Wildcard(server));
  if (!asker.ok()) return std::nullopt;
  int64_t survived = 0;
  // A fresh mapping per interval, so an answer that reached one mapping
  // cannot have refreshed the next.
  for (absl::Duration idle = absl::Seconds(1); idle <= longest; idle *= 2) {
    auto socket = network.Bind(Wildcard(server));
    if (!socket.ok()) return std::nullopt;
    const std::optional<net::SocketAddress> mapped =
        Mapping(**socket, server, policy, clock);
    if (!mapped) return std::nullopt;
    clock.SleepFor(idle);
    stun::Message request = NewBindingRequest();
    request.response_port = mapped->port();
    auto wire = stun::Encode(request);
    if (!wire.ok()) return std::nullopt;
    (void)(*asker)->SendTo(std::string(wire->begin(), wire->end()), server);
    // The answer goes to the mapping's port; the asker hears only errors
    // (a server without RESPONSE-PORT answers it with 420).
    if (!Receives(**socket, request.transaction_id, policy.timeout, clock)) {
      if (survived == 0 &&
          Receives(**asker, request.transaction_id, absl::ZeroDuration(), clock)) {
        return std::nullopt;
      }
      break;
    }
    survived = absl::ToInt64Seconds(idle);
  }
  return survived;
}

}  // namespace natscope::ingest
