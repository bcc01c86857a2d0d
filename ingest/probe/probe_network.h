// The prober's only way onto the network: UDP sockets, name resolution and
// the routing table, behind one small interface (leveldb's `Env`), so that
// the whole probe can run against a simulated network (sim_network.h) with
// no real socket. RealProbeNetwork (real_probe_network.h) is the thin OS
// adapter the agent uses.
//
// Waits take deadlines on the Clock the network was built with; the real
// network converts them to poll() timeouts, a simulated one sleeps on its
// simulated clock.
#ifndef NATSCOPE_INGEST_PROBE_PROBE_NETWORK_H_
#define NATSCOPE_INGEST_PROBE_PROBE_NETWORK_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/io/udp_socket.h"
#include "common/net/socket_address.h"

namespace natscope::ingest {

// How one look at a socket ended.
struct Receipt {
  enum class Kind {
    // Nothing to read: normally the deadline passed (the real network also
    // returns this early on a spurious wakeup); callers re-check their clock.
    kNothing,
    // `datagram` holds what arrived.
    kDatagram,
    // Connected sockets only: the remote's host answered "port unreachable"
    // (ICMP) to something this socket sent.
    kRefused,
  };
  Kind kind = Kind::kNothing;
  io::Datagram datagram;
};

// One UDP socket, owned by whoever opened it and closed when destroyed. It
// must not outlive the network that opened it. Not thread-safe, except that
// SendTo and ReceiveUntil may run concurrently from two threads.
class DatagramSocket {
 public:
  virtual ~DatagramSocket() = default;

  // The bound address with the port chosen at bind time; the IP may be a
  // wildcard (see ProbeNetwork::RouteSourceFor).
  virtual net::SocketAddress local_address() const = 0;

  // Sends one datagram to `to` (a connected socket sends to its remote and
  // ignores `to`). Unavailable, naming `to`, when it cannot be sent. A
  // datagram lost on the way is not an error.
  virtual absl::Status SendTo(absl::string_view payload,
                              const net::SocketAddress& to) = 0;

  // Waits until `deadline` for one datagram; a deadline that has passed
  // looks once without waiting. Unavailable when the socket itself fails.
  virtual absl::StatusOr<Receipt> ReceiveUntil(absl::Time deadline) = 0;
};

// Thread-safe: tests on several threads may share one network.
class ProbeNetwork {
 public:
  virtual ~ProbeNetwork() = default;

  // "HOST:PORT" or "[v6]:PORT" to one address, preferring IPv4.
  // InvalidArgument for bad syntax, NotFound when the name does not resolve.
  virtual absl::StatusOr<net::SocketAddress> Resolve(
      absl::string_view host_port) = 0;

  // Every address of "HOST:PORT" (a name with both an IPv4 and an IPv6
  // address gives both, for the dual-stack probe). By default: Resolve's.
  virtual absl::StatusOr<std::vector<net::SocketAddress>> ResolveAll(
      absl::string_view host_port) {
    auto one = Resolve(host_port);
    if (!one.ok()) return one.status();
    return std::vector<net::SocketAddress>{*one};
  }

  // The local IP address (port 0) this host would send from toward
  // `destination`. Sends nothing. Unavailable when there is no route.
  virtual absl::StatusOr<net::SocketAddress> RouteSourceFor(
      const net::SocketAddress& destination) = 0;

  // A socket bound to `local` (port 0 picks a free one). FailedPrecondition
  // when the address is in use or not ours, Unavailable otherwise; the
  // message says what to do.
  virtual absl::StatusOr<std::unique_ptr<DatagramSocket>> Bind(
      const net::SocketAddress& local) = 0;

  // A socket on a free port connected to `remote`: it sends only there,
  // receives only from there, and reports an ICMP "port unreachable" from
  // there as Receipt::kRefused. Errors as for Bind.
  virtual absl::StatusOr<std::unique_ptr<DatagramSocket>> Connect(
      const net::SocketAddress& remote) = 0;

  // Waits until `deadline` for one of `sockets` (all opened by this
  // network, none null) to have something to receive (a datagram or a
  // refusal) and returns its index, or -1 when nothing is ready (normally:
  // the deadline passed; callers re-check their clock). InvalidArgument for
  // a socket this network did not open, Unavailable when waiting fails.
  virtual absl::StatusOr<int> WaitAny(absl::Span<DatagramSocket* const> sockets,
                                      absl::Time deadline) = 0;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_PROBE_NETWORK_H_
