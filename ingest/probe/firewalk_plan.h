// Firewalking, decided without I/O: which (destination, port) targets to
// walk, with which TTL and waits (MakeFirewalkPlan), and what several
// rounds of replies (ingest/netpath/firewalk_round.h) mean
// (FirewalkJudge). Compare the firewalk tool (Goldsmith and Schiffman,
// 1998); here without raw sockets, reading ICMP through IP_RECVERR.
//
// A target's datagram carries a TTL that expires at the first router
// beyond the local NAT/firewall (the hop trace finds it):
//   - time exceeded from that router, or an answer: the firewall let it
//     through (FIREWALK_PASSED); port unreachable from the destination
//     itself: open path, nothing listens (FIREWALK_NOT_LISTENING);
//   - "unreachable" from anyone else: refused (FIREWALK_REJECTED);
//   - silence counts only in a round whose sibling (the primary STUN
//     server's address and port, known to pass, sent last with the same
//     TTL) got its time exceeded: two such rounds make FIREWALK_DROPPED.
//     A silent sibling means the router is rate-limiting ICMP (or never
//     answers): the next round waits for its tokens, and after two silent
//     siblings the rest is FIREWALK_UNKNOWN rather than a guess.
//
// Pure: no I/O, no clock. Thread-compatible.
#ifndef NATSCOPE_INGEST_PROBE_FIREWALK_PLAN_H_
#define NATSCOPE_INGEST_PROBE_FIREWALK_PLAN_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/net/socket_address.h"
#include "ingest/netpath/firewalk_round.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

// What the rest of the probe measured that firewalking depends on.
struct FirewalkInputs {
  // The primary STUN server, and whether test I got its answer.
  net::SocketAddress primary;
  bool primary_answered = false;
  // The hop trace toward the primary, nearest first.
  std::vector<v1::HopObservation> hops;
  // The STUN port checks: inconclusive ones are walked.
  std::vector<v1::PortCheck> port_checks;
  // The second destination set, each "ip:port"; one that a STUN exchange
  // of `observations` already reached is not walked.
  std::vector<net::SocketAddress> destinations;
  std::vector<v1::StunObservation> observations;
  // Test I's shortest round trip, when answered.
  std::optional<absl::Duration> rtt;
};

struct FirewalkTarget {
  std::string kind;  // "port" or "destination"
  net::SocketAddress destination;
};

struct FirewalkPlan {
  int ttl = 0;
  net::SocketAddress sibling;  // The primary.
  std::vector<FirewalkTarget> targets;
  // Each round listens this long: clamp(4 x the hop's round trip + 20 ms,
  // 50 ms, 500 ms).
  absl::Duration wait;
  // Before a round that follows a silent sibling: Linux refills a peer's
  // ICMP token once a second.
  absl::Duration pause = absl::Seconds(1);
  int max_rounds = 4;
  // Targets per round: with the sibling, at most Linux's burst of six.
  int per_round = 5;
};

// The TTL of the first answering hop beyond the last private or CGNAT hop
// (beyond the NAT); without such hops, the last answering hop (beyond any
// firewall at the site's edge) if it is hop 2 or further (hop 1, the
// host's gateway, answers before its own firewall rules run). 0 when no
// such hop answered.
int FirewalkTtl(const std::vector<v1::HopObservation>& hops);

// nullopt when there is nothing to walk, the primary did not answer (no
// sibling), or no hop beyond the firewall answered the trace.
std::optional<FirewalkPlan> MakeFirewalkPlan(const FirewalkInputs& inputs);

// The inputs from a report whose STUN tests, port checks and hop trace are
// done: `destinations` plus the primary's OTHER-ADDRESS on the primary's
// port (natscope-server's alternate address counts as a destination).
FirewalkInputs FirewalkInputsOf(
    const v1::ProbeReport& report, const net::SocketAddress& primary,
    const std::vector<net::SocketAddress>& destinations);

class FirewalkJudge {
 public:
  explicit FirewalkJudge(FirewalkPlan plan);

  // Indices into plan().targets for the next round, at most per_round;
  // empty when done.
  std::vector<size_t> NextRound() const;
  // Whether to wait plan().pause before that round.
  bool PauseFirst() const { return last_sibling_silent_; }
  // The round's replies to the targets `sent` (in order) and the sibling.
  void Record(const std::vector<size_t>& sent, const FirewalkRound& round);

  // One check per target, in plan order; undecided ones FIREWALK_UNKNOWN.
  std::vector<v1::FirewalkCheck> Checks() const;
  const FirewalkPlan& plan() const { return plan_; }

 private:
  struct State {
    std::optional<v1::FirewalkCheck> verdict;
    int transmissions = 0;
    int sibling_answers = 0;     // Of the rounds this target was in.
    int confirmed_silences = 0;  // Silent while the sibling answered.
  };
  FirewalkPlan plan_;
  std::vector<State> states_;
  int rounds_ = 0;
  int sibling_silences_ = 0;
  bool last_sibling_silent_ = false;
  std::string sibling_responder_;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_FIREWALK_PLAN_H_
