// Asks the local gateway, read-only, what it knows about its external
// address: NAT-PMP (opcode 0), PCP (ANNOUNCE only: PCP cannot tell the
// external address without creating a mapping, so its observation only
// says whether a PCP server answered) and UPnP IGD (GetExternalIPAddress
// via miniupnpc). No mapping is ever created.
//
// Every call is bounded by its deadlines (deadline.h: another thread may
// bring them forward while it waits) and never fails as a whole: what went
// wrong is in GatewayObservation.error ("no answer ... within 101ms",
// "port 5351 closed ...", a result code in words). Thread-safe; the three
// queries may run concurrently (QueryGateways does so).
#ifndef NATSCOPE_INGEST_NETPATH_PORT_MAPPING_H_
#define NATSCOPE_INGEST_NETPATH_PORT_MAPPING_H_

#include <optional>
#include <vector>

#include "common/net/socket_address.h"
#include "ingest/netpath/deadline.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

// NAT-PMP external address request to `server` (normally the default
// gateway, port 5351), retransmitted at 250 ms, 500 ms, ... (RFC 6886)
// until `deadline`. Answers from any other source are ignored.
v1::GatewayObservation QueryNatPmp(const net::SocketAddress& server,
                                   const Deadline& deadline);

// PCP ANNOUNCE to `server`. answered = a PCP (or NAT-PMP-only) server
// replied; external_address stays empty; error explains.
v1::GatewayObservation QueryPcp(const net::SocketAddress& server,
                                const Deadline& deadline);

// UPnP IGD: our own SSDP discovery (the first IGD answering by `answer`),
// then miniupnpc reads its description and calls its
// GetExternalIPAddress, until `finish` (not before `answer`). Returns by
// `finish` even if the device is slow: the worker thread is then left to
// finish on its own, touching neither deadline.
v1::GatewayObservation QueryUpnpIgd(const Deadline& answer,
                                    const Deadline& finish);

struct PortMappingOptions {
  // Where NAT-PMP and PCP go; nullopt: the default gateway, port 5351.
  std::optional<net::SocketAddress> pmp_server;
  bool upnp = true;
};

// Runs the three queries concurrently and returns by about `finish`:
// NAT-PMP, PCP and UPnP's discovery wait for the gateway's answer until
// `answer`, UPnP's description and GetExternalIPAddress until `finish`.
// Order: nat-pmp, pcp, upnp-igd. With no default gateway the NAT-PMP and
// PCP observations carry that as their error.
std::vector<v1::GatewayObservation> QueryGateways(
    const PortMappingOptions& options, const Deadline& answer,
    const Deadline& finish);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_NETPATH_PORT_MAPPING_H_
