#include "ingest/probe/prober.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "analyzer/classify_probe.h"
#include "common/io/udp_socket.h"
#include "common/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "ingest/probe/binding.h"

namespace natscope::ingest {

absl::StatusOr<v1::ProbeReport> Probe(const ProbeOptions& options,
                                      const Clock& clock) {
  if (options.stun_servers.empty()) {
    return absl::InvalidArgumentError(
        "no STUN server to probe: pass --stun=HOST:PORT");
  }
  std::vector<net::SocketAddress> servers;
  for (const std::string& text : options.stun_servers) {
    ASSIGN_OR_RETURN(net::SocketAddress server, io::Resolve(text));
    servers.push_back(server);
  }
  const absl::Time start = clock.Now();
  v1::ProbeReport report;
  *report.mutable_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(start));
  // One socket for every server, so that mappings can be compared.
  net::SocketAddress bind_to = servers[0].is_ipv4()
                                  ? net::SocketAddress()
                                  : net::SocketAddress::IPv6({}, 0);
  if (!options.local.empty()) {
    ASSIGN_OR_RETURN(bind_to, net::SocketAddress::Parse(options.local));
  }
  ASSIGN_OR_RETURN(io::UdpSocket socket, io::UdpSocket::Bind(bind_to));
  for (const net::SocketAddress& server : servers) {
    auto route = io::RouteSourceFor(server);
    const net::SocketAddress local =
        (route.ok() ? *route : socket.local_address())
            .WithPort(socket.local_address().port());
    if (options.progress) {
      options.progress(absl::StrCat("STUN binding to ", server.ToString(),
                                    " from ", local.ToString()));
    }
    BindingResult result = RunBinding(socket, server, NewBindingRequest(), local,
                                      options.policy, clock, "binding");
    *report.add_observations() = std::move(result.observation);
  }
  analyzer::ClassifyProbe(&report);
  report.set_duration_micros(absl::ToInt64Microseconds(clock.Now() - start));
  return report;
}

}  // namespace natscope::ingest
