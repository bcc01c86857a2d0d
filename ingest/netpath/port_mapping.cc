#include "ingest/netpath/port_mapping.h"

#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "ingest/netpath/default_gateway.h"
#include "ingest/netpath/pmp_wire.h"
#include "ingest/netpath/ssdp.h"

namespace natscope::ingest {
namespace {

// Sends `request` to `server` from a connected UDP socket, retransmitting
// with doubling intervals from 250 ms, and hands each datagram from the
// server to `accept` until it returns true. Returns "" on success or why
// not.
std::string Exchange(const net::SocketAddress& server,
                     const std::string& request, absl::Duration timeout,
                     const std::function<bool(absl::string_view)>& accept) {
  const int fd = socket(server.is_ipv4() ? AF_INET : AF_INET6,
                        SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return absl::StrCat("cannot open a UDP socket: ", strerror(errno));
  socklen_t len = 0;
  sockaddr_storage to = server.ToSockaddr(&len);
  // Connected: the kernel drops datagrams from anyone else and reports an
  // ICMP port unreachable as ECONNREFUSED.
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), len) != 0) {
    const std::string why = strerror(errno);
    close(fd);
    return absl::StrCat("cannot reach ", server.ToString(), ": ", why);
  }
  const absl::Time deadline = absl::Now() + timeout;
  absl::Time next_send = absl::Now();
  absl::Duration interval = absl::Milliseconds(250);
  std::string result;
  for (;;) {
    const absl::Time now = absl::Now();
    if (now >= deadline) {
      result = absl::StrCat("no answer from ", server.ToString(), " within ",
                            absl::FormatDuration(timeout));
      break;
    }
    if (now >= next_send) {
      send(fd, request.data(), request.size(), 0);
      next_send = now + interval;
      interval *= 2;
    }
    pollfd pfd{fd, POLLIN, 0};
    const absl::Duration wait = std::min(next_send, deadline) - absl::Now();
    const int ms = static_cast<int>(
        std::max<int64_t>(0, absl::ToInt64Milliseconds(wait) + 1));
    if (poll(&pfd, 1, ms) <= 0) continue;
    char buffer[1100];
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == ECONNREFUSED) {
      result = absl::StrCat(server.ToString(),
                            " refused (port closed: the gateway does not "
                            "run this protocol)");
      break;
    }
    if (n >= 0 && accept(absl::string_view(buffer, static_cast<size_t>(n)))) {
      break;
    }
  }
  close(fd);
  return result;
}

v1::GatewayObservation Observation(const char* protocol,
                                   const std::string& gateway) {
  v1::GatewayObservation o;
  o.set_protocol(protocol);
  o.set_gateway(gateway);
  return o;
}

}  // namespace

v1::GatewayObservation QueryNatPmp(const net::SocketAddress& server,
                                   absl::Duration timeout) {
  v1::GatewayObservation o = Observation("nat-pmp", server.ToString());
  std::string bad_answer;
  const std::string error = Exchange(
      server, EncodeNatPmpExternalAddressRequest(), timeout,
      [&](absl::string_view bytes) {
        auto answer = DecodeNatPmpExternalAddressResponse(bytes);
        if (!answer.ok()) {
          bad_answer = std::string(answer.status().message());
          return false;
        }
        o.set_answered(true);
        if (answer->result_code != 0) {
          o.set_error(absl::StrCat("the gateway answered: ",
                                   NatPmpResultText(answer->result_code)));
        } else if (answer->address == std::array<uint8_t, 4>{}) {
          o.set_error("the gateway has no external address yet (0.0.0.0)");
        } else {
          o.set_external_address(
              net::SocketAddress::IPv4(answer->address, 0).IpString());
        }
        return true;
      });
  if (!o.answered()) {
    o.set_error(bad_answer.empty()
                    ? error
                    : absl::StrCat(error, "; ignored ", bad_answer));
  }
  return o;
}

v1::GatewayObservation QueryPcp(const net::SocketAddress& server,
                                absl::Duration timeout) {
  v1::GatewayObservation o = Observation("pcp", server.ToString());
  net::SocketAddress client;
  // The PCP header names the client's own address; use the route's source.
  {
    const int fd = socket(server.is_ipv4() ? AF_INET : AF_INET6,
                          SOCK_DGRAM | SOCK_CLOEXEC, 0);
    socklen_t len = 0;
    sockaddr_storage to = server.ToSockaddr(&len);
    if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&to), len) == 0) {
      sockaddr_storage local{};
      len = sizeof(local);
      getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len);
      auto a = net::SocketAddress::FromSockaddr(local);
      if (a.ok()) client = *a;
    }
    if (fd >= 0) close(fd);
  }
  const std::string error = Exchange(
      server, EncodePcpAnnounceRequest(client), timeout,
      [&](absl::string_view bytes) {
        auto answer = DecodePcpResponse(bytes);
        if (!answer.ok()) return false;
        o.set_answered(true);
        if (answer->version == 0) {
          o.set_error(
              "the gateway speaks NAT-PMP only, not PCP (see the nat-pmp "
              "observation)");
        } else if (answer->result_code != 0) {
          o.set_error(absl::StrCat("the PCP server answered: ",
                                   PcpResultText(answer->result_code)));
        } else {
          o.set_error(absl::StrCat(
              "a PCP server answered ANNOUNCE (epoch ", answer->epoch_seconds,
              " s); PCP tells the external address only when a mapping is "
              "made, which natscope does not do"));
        }
        return true;
      });
  if (!o.answered()) o.set_error(error);
  return o;
}

