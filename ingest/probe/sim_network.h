// A simulated network for tests of the whole probe with no real socket:
// one client host, optionally behind a NAT (sim_nat.h) and a firewall,
// natscope-server's own STUN and QUIC cores (server/stun/) as the servers,
// a fixed one-way delay and deterministic packet loss. Time is a SimClock:
// a socket that waits sleeps on it until its deadline or the next datagram
// in flight, and RunOnSimClock moves the clock from one wake-up to the
// next. Run the probe with ProbeEnvironment::sequential so that one thread
// drives the clock; every run is then the same, datagram for datagram.
//
//   SimClock clock;
//   SimNetwork network(&clock, config);
//   CHECK_OK(network.AddStunServer({a1p1, a2p2}, {443, 80}));
//   ScriptedPathEvidence evidence;
//   absl::StatusOr<v1::ProbeReport> report;
//   RunOnSimClock(clock, [&] {
//     report = RunProbe(options, {&network, &evidence, &clock, true});
//   });
//
// Test-only. Thread-safe; sockets must not outlive their network.
#ifndef NATSCOPE_INGEST_PROBE_SIM_NETWORK_H_
#define NATSCOPE_INGEST_PROBE_SIM_NETWORK_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/sim_clock.h"
#include "ingest/probe/path_evidence.h"
#include "ingest/probe/probe_network.h"
#include "ingest/probe/sim_nat.h"
#include "server/stun/quic_responder_core.h"
#include "server/stun/stun_server_core.h"

namespace natscope::ingest {

struct SimLoss {
  // The datagrams the client sends are numbered from 1: the first
  // `drop_first` are lost, and after them every `drop_every`-th (0: none).
  int drop_first = 0;
  int drop_every = 0;
};

struct SimNetworkConfig {
  // The client host's only address (the port is ignored).
  net::SocketAddress client_ip = *net::SocketAddress::Parse("192.168.1.10:0");
  // The NAT in front of it; nullopt: none, `client_ip` is public.
  std::optional<SimNatConfig> nat;
  // A firewall between the client and the NAT, dropping outbound UDP: all
  // of it, or that to these destination ports.
  bool udp_blocked = false;
  std::set<uint16_t> blocked_ports;
  // Between the NAT and any server, each way.
  absl::Duration one_way_delay = absl::Milliseconds(15);
  SimLoss loss;
};

struct SimCounters {
  int64_t sent = 0;      // Datagrams the client sent.
  int64_t lost = 0;      // Of those, lost per SimLoss.
  int64_t blocked = 0;   // Of those, dropped by the firewall.
  int64_t filtered = 0;  // Datagrams to the client that the NAT dropped.
  int64_t refused = 0;   // ICMP "port unreachable" sent by server hosts.
};

class SimNetwork final : public ProbeNetwork {
 public:
  // `clock` must outlive the network; the network reads it and sleeps on
  // it but never moves it.
  SimNetwork(const SimClock* clock, SimNetworkConfig config);
  ~SimNetwork() override;

  // natscope-server's STUN core: RFC 5780 on all four sockets when
  // config.alternate is set, else plain on config.primary; also plain STUN
  // on `extra_ports` of the primary IP. Success responses list the primary
  // IP's ports in NATSCOPE-PORTS. InvalidArgument for a config the core
  // refuses or a socket already served.
  absl::Status AddStunServer(const server::StunServerConfig& config,
                             const std::vector<uint16_t>& extra_ports = {});
  // A QUIC endpoint that answers with Version Negotiation. InvalidArgument
  // for a socket already served.
  absl::Status AddQuicServer(const net::SocketAddress& address);

  SimCounters counters() const;

