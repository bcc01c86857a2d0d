// Asks the local gateway, read-only, what it knows about its external
// address: NAT-PMP (opcode 0), PCP (ANNOUNCE only: PCP cannot tell the
// external address without creating a mapping, so its observation only
// says whether a PCP server answered) and UPnP IGD (GetExternalIPAddress
// via miniupnpc). No mapping is ever created.
//
// Every call is bounded by its timeout and never fails as a whole: what
// went wrong is in GatewayObservation.error ("no answer ...", "port 5351
// closed ...", a result code in words). Thread-safe; the three queries may
// run concurrently (QueryGateways does so).
#ifndef NATSCOPE_INGEST_NETPATH_PORT_MAPPING_H_
#define NATSCOPE_INGEST_NETPATH_PORT_MAPPING_H_

#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "common/net/socket_address.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

// NAT-PMP external address request to `server` (normally the default
// gateway, port 5351), retransmitted at 250 ms, 500 ms, ... (RFC 6886)
// until `timeout`. Answers from any other source are ignored.
v1::GatewayObservation QueryNatPmp(const net::SocketAddress& server,
                                   absl::Duration timeout);

// PCP ANNOUNCE to `server`. answered = a PCP (or NAT-PMP-only) server
// replied; external_address stays empty; error explains.
v1::GatewayObservation QueryPcp(const net::SocketAddress& server,
                                absl::Duration timeout);

// UPnP IGD: our own SSDP discovery (first IGD answering within
// `discovery`), then miniupnpc reads its description and calls its
// GetExternalIPAddress. Returns after at most `timeout` even if the device
// is slow (the worker thread is then left to finish on its own).
v1::GatewayObservation QueryUpnpIgd(absl::Duration discovery,
                                    absl::Duration timeout);

struct PortMappingOptions {
  // Where NAT-PMP and PCP go; nullopt: the default gateway, port 5351.
  std::optional<net::SocketAddress> pmp_server;
  bool upnp = true;
  absl::Duration timeout = absl::Milliseconds(900);
  absl::Duration upnp_discovery = absl::Milliseconds(500);
};

// Runs the three queries concurrently; at most about `timeout`. Order:
// nat-pmp, pcp, upnp-igd. With no default gateway the NAT-PMP and PCP
// observations carry that as their error.
std::vector<v1::GatewayObservation> QueryGateways(
    const PortMappingOptions& options);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_NETPATH_PORT_MAPPING_H_