namespace {

// Multicasts M-SEARCHes for IGD v1 and v2 and returns the LOCATION of the
// first IGD that answers within `wait`, or "".
std::string DiscoverIgd(absl::Duration wait) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  const unsigned char ttl = 2;
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
  const sockaddr_storage group =
      net::SocketAddress::IPv4({239, 255, 255, 250}, kSsdpPort).ToSockaddr();
  for (const char* target : {kIgd1, kIgd2}) {
    const std::string search = EncodeSsdpSearch(target);
    sendto(fd, search.data(), search.size(), 0,
           reinterpret_cast<const sockaddr*>(&group), sizeof(sockaddr_in));
  }
  const absl::Time deadline = absl::Now() + wait;
  std::string location;
  while (location.empty()) {
    const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) break;
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(ms)) <= 0) continue;
    char buffer[2048];
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) continue;
    location = IgdLocation(absl::string_view(buffer, static_cast<size_t>(n)))
                   .value_or("");
  }
  close(fd);
  return location;
}

v1::GatewayObservation UpnpBlocking(absl::Duration discovery) {
  v1::GatewayObservation o = Observation("upnp-igd", "");
  const std::string location = DiscoverIgd(discovery);
  if (location.empty()) {
    o.set_error(absl::StrCat(
        "no UPnP Internet Gateway Device answered discovery (SSDP) within ",
        absl::FormatDuration(discovery)));
    return o;
  }
  o.set_gateway(location);
  UPNPUrls urls{};
  IGDdatas data{};
  char lan[64] = {0};
  const int igd =
      UPNP_GetIGDFromUrl(location.c_str(), &urls, &data, lan, sizeof(lan));
  if (igd == 0) {
    o.set_error(
        absl::StrCat("cannot read the IGD's description at ", location));
    return o;
  }
  if (urls.controlURL != nullptr) o.set_gateway(urls.controlURL);
  char external[64] = {0};
  const int rc = UPNP_GetExternalIPAddress(urls.controlURL,
                                           data.first.servicetype, external);
  FreeUPNPUrls(&urls);
  if (rc != UPNPCOMMAND_SUCCESS) {
    o.set_error(
        absl::StrCat("GetExternalIPAddress failed: ", strupnperror(rc)));
    return o;
  }
  o.set_answered(true);
  if (external[0] == '\0') {
    o.set_error(
        "the IGD reports no external address (it may sit behind another NAT: "
        "many IGDs, miniupnpd among them, hide a private or reserved external "
        "address)");
  } else {
    o.set_external_address(external);
  }
  return o;
}

}  // namespace

v1::GatewayObservation QueryUpnpIgd(absl::Duration discovery,
                                    absl::Duration timeout) {
  struct Shared {
    absl::Mutex mu;
    bool done = false;
    v1::GatewayObservation result;
  };
  auto shared = std::make_shared<Shared>();
  // miniupnpc's HTTP calls carry their own multi-second timeouts; detach so
  // that a slow IGD cannot hold the probe past `timeout`.
  std::thread([shared, discovery] {
    v1::GatewayObservation o = UpnpBlocking(discovery);
    absl::MutexLock lock(&shared->mu);
    shared->result = std::move(o);
    shared->done = true;
  }).detach();
  absl::MutexLock lock(&shared->mu);
  if (!shared->mu.AwaitWithTimeout(absl::Condition(&shared->done), timeout)) {
    v1::GatewayObservation o = Observation("upnp-igd", "");
    o.set_error(absl::StrCat("the UPnP IGD did not finish answering within ",
                             absl::FormatDuration(timeout)));
    return o;
  }
  return shared->result;
}

std::vector<v1::GatewayObservation> QueryGateways(
    const PortMappingOptions& options) {
  std::vector<v1::GatewayObservation> out(options.upnp ? 3 : 2);
  std::optional<net::SocketAddress> server = options.pmp_server;
  if (!server) {
    auto gateway = DefaultGateway();
    if (!gateway.ok()) {
      out[0] = Observation("nat-pmp", "");
      out[0].set_error(std::string(gateway.status().message()));
      out[1] = Observation("pcp", "");
      out[1].set_error(std::string(gateway.status().message()));
    } else {
      server = gateway->WithPort(kPmpServerPort);
    }
  }
  std::vector<std::thread> threads;
  if (server) {
    threads.emplace_back(
        [&] { out[0] = QueryNatPmp(*server, options.timeout); });
    threads.emplace_back([&] { out[1] = QueryPcp(*server, options.timeout); });
  }
  if (options.upnp) {
    threads.emplace_back([&] {
      out[2] = QueryUpnpIgd(std::min(options.upnp_discovery, options.timeout),
                            options.timeout);
    });
  }
  for (std::thread& t : threads) t.join();
  return out;
}

}  // namespace natscope::ingest
