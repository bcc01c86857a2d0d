// One round of firewalking: TTL-limited UDP datagrams to a set of
// (destination, port) targets, then one to a sibling known to pass, all
// with the same TTL, and what came back to each within a wait. Whether a
// silence means "dropped" is decided elsewhere over several rounds
// (ingest/probe/firewalk_plan.h); this is the socket work of one round.
//
// Why the sibling goes last: routers rate-limit ICMP (Linux: a burst of
// six, then one per second per peer). A target that passed the firewall
// spends one of the router's tokens before the sibling arrives, so a
// sibling answered after silent targets shows the router still had tokens
// when they would have arrived: they did not arrive.
//
// Thin adapter: Linux only, blocking, thread-safe (no shared state).
#ifndef NATSCOPE_INGEST_NETPATH_FIREWALK_ROUND_H_
#define NATSCOPE_INGEST_NETPATH_FIREWALK_ROUND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/net/socket_address.h"

namespace natscope::ingest {

struct FirewalkRoundOptions {
  // Every datagram's TTL (hop limit).
  int ttl = 1;
  // Sent first, in order, from one fresh socket each.
  std::vector<net::SocketAddress> targets;
  // Sent last, from a fresh socket.
  net::SocketAddress sibling;
  // How long to listen after the last send. The round ends earlier once
  // every datagram has its reply.
  absl::Duration wait = absl::Milliseconds(100);
};

struct FirewalkReply {
  enum class Kind {
    kSilent,
    kTimeExceeded,     // a router answered: the datagram got that far
    kPortUnreachable,  // the destination itself: nothing listens there
    kUnreachable,      // someone refused it: prohibited, no route, ...
    kAnswered,         // the destination answered with data
    kLocalError,       // never left this host (no route, no socket, ...)
  };
  Kind kind = Kind::kSilent;
  // Who answered (port 0); unset when silent.
  net::SocketAddress responder;
  // For kUnreachable: in words, e.g. "administratively prohibited"; for
  // kLocalError, why.
  std::string detail;
  absl::Duration rtt;
};

struct FirewalkRound {
  std::vector<FirewalkReply> targets;  // In the order of options.targets.
  FirewalkReply sibling;
};

// Unavailable when the sibling's socket cannot be opened (no route, no
// socket); a target whose socket cannot be opened, or whose datagram the
// kernel refuses, gets kLocalError with the reason.
absl::StatusOr<FirewalkRound> RunFirewalkRound(
    const FirewalkRoundOptions& options, const Clock& clock);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_NETPATH_FIREWALK_ROUND_H_
