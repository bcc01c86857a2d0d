#include "ingest/probe/sim_network.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace natscope::ingest {

class SimNetwork::Socket final : public DatagramSocket {
 public:
  Socket(SimNetwork* network, uint16_t port, net::SocketAddress local)
      : network_(network), port_(port), local_(local) {}
  ~Socket() override { network_->Close(port_); }

  net::SocketAddress local_address() const override { return local_; }
  absl::Status SendTo(absl::string_view payload,
                      const net::SocketAddress& to) override {
    return network_->Send(port_, payload, to);
  }
  absl::StatusOr<Receipt> ReceiveUntil(absl::Time deadline) override {
    Receipt receipt;
    network_->Wait({port_}, deadline, &receipt);
    return receipt;
  }

  const SimNetwork* network() const { return network_; }
  uint16_t port() const { return port_; }

 private:
  SimNetwork* const network_;
  const uint16_t port_;
  const net::SocketAddress local_;
};

SimNetwork::SimNetwork(const SimClock* clock, SimNetworkConfig config)
    : clock_(clock), config_(std::move(config)) {
  if (config_.nat) nat_.emplace(*config_.nat);
}

SimNetwork::~SimNetwork() = default;

SimCounters SimNetwork::counters() const {
  absl::MutexLock lock(&mu_);
  return counters_;
}

net::SocketAddress SimNetwork::PublicIp() const {
  return (config_.nat ? config_.nat->public_ip : config_.client_ip).WithPort(0);
}

absl::Status SimNetwork::Serve(const net::SocketAddress& address,
                               Endpoint endpoint) {
  if (!endpoints_.emplace(address, endpoint).second) {
    return absl::InvalidArgumentError(
        absl::StrCat(address.ToString(), " is already served"));
  }
  hosts_.insert(address.WithPort(0));
  return absl::OkStatus();
}

absl::Status SimNetwork::AddStunCore(const server::StunServerConfig& config,
                                     server::RateLimiter* limiter,
                                     const std::vector<uint16_t>& advertised) {
  auto core = server::StunServerCore::Create(config, limiter);
  if (!core.ok()) return core.status();
  stun_.push_back(
      std::make_unique<server::StunServerCore>(std::move(core).value()));
  server::StunServerCore* stun = stun_.back().get();
  stun->set_advertised_ports(advertised);
  for (int s = 0; s < (stun->has_alternate() ? 4 : 1); ++s) {
    const auto on = static_cast<server::StunSocket>(s);
    RETURN_IF_ERROR(Serve(stun->AddressOf(on), Endpoint{stun, on, nullptr}));
  }
  return absl::OkStatus();
}

absl::Status SimNetwork::AddStunServer(
    const server::StunServerConfig& config,
    const std::vector<uint16_t>& extra_ports) {
  absl::MutexLock lock(&mu_);
  server::RateLimiterOptions unlimited;
  unlimited.rate_per_second = 0;
  limiters_.push_back(std::make_unique<server::RateLimiter>(unlimited));
  // The ports of the primary IP, as natscope-server advertises them.
  std::vector<uint16_t> advertised = {config.primary.port()};
  if (config.alternate) advertised.push_back(config.alternate->port());
  advertised.insert(advertised.end(), extra_ports.begin(), extra_ports.end());
  RETURN_IF_ERROR(AddStunCore(config, limiters_.back().get(), advertised));
  for (uint16_t port : extra_ports) {
    RETURN_IF_ERROR(AddStunCore({config.primary.WithPort(port), std::nullopt},
                                limiters_.back().get(), advertised));
  }
  return absl::OkStatus();
}

absl::Status SimNetwork::AddQuicServer(const net::SocketAddress& address) {
  absl::MutexLock lock(&mu_);
  limiters_.push_back(std::make_unique<server::RateLimiter>());
  quic_.push_back(
      std::make_unique<server::QuicResponderCore>(limiters_.back().get()));
  return Serve(address, Endpoint{nullptr, server::StunSocket::kPrimary,
                                 quic_.back().get()});
}

absl::StatusOr<net::SocketAddress> SimNetwork::Resolve(
    absl::string_view host_port) {
  auto address = net::SocketAddress::Parse(host_port);
  if (!address.ok()) {
    return absl::NotFoundError(absl::StrCat(
        "the simulated network resolves literal addresses only, not \"",
        host_port, "\""));
  }
  return address;
}

absl::StatusOr<net::SocketAddress> SimNetwork::RouteSourceFor(
    const net::SocketAddress& destination) {
  if (!destination.is_ipv4()) {
    return absl::UnavailableError(absl::StrCat(
        "no route to ", destination.ToString(), " in the simulated network"));
  }
  return config_.client_ip.WithPort(0);
}

