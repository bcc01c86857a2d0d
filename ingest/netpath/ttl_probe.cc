#include "ingest/netpath/ttl_probe.h"

#include <poll.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "analyzer/evidence/address_class.h"
#include "ingest/netpath/icmp_socket.h"

namespace natscope::ingest {
namespace {

// One probe socket and what came back to it.
struct Probe {
  std::optional<IcmpSocket> socket;
  int ttl = 0;
  absl::Time sent;
  bool hop_answered = false;
  bool reached = false;     // the destination answered or refused
  bool path_ended = false;  // a router said the destination is unreachable
  net::SocketAddress router;
  absl::Duration rtt;
};

// Records what the ICMP errors waiting on `p` say.
void ReadErrors(const net::SocketAddress& destination, absl::Time now,
                Probe* p) {
  for (const IcmpError& e : p->socket->ReadErrors()) {
    const bool unreachable = e.kind == IcmpError::Kind::kPortUnreachable ||
                             e.kind == IcmpError::Kind::kUnreachable;
    if (unreachable && e.offender == destination.WithPort(0)) {
      p->reached = true;
    } else if ((unreachable || e.kind == IcmpError::Kind::kTimeExceeded) &&
               !p->hop_answered) {
      p->hop_answered = true;
      p->path_ended = unreachable;
      p->router = e.offender;
      p->rtt = now - p->sent;
    }
  }
}

// Done when a TTL reached the destination (or a router ended the path) and
// every smaller TTL has its hop.
bool Complete(const std::vector<Probe>& probes) {
  for (const Probe& p : probes) {
    if (p.reached || p.path_ended) return true;
    if (!p.hop_answered) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<HopTrace> TraceHops(const TtlProbeOptions& options,
                                   const Clock& clock) {
  const int max_ttl = std::clamp(options.max_ttl, 1, 16);
  const std::string payload =
      options.payload.empty() ? StunProbePayload() : options.payload;
  absl::Duration wait = options.max_wait;
  if (options.rtt_hint > absl::ZeroDuration()) {
    wait = std::clamp(3 * options.rtt_hint + absl::Milliseconds(100),
                      absl::Milliseconds(200), options.max_wait);
  }
  std::vector<Probe> probes(static_cast<size_t>(max_ttl));
  for (int ttl = 1; ttl <= max_ttl; ++ttl) {
    auto socket = IcmpSocket::Open(options.destination, ttl);
    if (!socket.ok()) return socket.status();
    probes[ttl - 1].socket.emplace(std::move(socket).value());
    probes[ttl - 1].ttl = ttl;
  }
  const absl::Time start = clock.Now();
  for (Probe& p : probes) {
    p.sent = clock.Now();
    p.socket->Send(payload);
  }
  const Deadline fixed(start + wait);
  const Deadline& deadline =
      options.deadline != nullptr ? *options.deadline : fixed;
  bool resent = false;
  std::vector<pollfd> fds;
  for (const Probe& p : probes) {
    fds.push_back(pollfd{p.socket->fd(), POLLIN, 0});
  }
  while (!Complete(probes)) {
    const absl::Time now = clock.Now();
    const absl::Time end = deadline.at();
    if (now >= end) break;
    const absl::Time resend_at = start + (end - start) / 2;
    if (!resent && now >= resend_at) {
      resent = true;
      for (Probe& p : probes) {
        if (p.hop_answered || p.reached) continue;
        p.sent = now;
        p.socket->Send(payload);
      }
    }
    const int ms = deadline.PollMillis(now, resent ? end : resend_at);
    for (pollfd& f : fds) f.revents = 0;
    if (poll(fds.data(), fds.size(), ms) <= 0) continue;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents & POLLERR) {
        ReadErrors(options.destination, clock.Now(), &probes[i]);
      }
      if ((fds[i].revents & POLLIN) && probes[i].socket->ReadData()) {
        probes[i].reached = true;
      }
    }
  }
  HopTrace trace;
  int last = 0;  // the last TTL to report
  for (const Probe& p : probes) {
    if (p.reached) {
      trace.destination_ttl = p.ttl;
      last = p.ttl - 1;
      break;
    }
    if (p.hop_answered) last = p.ttl;
    if (p.path_ended) break;
  }
  for (int ttl = 1; ttl <= last; ++ttl) {
    const Probe& p = probes[ttl - 1];
    v1::HopObservation* hop = &trace.hops.emplace_back();
    hop->set_ttl(ttl);
    if (!p.hop_answered) continue;
    hop->set_address(p.router.IpString());
    hop->set_address_class(std::string(
        analyzer::AddressClassName(analyzer::ClassifyAddress(p.router))));
    hop->set_rtt_micros(absl::ToInt64Microseconds(p.rtt));
  }
  return trace;
}

}  // namespace natscope::ingest
