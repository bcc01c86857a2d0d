#include "ingest/netpath/firewalk_round.h"

#include <poll.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "ingest/netpath/icmp_socket.h"

namespace natscope::ingest {
namespace {

// One datagram in flight and its reply.
struct Flight {
  std::optional<IcmpSocket> socket;
  absl::Time sent;
  FirewalkReply reply;
  bool done = false;
};

FirewalkReply ReplyOf(const IcmpError& e, const net::SocketAddress& to) {
  FirewalkReply r;
  r.responder = e.offender;
  switch (e.kind) {
    case IcmpError::Kind::kTimeExceeded:
      r.kind = FirewalkReply::Kind::kTimeExceeded;
      break;
    case IcmpError::Kind::kPortUnreachable:
      // From anyone but the destination it is a firewall's reject.
      if (e.offender == to.WithPort(0)) {
        r.kind = FirewalkReply::Kind::kPortUnreachable;
        break;
      }
      [[fallthrough]];
    default:
      r.kind = FirewalkReply::Kind::kUnreachable;
      r.detail = UnreachableWords(e);
  }
  return r;
}

// Reads what arrived on `f`.
void Read(Flight& f, absl::Time now) {
  for (const IcmpError& e : f.socket->ReadErrors()) {
    if (f.done || e.kind == IcmpError::Kind::kOther) continue;
    f.reply = ReplyOf(e, f.socket->destination());
    f.done = true;
  }
  if (f.socket->ReadData() && !f.done) {
    f.reply.kind = FirewalkReply::Kind::kAnswered;
    f.reply.responder = f.socket->destination().WithPort(0);
    f.done = true;
  }
  if (f.done) f.reply.rtt = now - f.sent;
}

}  // namespace

absl::StatusOr<FirewalkRound> RunFirewalkRound(
    const FirewalkRoundOptions& options, const Clock& clock) {
  std::vector<Flight> flights(options.targets.size() + 1);
  for (size_t i = 0; i < flights.size(); ++i) {
    const bool sibling = i == options.targets.size();
    auto socket = IcmpSocket::Open(
        sibling ? options.sibling : options.targets[i], options.ttl);
    if (!socket.ok()) {
      if (sibling) return socket.status();
      flights[i].reply.kind = FirewalkReply::Kind::kLocalError;
      flights[i].reply.detail = std::string(socket.status().message());
      flights[i].done = true;
      continue;
    }
    flights[i].socket.emplace(std::move(socket).value());
  }
  const std::string payload = StunProbePayload();
  for (Flight& f : flights) {  // The sibling last.
    if (f.done) continue;
    f.sent = clock.Now();
    if (!f.socket->Send(payload)) {
      f.reply.kind = FirewalkReply::Kind::kLocalError;
      f.reply.detail = "the kernel refused to send it";
      f.done = true;
    }
  }
  const absl::Time deadline = clock.Now() + options.wait;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<size_t> index;
    for (size_t i = 0; i < flights.size(); ++i) {
      if (flights[i].done) continue;
      fds.push_back(pollfd{flights[i].socket->fd(), POLLIN, 0});
      index.push_back(i);
    }
    const absl::Duration left = deadline - clock.Now();
    if (fds.empty() || left <= absl::ZeroDuration()) break;
    const int ms = static_cast<int>(
        std::max<int64_t>(1, absl::ToInt64Milliseconds(left) + 1));
    if (poll(fds.data(), fds.size(), ms) <= 0) continue;
    for (size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents & (POLLERR | POLLIN)) Read(flights[index[k]], clock.Now());
    }
  }
  FirewalkRound round;
  for (size_t i = 0; i < options.targets.size(); ++i) {
    round.targets.push_back(std::move(flights[i].reply));
  }
  round.sibling = std::move(flights.back().reply);
  return round;
}

}  // namespace natscope::ingest