absl::StatusOr<uint16_t> SimNetwork::OpenLocked(
    uint16_t port, std::optional<net::SocketAddress> remote) {
  if (port == 0) {
    while (sockets_.count(next_port_) > 0) ++next_port_;
    port = next_port_++;
  } else if (sockets_.count(port) > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("UDP port ", port, " is in use on the simulated client"));
  }
  sockets_[port].remote = remote;
  return port;
}

absl::StatusOr<std::unique_ptr<DatagramSocket>> SimNetwork::Bind(
    const net::SocketAddress& local) {
  const net::SocketAddress ip = local.WithPort(0);
  if (ip != net::SocketAddress() && ip != config_.client_ip.WithPort(0)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot bind ", local.ToString(), ": the simulated client has only ",
        config_.client_ip.IpString()));
  }
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(const uint16_t port, OpenLocked(local.port(), std::nullopt));
  return std::unique_ptr<DatagramSocket>(
      new Socket(this, port, local.WithPort(port)));
}

absl::StatusOr<std::unique_ptr<DatagramSocket>> SimNetwork::Connect(
    const net::SocketAddress& remote) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(const uint16_t port, OpenLocked(0, remote));
  return std::unique_ptr<DatagramSocket>(
      new Socket(this, port, config_.client_ip.WithPort(port)));
}

void SimNetwork::Close(uint16_t port) {
  absl::MutexLock lock(&mu_);
  sockets_.erase(port);
}

absl::StatusOr<int> SimNetwork::WaitAny(
    absl::Span<DatagramSocket* const> sockets, absl::Time deadline) {
  std::vector<uint16_t> ports;
  for (DatagramSocket* socket : sockets) {
    const auto* sim = dynamic_cast<const Socket*>(socket);
    if (sim == nullptr || sim->network() != this) {
      return absl::InvalidArgumentError(
          "WaitAny was given a socket of another network");
    }
    ports.push_back(sim->port());
  }
  return Wait(ports, deadline, nullptr);
}

int SimNetwork::Wait(const std::vector<uint16_t>& ports, absl::Time deadline,
                     Receipt* receipt) {
  for (;;) {
    absl::Time wake;
    {
      absl::MutexLock lock(&mu_);
      const absl::Time now = clock_->Now();
      DeliverDue(now);
      for (size_t i = 0; i < ports.size(); ++i) {
        auto socket = sockets_.find(ports[i]);
        if (socket == sockets_.end() || socket->second.inbox.empty()) continue;
        if (receipt != nullptr) {
          *receipt = std::move(socket->second.inbox.front());
          socket->second.inbox.pop_front();
        }
        return static_cast<int>(i);
      }
      if (now >= deadline) return -1;
      wake = in_flight_.empty()
                 ? deadline
                 : std::min(deadline, in_flight_.begin()->first.first);
    }
    // Outside the lock: the clock moves only while this thread sleeps.
    clock_->SleepUntil(wake);
  }
}

absl::Status SimNetwork::Send(uint16_t port, absl::string_view payload,
                              const net::SocketAddress& to) {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  DeliverDue(now);  // What arrived before now changes the NAT first.
  const auto socket = sockets_.find(port);
  const net::SocketAddress target =
      socket != sockets_.end() && socket->second.remote ? *socket->second.remote
                                                        : to;
  const int64_t n = ++counters_.sent;
  const SimLoss& loss = config_.loss;
  if (n <= loss.drop_first ||
      (loss.drop_every > 0 && n % loss.drop_every == 0)) {
    ++counters_.lost;
    return absl::OkStatus();
  }
  if (config_.udp_blocked || config_.blocked_ports.count(target.port()) > 0) {
    ++counters_.blocked;
    return absl::OkStatus();
  }
  const net::SocketAddress internal = config_.client_ip.WithPort(port);
  if (!nat_) {
    Schedule(now + config_.one_way_delay,
             {internal, target, std::string(payload)});
    return absl::OkStatus();
  }
  const net::SocketAddress from = nat_->Outbound(internal, target, now);
  if (target.WithPort(0) == PublicIp()) {  // To the NAT itself.
    if (nat_->config().hairpinning) {
      Schedule(now, {from, target, std::string(payload), false, true});
    }
    return absl::OkStatus();
  }
  Schedule(now + config_.one_way_delay, {from, target, std::string(payload)});
  return absl::OkStatus();
}

void SimNetwork::Schedule(absl::Time at, InFlight packet) {
  in_flight_.emplace(std::make_pair(at, sequence_++), std::move(packet));
}

void SimNetwork::DeliverDue(absl::Time now) {
  while (!in_flight_.empty() && in_flight_.begin()->first.first <= now) {
    auto node = in_flight_.extract(in_flight_.begin());
    Deliver(node.key().first, std::move(node.mapped()));
  }
}

