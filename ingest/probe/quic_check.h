// QUIC reachability: sends a QUIC Initial with a reserved version and waits
// for the endpoint's Version Negotiation (RFC 9000 §6), which every QUIC
// server sends without needing a certificate or a handshake. Blocks for at
// most policy.timeout on `clock`. Never fails: what went wrong is in the
// check's detail.
#ifndef NATSCOPE_INGEST_PROBE_QUIC_CHECK_H_
#define NATSCOPE_INGEST_PROBE_QUIC_CHECK_H_

#include "common/clock.h"
#include "common/net/socket_address.h"
#include "ingest/probe/probe_network.h"
#include "ingest/probe/retransmit.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

// Sends from a fresh socket that `network` opens.
v1::QuicCheck CheckQuic(ProbeNetwork& network, const net::SocketAddress& server,
                        const RetransmitPolicy& policy, const Clock& clock);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_QUIC_CHECK_H_
