#include "ingest/netpath/ttl_probe.h"

#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include "absl/strings/str_cat.h"
#include "analyzer/evidence/address_class.h"

namespace natscope::ingest {
namespace {

std::string StunBindingRequest() {
  std::string req = {
      0x00, 0x01, 0x00, 0x00, 0x21, 0x12, static_cast<char>(0xa4), 0x42};
  std::random_device random;
  for (int i = 0; i < 12; ++i) req.push_back(static_cast<char>(random()));
  return req;
}

// One probe socket and what came back to it.
struct Probe {
  int fd = -1;
  int ttl = 0;
  absl::Time sent;
  bool hop_answered = false;
  bool reached = false;     // the destination answered or refused
  bool path_ended = false;  // a router said the destination is unreachable
  net::SocketAddress router;
  absl::Duration rtt;
};

absl::Status OpenProbe(const net::SocketAddress& to, int ttl, Probe* p) {
  const bool v4 = to.is_ipv4();
  p->ttl = ttl;
  p->fd = socket(v4 ? AF_INET : AF_INET6,
                 SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (p->fd < 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot open a UDP socket for TTL probes: ", strerror(errno)));
  }
  const int on = 1;
  const bool ok =
      v4 ? setsockopt(p->fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) == 0 &&
               setsockopt(p->fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on)) == 0
         : setsockopt(p->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
                      sizeof(ttl)) == 0 &&
               setsockopt(p->fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on)) ==
                   0;
  if (!ok) {
    return absl::UnavailableError(absl::StrCat(
        "cannot set TTL or IP_RECVERR on a UDP socket: ", strerror(errno)));
  }
  socklen_t len = 0;
  sockaddr_storage addr = to.ToSockaddr(&len);
  if (connect(p->fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    return absl::UnavailableError(absl::StrCat(
        "no route to ", to.ToString(), " for TTL probes: ", strerror(errno),
        " (check the host's default route)"));
  }
  return absl::OkStatus();
}

// Drains the socket's error queue, recording what the ICMP messages say.
void ReadErrors(const net::SocketAddress& destination, absl::Time now,
                Probe* p) {
  for (;;) {
    char data[512];
    char control[512];
    sockaddr_storage from{};
    iovec iov{data, sizeof(data)};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof(from);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    if (recvmsg(p->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr;
         c = CMSG_NXTHDR(&msg, c)) {
      const bool v4 = c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR;
      const bool v6 = c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR;
      if (!v4 && !v6) continue;
      const auto* ee = reinterpret_cast<const sock_extended_err*>(CMSG_DATA(c));
      if (ee->ee_origin != SO_EE_ORIGIN_ICMP &&
          ee->ee_origin != SO_EE_ORIGIN_ICMP6) {
        continue;
      }
      const sockaddr* offender = SO_EE_OFFENDER(ee);
      auto router = net::SocketAddress::FromSockaddr(
          offender, v4 ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
      if (!router.ok()) continue;
      const bool exceeded = v4 ? ee->ee_type == ICMP_TIME_EXCEEDED
                               : ee->ee_type == ICMP6_TIME_EXCEEDED;
      const bool unreachable = v4 ? ee->ee_type == ICMP_DEST_UNREACH
                                  : ee->ee_type == ICMP6_DST_UNREACH;
      if (unreachable && router->WithPort(0) == destination.WithPort(0)) {
        p->reached = true;
      } else if ((exceeded || unreachable) && !p->hop_answered) {
        p->hop_answered = true;
        p->path_ended = unreachable;
        p->router = router->WithPort(0);
        p->rtt = now - p->sent;
      }
    }
  }
}

void ReadData(Probe* p) {
  char data[2048];
  while (recv(p->fd, data, sizeof(data), MSG_DONTWAIT) >= 0) p->reached = true;
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
      options.payload.empty() ? StunBindingRequest() : options.payload;
  absl::Duration wait = options.max_wait;
  if (options.rtt_hint > absl::ZeroDuration()) {
    wait = std::clamp(3 * options.rtt_hint + absl::Milliseconds(100),
                      absl::Milliseconds(200), options.max_wait);
  }
  std::vector<Probe> probes(static_cast<size_t>(max_ttl));
  struct Closer {
    std::vector<Probe>* probes;
    ~Closer() {
      for (Probe& p : *probes)
        if (p.fd >= 0) close(p.fd);
    }
  } closer{&probes};
  for (int ttl = 1; ttl <= max_ttl; ++ttl) {
    absl::Status s = OpenProbe(options.destination, ttl, &probes[ttl - 1]);
    if (!s.ok()) return s;
  }
  const absl::Time start = clock.Now();
  for (Probe& p : probes) {
    p.sent = clock.Now();
    send(p.fd, payload.data(), payload.size(), 0);
  }
  const absl::Time resend_at = start + wait / 2;
  const absl::Time deadline = start + wait;
  bool resent = false;
  std::vector<pollfd> fds;
  for (const Probe& p : probes) fds.push_back(pollfd{p.fd, POLLIN, 0});
  while (!Complete(probes)) {
    const absl::Time now = clock.Now();
    if (now >= deadline) break;
    if (!resent && now >= resend_at) {
      resent = true;
      for (Probe& p : probes) {
        if (p.hop_answered || p.reached) continue;
        p.sent = now;
        send(p.fd, payload.data(), payload.size(), 0);
      }
    }
    const absl::Time until = resent ? deadline : resend_at;
    const int ms = static_cast<int>(
        std::max<int64_t>(0, absl::ToInt64Milliseconds(until - now) + 1));
    for (pollfd& f : fds) f.revents = 0;
    if (poll(fds.data(), fds.size(), ms) <= 0) continue;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents & POLLERR) {
        ReadErrors(options.destination, clock.Now(), &probes[i]);
      }
      if (fds[i].revents & POLLIN) ReadData(&probes[i]);
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
