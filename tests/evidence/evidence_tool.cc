// Test driver for the evidence adapters, run inside NAT lab namespaces.
//
//   evidence_tool hops DEST_IP:PORT [MAX_TTL]
//     prints "destination_ttl N" then one line per hop: "TTL ADDRESS CLASS"
//     ("TTL - -" for a silent hop).
//   evidence_tool gateways [PMP_SERVER_IP:PORT|default] [upnp]
//     prints each GatewayObservation as one line of text proto.
#include <cstdio>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "ingest/netpath/deadline.h"
#include "ingest/netpath/port_mapping.h"
#include "ingest/netpath/ttl_probe.h"

namespace {

int Hops(int argc, char** argv) {
  natscope::ingest::TtlProbeOptions options;
  auto dest = natscope::net::SocketAddress::Parse(argv[2]);
  if (!dest.ok()) {
    std::fprintf(stderr, "%s\n", dest.status().ToString().c_str());
    return 2;
  }
  options.destination = *dest;
  if (argc > 3 && !absl::SimpleAtoi(argv[3], &options.max_ttl)) return 2;
  auto trace = natscope::ingest::TraceHops(options, natscope::RealClock::Get());
  if (!trace.ok()) {
    std::fprintf(stderr, "%s\n", trace.status().ToString().c_str());
    return 1;
  }
  std::printf("destination_ttl %d\n", trace->destination_ttl);
  for (const auto& hop : trace->hops) {
    std::printf("%d %s %s\n", hop.ttl(),
                hop.address().empty() ? "-" : hop.address().c_str(),
                hop.address().empty() ? "-" : hop.address_class().c_str());
  }
  return 0;
}

int Gateways(int argc, char** argv) {
  natscope::ingest::PortMappingOptions options;
  options.upnp = false;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "upnp") {
      options.upnp = true;
    } else if (arg != "default") {
      auto server = natscope::net::SocketAddress::Parse(arg);
      if (!server.ok()) return 2;
      options.pmp_server = *server;
    }
  }
  // The bounds the probe had before its waits followed the round trip.
  const absl::Time start = absl::Now();
  const natscope::ingest::Deadline answer(start + absl::Milliseconds(500));
  const natscope::ingest::Deadline finish(start + absl::Milliseconds(900));
  for (const auto& o :
       natscope::ingest::QueryGateways(options, answer, finish)) {
    std::printf("%s\n", o.ShortDebugString().c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "hops" && argc >= 3) return Hops(argc, argv);
  if (mode == "gateways") return Gateways(argc, argv);
  std::fprintf(stderr,
               "usage: evidence_tool hops DEST_IP:PORT [MAX_TTL] | gateways "
               "[PMP_SERVER|default] [upnp]\n");
  return 2;
}
