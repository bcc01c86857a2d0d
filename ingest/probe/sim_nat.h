// A NAT with the RFC 4787 behaviours, for the simulated network
// (sim_network.h): endpoint-independent, address-dependent or
// address-and-port-dependent mapping and filtering, optional hairpinning,
// and mappings that expire when idle. Public ports are handed out in
// order, so that every run is the same.
//
// Pure: the current time is an argument. Thread-compatible.
#ifndef NATSCOPE_INGEST_PROBE_SIM_NAT_H_
#define NATSCOPE_INGEST_PROBE_SIM_NAT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/time/time.h"
#include "common/net/socket_address.h"

namespace natscope::ingest {

// What a NAT's behaviour depends on: nothing, the remote IP, or the remote
// IP and port (RFC 4787 §4.1 for mapping, §5 for filtering).
enum class SimDependence {
  kEndpointIndependent,
  kAddressDependent,
  kAddressAndPortDependent,
};

struct SimNatConfig {
  // The NAT's public IP (the port is ignored).
  net::SocketAddress public_ip;
  SimDependence mapping = SimDependence::kEndpointIndependent;
  SimDependence filtering = SimDependence::kAddressAndPortDependent;
  // Whether a datagram from inside to the NAT's own public address is
  // looped back to the mapping's owner (regardless of filtering).
  bool hairpinning = false;
  // A mapping with no outbound traffic for longer than this is forgotten.
  absl::Duration mapping_lifetime = absl::InfiniteDuration();
  // Public ports are handed out from here upwards.
  uint16_t first_port = 40000;
};

class SimNat {
 public:
  explicit SimNat(SimNatConfig config);

  const SimNatConfig& config() const { return config_; }

  // The public source of a datagram from `internal` to `remote` sent at
  // `now`: finds, renews or creates the mapping, and lets `remote`'s
  // answers through its filter.
  net::SocketAddress Outbound(const net::SocketAddress& internal,
                              const net::SocketAddress& remote, absl::Time now);

  // Where a datagram from `remote` to `public_address`, arriving at `now`,
  // goes inside; nullopt when no live mapping has that port or, with
  // `filter`, the mapping's filter drops it. Related ICMP errors and
  // hairpinned datagrams pass with filter = false.
  std::optional<net::SocketAddress> Inbound(
      const net::SocketAddress& public_address,
      const net::SocketAddress& remote, absl::Time now, bool filter = true);

 private:
  struct Mapping {
    net::SocketAddress internal;
    std::pair<net::SocketAddress, net::SocketAddress> key;
    absl::Time last_outbound;
    std::set<net::SocketAddress> contacted;
  };

  // The remote as far as `dependence` looks at it.
  static net::SocketAddress Relevant(SimDependence dependence,
                                     const net::SocketAddress& remote);
  bool Expired(const Mapping& m, absl::Time now) const;
  bool Passes(const Mapping& m, const net::SocketAddress& remote) const;
  uint16_t FreePort();

  SimNatConfig config_;
  std::map<std::pair<net::SocketAddress, net::SocketAddress>, uint16_t> ports_;
  std::map<uint16_t, Mapping> mappings_;  // By public port.
  uint16_t next_port_;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_SIM_NAT_H_