  // ProbeNetwork. Resolve takes literal addresses only (NotFound else);
  // Bind takes the wildcard or the client's IP (FailedPrecondition else,
  // and for a port in use).
  absl::StatusOr<net::SocketAddress> Resolve(
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
  class Socket;
  friend class Socket;

  // A datagram (or an ICMP "port unreachable") on its way.
  struct InFlight {
    net::SocketAddress from;
    net::SocketAddress to;
    std::string payload;
    bool refusal = false;  // ICMP port unreachable about `from`.
    bool hairpin = false;  // Looped back by the NAT: not filtered.
  };
  struct SocketState {
    std::optional<net::SocketAddress> remote;  // When connected.
    std::deque<Receipt> inbox;
  };
  // A server socket: a STUN core (and which of its sockets) or QUIC.
  struct Endpoint {
    server::StunServerCore* stun = nullptr;
    server::StunSocket on = server::StunSocket::kPrimary;
    server::QuicResponderCore* quic = nullptr;
  };

  void Close(uint16_t port);
  absl::Status Send(uint16_t port, absl::string_view payload,
                    const net::SocketAddress& to);
  // Waits until `deadline` for one of `ports` to have something and
  // returns its index, or -1; with `receipt`, also takes the first thing.
  int Wait(const std::vector<uint16_t>& ports, absl::Time deadline,
           Receipt* receipt);

  absl::StatusOr<uint16_t> OpenLocked(uint16_t port,
                                      std::optional<net::SocketAddress> remote)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Schedule(absl::Time at, InFlight packet)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Delivers every datagram due by `now`, in order of arrival.
  void DeliverDue(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Deliver(absl::Time at, InFlight packet)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ToServer(absl::Time at, const Endpoint& endpoint, const InFlight& packet)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ToClient(absl::Time at, InFlight packet)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  net::SocketAddress PublicIp() const;
  absl::Status Serve(const net::SocketAddress& address, Endpoint endpoint)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AddStunCore(const server::StunServerConfig& config,
                           server::RateLimiter* limiter,
                           const std::vector<uint16_t>& advertised)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const SimClock* const clock_;
  const SimNetworkConfig config_;
  mutable absl::Mutex mu_;
  std::optional<SimNat> nat_ ABSL_GUARDED_BY(mu_);
  std::map<uint16_t, SocketState> sockets_ ABSL_GUARDED_BY(mu_);
  uint16_t next_port_ ABSL_GUARDED_BY(mu_) = 50000;
  // By arrival time, then by order of sending.
  std::map<std::pair<absl::Time, int64_t>, InFlight> in_flight_
      ABSL_GUARDED_BY(mu_);
  int64_t sequence_ ABSL_GUARDED_BY(mu_) = 0;
  SimCounters counters_ ABSL_GUARDED_BY(mu_);
  std::map<net::SocketAddress, Endpoint> endpoints_ ABSL_GUARDED_BY(mu_);
  std::set<net::SocketAddress> hosts_ ABSL_GUARDED_BY(mu_);  // IPs, port 0.
  std::vector<std::unique_ptr<server::RateLimiter>> limiters_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<server::StunServerCore>> stun_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<server::QuicResponderCore>> quic_
      ABSL_GUARDED_BY(mu_);
};

// Path evidence from a script: what a simulated gateway, routers and STUN
// server over TCP say, and how long after they are asked. Thread-safe
// (immutable once the probe runs).
class ScriptedPathEvidence final : public PathEvidence {
 public:
  ScriptedPathEvidence() = default;
  // `firewalk` answers each round; null: every datagram silent.
  using FirewalkScript =
      std::function<FirewalkRound(const FirewalkRoundOptions&)>;
  // What STUN over TCP to a server gets (outcome, local and mapped
  // address, rtt, error); the server is filled in.
  using TcpStunScript =
      std::function<v1::TcpStunObservation(const net::SocketAddress& server)>;
  ScriptedPathEvidence(std::vector<v1::GatewayObservation> gateways,
                       std::vector<v1::HopObservation> hops,
                       FirewalkScript firewalk = nullptr)
      : gateways_(std::move(gateways)),
        hops_(std::move(hops)),
        firewalk_(std::move(firewalk)) {}
  // Answers `delay` after each query starts, waiting on `clock` (which
  // must outlive this). A query whose deadline comes first gets what a
  // real one would: gateway observations saying "no answer ... within"
  // the wait and why, and no hops.
  ScriptedPathEvidence(std::vector<v1::GatewayObservation> gateways,
                       std::vector<v1::HopObservation> hops, const Clock* clock,
                       absl::Duration delay)
      : gateways_(std::move(gateways)),
        hops_(std::move(hops)),
        firewalk_(nullptr),
        clock_(clock),
        delay_(delay) {}

  std::vector<v1::GatewayObservation> QueryGateways(
      const GatewayQuery& query) override;
  std::vector<v1::HopObservation> TraceHops(const TraceQuery& query,
                                            const Clock& clock) override;
  // Takes round.wait on `clock`, like a round where something stays silent.
  absl::StatusOr<FirewalkRound> Firewalk(const FirewalkRoundOptions& round,
                                         const Clock& clock) override {
    clock.SleepUntil(clock.Now() + round.wait);
    if (firewalk_) return firewalk_(round);
    FirewalkRound silent;
    silent.targets.resize(round.targets.size());
    return silent;
  }
  // The script's observation at once; without a script, or when it says
  // TCP_STUN_UNREACHABLE, what a real connection that gets nothing does:
  // waits for the deadline on `clock`, then says so.
  v1::TcpStunObservation StunOverTcp(const TcpStunQuery& query,
                                     const Clock& clock) override;

  // Call before the probe runs.
  void set_tcp_stun(TcpStunScript script) { tcp_stun_ = std::move(script); }

 private:
  const std::vector<v1::GatewayObservation> gateways_;
  const std::vector<v1::HopObservation> hops_;
  const FirewalkScript firewalk_;
  const Clock* const clock_ = nullptr;  // Null: answers at once.
  const absl::Duration delay_;
  TcpStunScript tcp_stun_;
};

// Runs `body` on a thread of its own and, until it returns, moves `clock`
// to the earliest deadline whenever that thread sleeps on it: a
// discrete-event run that takes real time only for the work done. `body`
// must wait only on `clock`, from one thread at a time.
void RunOnSimClock(SimClock& clock, const std::function<void()>& body);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_SIM_NETWORK_H_
