// The probe's plan: which tests run, against which addresses, with which
// retransmissions and waits (compare Tailscale netcheck's makeProbePlan).
// The executor (probe_executor.h) runs a plan and decides nothing of its
// own; verdicts come afterwards from analyzer::ClassifyProbe.
//
// The plan has two halves, because the later tests depend on what the
// first exchange (RFC 5780 test I) measured:
//
//   ASSIGN_OR_RETURN(ProbePlan plan, MakeProbePlan(options, targets));
//   ... run plan.bindings at once from one socket A ...
//   FollowUpPlan next = MakeFollowUpPlan(plan,
//   SummarizeFirstExchange(results));
//   ... run next: RFC 5780 tests, port checks and QUIC concurrently, then
//   the opt-ins ...
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
#include "ingest/probe/path_evidence.h"
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
  // Path evidence, started before test I and independent of it; nullopt
  // skips it. The gateway gets 500 ms (400 ms of UPnP discovery): one
  // that speaks a protocol answers within milliseconds.
  std::optional<GatewayQuery> gateways;
  std::optional<TraceQuery> trace;  // Toward the primary.
  // Asked of the follow-up (see MakeFollowUpPlan).
  std::optional<net::SocketAddress> quic;
  std::vector<int> ports;
  bool hairpin = false;
  absl::Duration lifetime = absl::ZeroDuration();
};

// What test I measured that the follow-up depends on.
struct FirstExchange {
  // The shortest round trip of an answered binding; nullopt: none answered.
  std::optional<absl::Duration> rtt;
  // The primary's OTHER-ADDRESS, when its answer carried one.
  std::optional<net::SocketAddress> other_address;
  // The ports the primary lists in NATSCOPE-PORTS; empty when not listed.
  std::vector<uint16_t> served_ports;
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
};

struct LifetimePlan {
  net::SocketAddress server;
  absl::Duration longest;
};

// The tests after the first exchange, all with `policy`.
struct FollowUpPlan {
  RetransmitPolicy policy;
  // These three are independent and run concurrently.
  std::optional<Rfc5780Plan> rfc5780;
  std::optional<PortCheckPlan> ports;
  std::optional<net::SocketAddress> quic;
  // Opt-ins, run one after the other once the rest is done: the server the
  // hairpinning test maps through, and the binding lifetime test.
  std::optional<net::SocketAddress> hairpin;
  std::optional<LifetimePlan> lifetime;
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
//  - RFC 5780 tests run when the primary gave an OTHER-ADDRESS on another
//    IP (one on its own IP cannot tell address-dependent behaviour);
//  - the opt-ins run when asked for.
// Port checks (interval policy.initial_rto, wait policy.timeout) and QUIC
// run whenever asked for, answer or not.
FollowUpPlan MakeFollowUpPlan(const ProbePlan& plan,
                              const FirstExchange& first);

// Waits for the later tests from the round-trip time `rtt` of the first
// exchange: interval 3 rtt within [25 ms, 500 ms], 5 transmissions, total
// wait 8 intervals within [250 ms, 1.5 s].
RetransmitPolicy AdaptedPolicy(absl::Duration rtt);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_PROBE_PLAN_H_
