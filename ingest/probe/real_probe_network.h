// The real ProbeNetwork: the host's own UDP sockets (common/io), name
// resolution and routing table. A thin OS adapter with no logic of its own.
//
// Thread-safe. `clock`, which must outlive the network and its sockets,
// turns the deadlines of ReceiveUntil and WaitAny into poll() timeouts; the
// agent passes RealClock::Get().
#ifndef NATSCOPE_INGEST_PROBE_REAL_PROBE_NETWORK_H_
#define NATSCOPE_INGEST_PROBE_REAL_PROBE_NETWORK_H_

#include <memory>

#include "common/clock.h"
#include "ingest/probe/probe_network.h"

namespace natscope::ingest {

class RealProbeNetwork final : public ProbeNetwork {
 public:
  explicit RealProbeNetwork(const Clock& clock) : clock_(clock) {}

  absl::StatusOr<net::SocketAddress> Resolve(
      absl::string_view host_port) override;
  absl::StatusOr<std::vector<net::SocketAddress>> ResolveAll(
      absl::string_view host_port) override;
  absl::StatusOr<net::SocketAddress> RouteSourceFor(
      const net::SocketAddress& destination) override;
  absl::StatusOr<std::unique_ptr<DatagramSocket>> Bind(
      const net::SocketAddress& local) override;
  absl::StatusOr<std::unique_ptr<DatagramSocket>> Connect(
      const net::SocketAddress& remote) override;
  absl::StatusOr<int> WaitAny(absl::Span<DatagramSocket* const> sockets,
                              absl::Time deadline) override;

 private:
  const Clock& clock_;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_REAL_PROBE_NETWORK_H_
