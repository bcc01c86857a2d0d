#include "ingest/probe/port_check.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "common/stun/codec.h"
#include "ingest/probe/binding.h"

namespace natscope::ingest {
namespace {

struct Probe {
  std::unique_ptr<DatagramSocket> socket;  // Null when it could not open.
  net::SocketAddress to;
  std::string wire;
  stun::TransactionId id;
  absl::Time sent;
  bool done = false;
};

// Opens a socket connected to `to` and encodes a fresh request for it.
Probe Open(ProbeNetwork& network, const net::SocketAddress& to) {
  Probe p;
  p.to = to;
  auto socket = network.Connect(to);
  if (socket.ok()) p.socket = std::move(socket).value();
  p.done = p.socket == nullptr;
  stun::Message request = NewBindingRequest();
  p.id = request.transaction_id;
  stun::EncodeOptions options;
  options.add_fingerprint = true;
  auto encoded = stun::Encode(request, options);
  if (encoded.ok()) p.wire.assign(encoded->begin(), encoded->end());
  return p;
}

// Reads what is waiting on `p`; fills `*check` when it concludes.
void Read(Probe& p, absl::Time now, v1::PortCheck* check) {
  while (!p.done) {
    auto receipt = p.socket->ReceiveUntil(absl::InfinitePast());
    if (!receipt.ok() || receipt->kind == Receipt::Kind::kNothing) return;
    if (receipt->kind == Receipt::Kind::kRefused) {
      p.done = true;
      check->set_not_served(true);
      return;
    }
    const std::string& payload = receipt->datagram.payload;
    auto decoded = stun::Decode(absl::Span<const uint8_t>(
        reinterpret_cast<const uint8_t*>(payload.data()), payload.size()));
    if (decoded.ok() && decoded->transaction_id == p.id &&
        decoded->message_class == stun::MessageClass::kSuccessResponse) {
      p.done = true;
      check->set_passed(true);
      check->set_rtt_micros(absl::ToInt64Microseconds(now - p.sent));
    }
  }
}

}  // namespace

std::vector<v1::PortCheck> CheckPorts(ProbeNetwork& network,
                                      const PortCheckPlan& plan,
                                      const Clock& clock) {
  std::vector<v1::PortCheck> checks(plan.ports.size());
  std::vector<Probe> probes;
  std::vector<bool> listed;
  for (size_t i = 0; i < plan.ports.size(); ++i) {
    const net::SocketAddress to =
        plan.server.WithPort(static_cast<uint16_t>(plan.ports[i]));
    checks[i].set_port(plan.ports[i]);
    checks[i].set_server(to.ToString());
    probes.push_back(Open(network, to));
    listed.push_back(std::find(plan.served.begin(), plan.served.end(),
                               plan.ports[i]) != plan.served.end());
  }
  const absl::Time start = clock.Now();
  absl::Time next_send = start;
  while (clock.Now() < start + plan.wait) {
    const absl::Time now = clock.Now();
    // Silence on an unlisted port proves nothing: past unlisted_wait,
    // only a listed port, whose silence means "blocked", is waited for.
    const bool listed_only = now >= start + plan.unlisted_wait;
    std::vector<DatagramSocket*> waiting;
    std::vector<size_t> index;
    for (size_t i = 0; i < probes.size(); ++i) {
      if (probes[i].done || (listed_only && !listed[i])) continue;
      if (now >= next_send) {
        (void)probes[i].socket->SendTo(probes[i].wire, probes[i].to);
        probes[i].sent = now;
      }
      waiting.push_back(probes[i].socket.get());
      index.push_back(i);
    }
    if (waiting.empty()) break;
    if (now >= next_send) next_send = now + plan.interval;
    const absl::Time until =
        start +
        (listed_only ? plan.wait : std::min(plan.unlisted_wait, plan.wait));
    auto ready = network.WaitAny(waiting, std::min(next_send, until));
    if (!ready.ok()) break;
    if (*ready < 0) continue;
    const size_t i = index[static_cast<size_t>(*ready)];
    Read(probes[i], clock.Now(), &checks[i]);
  }
  for (size_t i = 0; i < checks.size(); ++i) {
    v1::PortCheck& c = checks[i];
    if (!c.passed() && !c.not_served() && !listed[i]) c.set_inconclusive(true);
  }
  return checks;
}

}  // namespace natscope::ingest
