#include "ingest/probe/sim_nat.h"

#include <utility>

namespace natscope::ingest {

SimNat::SimNat(SimNatConfig config)
    : config_(std::move(config)), next_port_(config_.first_port) {}

net::SocketAddress SimNat::Relevant(SimDependence dependence,
                                    const net::SocketAddress& remote) {
  switch (dependence) {
    case SimDependence::kEndpointIndependent:
      return net::SocketAddress();
    case SimDependence::kAddressDependent:
      return remote.WithPort(0);
    case SimDependence::kAddressAndPortDependent:
      return remote;
  }
  return remote;
}

bool SimNat::Expired(const Mapping& m, absl::Time now) const {
  return now - m.last_outbound > config_.mapping_lifetime;
}

bool SimNat::Passes(const Mapping& m, const net::SocketAddress& remote) const {
  const net::SocketAddress wanted = Relevant(config_.filtering, remote);
  for (const net::SocketAddress& contacted : m.contacted) {
    if (Relevant(config_.filtering, contacted) == wanted) return true;
  }
  return false;
}

uint16_t SimNat::FreePort() {
  while (mappings_.count(next_port_) > 0) ++next_port_;
  return next_port_++;
}

net::SocketAddress SimNat::Outbound(const net::SocketAddress& internal,
                                    const net::SocketAddress& remote,
                                    absl::Time now) {
  const auto key = std::make_pair(internal, Relevant(config_.mapping, remote));
  auto found = ports_.find(key);
  if (found != ports_.end() && Expired(mappings_.at(found->second), now)) {
    mappings_.erase(found->second);
    ports_.erase(found);
    found = ports_.end();
  }
  if (found == ports_.end()) {
    const uint16_t port = FreePort();
    found = ports_.emplace(key, port).first;
    mappings_[port] = Mapping{internal, key, now, {}};
  }
  Mapping& m = mappings_.at(found->second);
  m.last_outbound = now;
  m.contacted.insert(remote);
  return config_.public_ip.WithPort(found->second);
}

std::optional<net::SocketAddress> SimNat::Inbound(
    const net::SocketAddress& public_address, const net::SocketAddress& remote,
    absl::Time now, bool filter) {
  if (public_address.WithPort(0) != config_.public_ip.WithPort(0))
    return std::nullopt;
  const auto found = mappings_.find(public_address.port());
  if (found == mappings_.end()) return std::nullopt;
  if (Expired(found->second, now)) {
    ports_.erase(found->second.key);
    mappings_.erase(found);
    return std::nullopt;
  }
  if (filter && !Passes(found->second, remote)) return std::nullopt;
  return found->second.internal;
}

}  // namespace natscope::ingest
