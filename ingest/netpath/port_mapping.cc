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
// server to `accept` until it returns true or `deadline` passes. Returns ""
// on success or why not.
std::string Exchange(const net::SocketAddress& server,
                     const std::string& request, const Deadline& deadline,
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
  const absl::Time start = absl::Now();
  absl::Time next_send = start;
  absl::Duration interval = absl::Milliseconds(250);
  std::string result;
  for (;;) {
    const absl::Time now = absl::Now();
    if (now >= deadline.at()) {
      result = absl::StrCat("no answer from ", server.ToString(), " ",
                            deadline.Within(start));
      break;
    }
    if (now >= next_send) {
      send(fd, request.data(), request.size(), 0);
      next_send = now + interval;
      interval *= 2;
    }
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, deadline.PollMillis(absl::Now(), next_send)) <= 0) {
      continue;
    }
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
                                   const Deadline& deadline) {
  v1::GatewayObservation o = Observation("nat-pmp", server.ToString());
  std::string bad_answer;
  const std::string error = Exchange(
      server, EncodeNatPmpExternalAddressRequest(), deadline,
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
                                const Deadline& deadline) {
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
      server, EncodePcpAnnounceRequest(client), deadline,
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
// first IGD that answers by `deadline`, or "".
std::string DiscoverIgd(const Deadline& deadline) {
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
  std::string location;
  while (location.empty()) {
    const absl::Time now = absl::Now();
    if (now >= deadline.at()) break;
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, deadline.PollMillis(now)) <= 0) continue;
    char buffer[2048];
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) continue;
    location = IgdLocation(absl::string_view(buffer, static_cast<size_t>(n)))
                   .value_or("");
  }
  close(fd);
  return location;
}

// Reads the description of the IGD at `location` and asks it for its
// external address. Blocks for as long as miniupnpc's HTTP calls take.
v1::GatewayObservation AskIgd(const std::string& location) {
  v1::GatewayObservation o = Observation("upnp-igd", location);
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

v1::GatewayObservation QueryUpnpIgd(const Deadline& answer,
                                    const Deadline& finish) {
  const absl::Time start = absl::Now();
  const std::string location = DiscoverIgd(answer);
  if (location.empty()) {
    v1::GatewayObservation o = Observation("upnp-igd", "");
    o.set_error(absl::StrCat(
        "no UPnP Internet Gateway Device answered discovery (SSDP) ",
        answer.Within(start)));
    return o;
  }
  struct Shared {
    absl::Mutex mu;
    bool done = false;
    v1::GatewayObservation result;
  };
  auto shared = std::make_shared<Shared>();
  // miniupnpc's HTTP calls carry their own multi-second timeouts; detach so
  // that a slow IGD cannot hold the probe past `finish`. The thread owns
  // all it touches: `shared` and its copy of `location`.
  std::thread([shared, location] {
    v1::GatewayObservation o = AskIgd(location);
    absl::MutexLock lock(&shared->mu);
    shared->result = std::move(o);
    shared->done = true;
  }).detach();
  absl::MutexLock lock(&shared->mu);
  for (absl::Time now = absl::Now(); !shared->done && now < finish.at();
       now = absl::Now()) {
    shared->mu.AwaitWithTimeout(absl::Condition(&shared->done),
                                finish.SleepFrom(now));
  }
  if (shared->done) return shared->result;
  v1::GatewayObservation o = Observation("upnp-igd", location);
  o.set_error(absl::StrCat("the UPnP IGD did not finish answering ",
                           finish.Within(start)));
  return o;
}

std::vector<v1::GatewayObservation> QueryGateways(
    const PortMappingOptions& options, const Deadline& answer,
    const Deadline& finish) {
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
    threads.emplace_back([&] { out[0] = QueryNatPmp(*server, answer); });
    threads.emplace_back([&] { out[1] = QueryPcp(*server, answer); });
  }
  if (options.upnp) {
    threads.emplace_back([&] { out[2] = QueryUpnpIgd(answer, finish); });
  }
  for (std::thread& t : threads) t.join();
  return out;
}

}  // namespace natscope::ingest
