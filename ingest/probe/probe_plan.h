// The probe's plan: which tests run, against which addresses, with which
// retransmissions and waits (compare Tailscale netcheck's makeProbePlan).
// The executor (probe_executor.h) runs a plan and decides nothing of its
// own; verdicts come afterwards from analyzer::ClassifyProbe.
//
// The plan has two halves, because the later tests depend on what the
// first exchange (RFC 5780 test I) measured:
//
//   ASSIGN_OR_RETURN(ProbePlan plan, MakeProbePlan(options, targets));
//   ... start the path evidence with plan.evidence's waits, and run
//   plan.bindings at once from one socket A ...
//   FollowUpPlan next = MakeFollowUpPlan(plan,
//   SummarizeFirstExchange(results));
//   ... bring the evidence's deadlines forward to next.evidence; run next:
//   RFC 5780 tests, port checks and QUIC concurrently, then the opt-ins ...
//
// Pure: no I/O, no clock, no randomness (transaction ids are drawn by the
// executor). Thread-compatible values.
#ifndef NATSCOPE_INGEST_PROBE_PROBE_PLAN_H_
#define NATSCOPE_INGEST_PROBE_PROBE_PLAN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/net/socket_address.h"
#include "common/stun/message.h"
#include "ingest/probe/binding.h"
#include "ingest/probe/probe_options.h"
#include "ingest/probe/retransmit.h"