void SimNetwork::Deliver(absl::Time at, InFlight packet) {
  if (packet.to.WithPort(0) == PublicIp()) {
    ToClient(at, std::move(packet));
    return;
  }
  const auto endpoint = endpoints_.find(packet.to);
  if (endpoint != endpoints_.end()) {
    if (!packet.refusal) ToServer(at, endpoint->second, packet);
    return;
  }
  // A server's host with nothing on that port says so; elsewhere, silence.
  if (!packet.refusal && hosts_.count(packet.to.WithPort(0)) > 0) {
    ++counters_.refused;
    Schedule(at + config_.one_way_delay, {packet.to, packet.from, "", true});
  }
}

void SimNetwork::ToServer(absl::Time at, const Endpoint& endpoint,
                          const InFlight& packet) {
  if (endpoint.quic != nullptr) {
    std::optional<std::string> reply =
        endpoint.quic->Handle(packet.payload, packet.from, at);
    if (reply) {
      Schedule(at + config_.one_way_delay,
               {packet.to, packet.from, std::move(*reply)});
    }
    return;
  }
  std::optional<server::StunReply> reply =
      endpoint.stun->Handle(packet.payload, endpoint.on, packet.from, at);
  if (reply) {
    Schedule(at + config_.one_way_delay, {endpoint.stun->AddressOf(reply->from),
                                          reply->to, std::move(reply->bytes)});
  }
}

void SimNetwork::ToClient(absl::Time at, InFlight packet) {
  net::SocketAddress internal = packet.to;
  if (nat_) {
    const bool filter = !packet.refusal && !packet.hairpin;
    std::optional<net::SocketAddress> inside =
        nat_->Inbound(packet.to, packet.from, at, filter);
    if (!inside) {
      ++counters_.filtered;
      return;
    }
    internal = *inside;
  }
  const auto socket = sockets_.find(internal.port());
  if (socket == sockets_.end()) return;
  SocketState& s = socket->second;
  // A connected socket hears only its remote, and only it hears ICMP.
  if (s.remote && *s.remote != packet.from) return;
  Receipt receipt;
  if (packet.refusal) {
    if (!s.remote) return;
    receipt.kind = Receipt::Kind::kRefused;
  } else {
    receipt.kind = Receipt::Kind::kDatagram;
    receipt.datagram = {std::move(packet.payload), packet.from};
  }
  s.inbox.push_back(std::move(receipt));
}

std::vector<v1::GatewayObservation> ScriptedPathEvidence::QueryGateways(
    const GatewayQuery& query) {
  if (clock_ == nullptr) return gateways_;
  const absl::Time start = clock_->Now();
  if (start + delay_ <= query.answer->at()) {
    clock_->SleepUntil(start + delay_);
    return gateways_;
  }
  clock_->SleepUntil(query.answer->at());
  std::vector<v1::GatewayObservation> silent;
  for (const v1::GatewayObservation& g : gateways_) {
    v1::GatewayObservation& o = silent.emplace_back();
    o.set_protocol(g.protocol());
    o.set_gateway(g.gateway());
    o.set_error(absl::StrCat("no answer from ", g.gateway(), " ",
                             query.answer->Within(start)));
  }
  return silent;
}

std::vector<v1::HopObservation> ScriptedPathEvidence::TraceHops(
    const TraceQuery& query, const Clock& clock) {
  if (clock_ == nullptr) return hops_;
  const absl::Time start = clock.Now();
  if (start + delay_ <= query.deadline->at()) {
    clock.SleepUntil(start + delay_);
    return hops_;
  }
  clock.SleepUntil(query.deadline->at());
  return {};
}

v1::TcpStunObservation ScriptedPathEvidence::StunOverTcp(
    const TcpStunQuery& query, const Clock& clock) {
  const absl::Time start = clock.Now();
  v1::TcpStunObservation o;
  if (tcp_stun_) o = tcp_stun_(query.server);
  o.set_server(query.server.ToString());
  if (o.outcome() == v1::TCP_STUN_OUTCOME_UNSPECIFIED ||
      o.outcome() == v1::TCP_STUN_UNREACHABLE) {
    clock.SleepUntil(query.deadline->at());
    o.set_outcome(v1::TCP_STUN_UNREACHABLE);
    o.set_error(absl::StrCat("no answer to the connection ",
                             query.deadline->Within(start)));
  }
  return o;
}

void RunOnSimClock(SimClock& clock, const std::function<void()>& body) {
  std::atomic<bool> done{false};
  std::thread worker([&] {
    body();
    done.store(true);
  });
  while (!done.load()) {
    clock.AdvanceToNextWake(1, absl::InfiniteFuture(), absl::Milliseconds(5));
  }
  worker.join();
}

}  // namespace natscope::ingest
