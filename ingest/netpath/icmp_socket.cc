#include "ingest/netpath/icmp_socket.h"

#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"

namespace natscope::ingest {
namespace {

IcmpError::Kind KindOf(bool v4, int type, int code) {
  if (v4) {
    if (type == ICMP_TIME_EXCEEDED) return IcmpError::Kind::kTimeExceeded;
    if (type != ICMP_DEST_UNREACH) return IcmpError::Kind::kOther;
    return code == ICMP_PORT_UNREACH ? IcmpError::Kind::kPortUnreachable
                                     : IcmpError::Kind::kUnreachable;
  }
  if (type == ICMP6_TIME_EXCEEDED) return IcmpError::Kind::kTimeExceeded;
  if (type != ICMP6_DST_UNREACH) return IcmpError::Kind::kOther;
  return code == ICMP6_DST_UNREACH_NOPORT ? IcmpError::Kind::kPortUnreachable
                                          : IcmpError::Kind::kUnreachable;
}

}  // namespace

absl::StatusOr<IcmpSocket> IcmpSocket::Open(
    const net::SocketAddress& destination, int ttl) {
  const bool v4 = destination.is_ipv4();
  const int fd = socket(v4 ? AF_INET : AF_INET6,
                        SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot open a UDP socket for TTL probes: ", strerror(errno)));
  }
  IcmpSocket s(fd, ttl, destination);  // Closes fd on every return below.
  const int on = 1;
  const bool ok =
      v4 ? setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) == 0 &&
               setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on)) == 0
         : setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
                      sizeof(ttl)) == 0 &&
               setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on)) == 0;
  if (!ok) {
    return absl::UnavailableError(absl::StrCat(
        "cannot set TTL or IP_RECVERR on a UDP socket: ", strerror(errno)));
  }
  socklen_t len = 0;
  sockaddr_storage addr = destination.ToSockaddr(&len);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    return absl::UnavailableError(absl::StrCat(
        "no route to ", destination.ToString(), " for TTL probes: ",
        strerror(errno), " (check the host's default route)"));
  }
  return s;
}

IcmpSocket::IcmpSocket(IcmpSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      ttl_(other.ttl_),
      destination_(other.destination_) {}

IcmpSocket& IcmpSocket::operator=(IcmpSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    ttl_ = other.ttl_;
    destination_ = other.destination_;
  }
  return *this;
}

IcmpSocket::~IcmpSocket() {
  if (fd_ >= 0) close(fd_);
}

bool IcmpSocket::Send(const std::string& payload) const {
  return send(fd_, payload.data(), payload.size(), 0) >= 0;
}

std::vector<IcmpError> IcmpSocket::ReadErrors() const {
  std::vector<IcmpError> out;
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
    if (recvmsg(fd_, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return out;
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
      auto offender = net::SocketAddress::FromSockaddr(
          SO_EE_OFFENDER(ee), v4 ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
      if (!offender.ok()) continue;
      out.push_back({KindOf(v4, ee->ee_type, ee->ee_code),
                     offender->WithPort(0), ee->ee_code});
    }
  }
}

bool IcmpSocket::ReadData() const {
  char data[2048];
  bool any = false;
  while (recv(fd_, data, sizeof(data), MSG_DONTWAIT) >= 0) any = true;
  return any;
}

std::string StunProbePayload() {
  std::string req = {
      0x00, 0x01, 0x00, 0x00, 0x21, 0x12, static_cast<char>(0xa4), 0x42};
  std::random_device random;
  for (int i = 0; i < 12; ++i) req.push_back(static_cast<char>(random()));
  return req;
}

std::string UnreachableWords(const IcmpError& error) {
  if (error.offender.is_ipv4()) {
    switch (error.code) {
      case ICMP_NET_UNREACH: return "network unreachable";
      case ICMP_HOST_UNREACH: return "host unreachable";
      case ICMP_PROT_UNREACH: return "protocol unreachable";
      case ICMP_PORT_UNREACH: return "port unreachable";
      case ICMP_NET_ANO:
      case ICMP_HOST_ANO:
      case ICMP_PKT_FILTERED: return "administratively prohibited";
      default: return absl::StrCat("unreachable (code ", error.code, ")");
    }
  }
  switch (error.code) {
    case ICMP6_DST_UNREACH_NOROUTE: return "no route to destination";
    case ICMP6_DST_UNREACH_ADMIN: return "administratively prohibited";
    case ICMP6_DST_UNREACH_ADDR: return "address unreachable";
    case ICMP6_DST_UNREACH_NOPORT: return "port unreachable";
    case 5: return "source address failed ingress/egress policy";
    case 6: return "reject route to destination";
    default: return absl::StrCat("unreachable (code ", error.code, ")");
  }
}

}  // namespace natscope::ingest