namespace natscope::ingest {

// One STUN Binding exchange.
struct StunExchange {
  // Names the observation (analyzer/nat_behavior.h), e.g. "mapping-II".
  std::string test;
  // Where the request goes.
  net::SocketAddress server;
  // CHANGE-REQUEST, when the request carries one.
  std::optional<stun::ChangeRequest> change;
  // Only a response from here is trusted.
  net::SocketAddress expected_source;
};

// The addresses of ProbeOptions' names, resolved by the executor.
struct ProbeTargets {
  // options.stun_servers in order; the first is the primary.
  std::vector<net::SocketAddress> stun_servers;
  // options.quic_server; nullopt when it is empty.
  std::optional<net::SocketAddress> quic;
  // options.destinations in order.
  std::vector<net::SocketAddress> destinations;
};

// How long path evidence waits, from when it starts or, once test I
// measured the round trip, from then on (the executor brings the running
// queries' deadlines forward; it never extends them).
struct EvidenceWaits {
  // For the gateway to answer NAT-PMP, PCP and UPnP's SSDP discovery.
  absl::Duration gateway_answer;
  // For the whole gateway query, UPnP's description and
  // GetExternalIPAddress included; not shorter than gateway_answer.
  absl::Duration gateway;
  // For the hop trace.
  absl::Duration trace;
  // Why, for the messages of queries that end at these waits: "" for the
  // first ones, else e.g. "waits follow the 227us STUN round trip".
  std::string reason;
};

// What runs first, and what the options ask of the follow-up.
struct ProbePlan {
  // Socket A, for test I and mapping tests II and III: options.local, or
  // the wildcard address (port 0) of the primary's family.
  net::SocketAddress bind;
  // Test I: a "binding" to every server, the primary first, all at once
  // from socket A (so that their mappings compare).
  std::vector<StunExchange> bindings;
  // Test I's retransmissions and wait: options.policy.
  RetransmitPolicy policy;
  // Path evidence, started alongside test I and independent of it: the
  // gateway query (options.gateways) and the hop trace toward the primary
  // (options.trace_hops; nullopt skips it). Until test I measured a round
  // trip (FollowUpPlan::evidence), and on a path where nothing answers,
  // they wait as long as `evidence` says: the gateway 400 ms for an answer
  // and 500 ms in all, the trace 500 ms.
  bool gateways = false;
  std::optional<net::SocketAddress> trace;
  EvidenceWaits evidence;
  // Asked of the follow-up (see MakeFollowUpPlan).
  std::optional<net::SocketAddress> quic;
  std::vector<int> ports;
  bool hairpin = false;
  absl::Duration lifetime = absl::ZeroDuration();
  // Firewalking (firewalk_plan.h) once the rest is done: options.firewalk
  // with the trace on; against targets.destinations and the ports the
  // port check could not decide.
  bool firewalk = false;
  std::vector<net::SocketAddress> destinations;
};

// What test I measured that the follow-up depends on.
struct FirstExchange {
  // The shortest round trip of an answered binding; nullopt: none answered.
  std::optional<absl::Duration> rtt;
  // The primary's OTHER-ADDRESS, when its answer carried one.
  std::optional<net::SocketAddress> other_address;
  // The ports the primary lists in NATSCOPE-PORTS; empty when not listed.
  std::vector<uint16_t> served_ports;
  // The primary answered as an RFC 3489 server (StunObservation's
  // classic_server): no RESPONSE-PORT, so no binding lifetime test.
  bool classic_server = false;
};

// RFC 5780 §4.3 mapping and §4.4 filtering tests against the primary
// (A1:P1) and its OTHER-ADDRESS (A2:P2).
struct Rfc5780Plan {
  net::SocketAddress primary;
  net::SocketAddress other;
  // Tests II (A2:P1) and III (A2:P2), from socket A after test I.
  std::vector<StunExchange> mapping;
  // To repeat the mapping tests: test I again from a fresh socket, then
  // (when answered) `mapping` from that socket.
  StunExchange rebind;
  // From a fresh socket B: test I, then (when answered) tests II (change IP
  // and port, answered from A2:P2) and III (change port, from A1:P2).
  StunExchange filtering_first;
  std::vector<StunExchange> filtering;
  // Mapping and filtering each run at most this many times while their
  // verdict is inconsistent (analyzer::MappingFrom, FilteringFrom).
  int attempts = 2;
};

// The outbound port check (port_check.h).
struct PortCheckPlan {
  // The primary; each check replaces its port.
  net::SocketAddress server;
  std::vector<int> ports;
  // Silence counts as "blocked" only on these (FirstExchange::served_ports).
  std::vector<uint16_t> served;
  absl::Duration interval;  // Retransmission interval.
  absl::Duration wait;      // Total wait.
  // Once only ports outside `served` are unanswered, the wait for them:
  // their silence proves nothing (inconclusive), so they get 4 intervals
  // (3 retransmissions) rather than all of `wait`.
  absl::Duration unlisted_wait;
};

struct LifetimePlan {
  net::SocketAddress server;
  absl::Duration longest;
};

// How long STUN over TCP may take, connection included. Linux sends an
// unanswered SYN again after 1 s (RFC 6298's initial RTO), so 1.5 s
// survives one lost SYN on a path of up to 500 ms round trip: a lost SYN
// must not read as "nothing reaches the server". It runs only when UDP got
// no answer, alongside the port and QUIC checks (1 s then), so it costs
// such a probe at most 0.5 s more with them (1.5 s without) and every
// other probe nothing.
inline constexpr absl::Duration kTcpStunWait = absl::Milliseconds(1500);

// STUN over TCP (ingest/netpath/stun_tcp.h) to the primary, to tell "only
// UDP is dropped" (an answer or a refusal: the path exists) from "nothing
// reaches the server".
struct TcpStunPlan {
  net::SocketAddress server;
  absl::Duration wait = kTcpStunWait;
};

// The tests after the first exchange, all with `policy`.
struct FollowUpPlan {
  RetransmitPolicy policy;
  // Path evidence's waits from now on (EvidenceWaitsFor) when test I
  // measured a round trip; nullopt: ProbePlan::evidence's stay.
  std::optional<EvidenceWaits> evidence;
  // These three are independent and run concurrently.
  std::optional<Rfc5780Plan> rfc5780;
  std::optional<PortCheckPlan> ports;
  std::optional<net::SocketAddress> quic;
  // Opt-ins, run one after the other once the rest is done: the server the
  // hairpinning test maps through, and the binding lifetime test.
  std::optional<net::SocketAddress> hairpin;
  std::optional<LifetimePlan> lifetime;
  // When test I got no answer: runs alongside the three above.
  std::optional<TcpStunPlan> tcp_stun;
};

// The first half. InvalidArgument when `targets` has no STUN server (the
// message says what to pass) or options.local is not "IP:PORT" (the
// message names it).
absl::StatusOr<ProbePlan> MakeProbePlan(const ProbeOptions& options,
                                        const ProbeTargets& targets);

// What test I's `results` (in the order of ProbePlan::bindings, so the
// primary's first) tell the follow-up. Empty `results` tell nothing.
FirstExchange SummarizeFirstExchange(const std::vector<BindingResult>& results);

// The second half. With an answer (first.rtt set):
//  - policy is AdaptedPolicy(rtt); without, a 1 s wait (250 ms, 4 sends),
//    since UDP may still pass on other ports;
//  - path evidence's waits follow the round trip (EvidenceWaitsFor);
//  - RFC 5780 tests run when the primary gave an OTHER-ADDRESS on another
//    IP (one on its own IP cannot tell address-dependent behaviour);
//  - the opt-ins run when asked for.
// Without an answer, STUN over TCP to the primary (tcp_stun). Port checks
// (interval policy.initial_rto, wait policy.timeout, 4 intervals of it for
// unlisted ports) and QUIC run whenever asked for, answer or not.
FollowUpPlan MakeFollowUpPlan(const ProbePlan& plan,
                              const FirstExchange& first);

// Waits for the later tests from the round-trip time `rtt` of the first
// exchange: interval 3 rtt within [25 ms, 500 ms], 5 transmissions, total
// wait 8 intervals within [250 ms, 1.5 s].
RetransmitPolicy AdaptedPolicy(absl::Duration rtt);

// Path evidence's waits once test I measured the round trip `rtt` (the
// gateway and the first routers are on that path, so no farther), each
// from the moment it is known:
//  - the gateway's answer: 3 rtt + 100 ms, at most 400 ms. A gateway
//    answers NAT-PMP and PCP at once, but miniupnpd holds its SSDP answer
//    50 ms (against floods) and a busy router's daemons take tens of ms.
//    (An IGD that spreads its answers over the M-SEARCH's MX second, as
//    UPnP 1.1 suggests, is caught one time in ten at 100 ms and four in
//    ten at 400 ms: its observation then says it had no answer in time.)
//  - the whole gateway query: that + 4 rtt + 50 ms, at most 500 ms; after
//    discovery, miniupnpc's description fetch and SOAP call are two HTTP
//    exchanges of two round trips each, plus the router's work.
//  - the hop trace: 3 rtt + 100 ms, at most 500 ms: routers answer from
//    their control plane, which may take tens of ms; unanswered TTLs are
//    probed again halfway.
EvidenceWaits EvidenceWaitsFor(absl::Duration rtt);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_PROBE_PLAN_H_
