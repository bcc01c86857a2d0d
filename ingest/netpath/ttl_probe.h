// TTL-limited UDP probes toward a destination (the STUN server), reading
// the routers' ICMP time-exceeded messages without root through Linux's
// IP_RECVERR / IPV6_RECVERR error queue. One socket per TTL, all probes
// sent at once; the wait is bounded, adapts to an RTT hint, or ends at a
// deadline that another thread may bring forward (deadline.h).
//
// Thin adapter: Linux only, blocking, thread-safe (no shared state).
#ifndef NATSCOPE_INGEST_NETPATH_TTL_PROBE_H_
#define NATSCOPE_INGEST_NETPATH_TTL_PROBE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/net/socket_address.h"
#include "ingest/netpath/deadline.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

struct TtlProbeOptions {
  // Where the probes go, normally the first STUN server's ip:port.
  net::SocketAddress destination;
  // TTLs 1..max_ttl are probed (clamped to 1..16).
  int max_ttl = 5;
  // Round-trip time to the destination when known (e.g. from the STUN
  // binding); zero: unknown. The wait is clamp(3 * rtt_hint + 100 ms,
  // 200 ms, max_wait), or max_wait without a hint. Unanswered TTLs are
  // probed once more halfway through.
  absl::Duration rtt_hint = absl::ZeroDuration();
  absl::Duration max_wait = absl::Milliseconds(500);
  // When set, the trace ends by this instead (rtt_hint and max_wait are
  // unused), re-read while it waits, in the times of `clock`; unanswered
  // TTLs are probed again halfway to it. Not owned; must outlive the call.
  const Deadline* deadline = nullptr;
  // Datagram to send; empty: a 20-byte STUN Binding request, which a STUN
  // server simply answers once a probe reaches it.
  std::string payload;
};

struct HopTrace {
  // One entry per TTL from 1 to the last that told something, nearest
  // first: address and address_class set when a router answered
  // time-exceeded (or, at the end of the path, destination-unreachable
  // from a router other than the destination), empty when it did not.
  // Hops at and beyond the destination are not included.
  std::vector<v1::HopObservation> hops;
  // The smallest TTL whose probe reached the destination (it answered or
  // sent port-unreachable); 0 when none did within the wait.
  int destination_ttl = 0;
};

// Returns early once every TTL below the destination has answered.
// Unavailable when no socket can be opened or there is no route to the
// destination (the message names it). Silence is not an error: the result
// then has empty hops.
absl::StatusOr<HopTrace> TraceHops(const TtlProbeOptions& options,
                                   const Clock& clock);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_NETPATH_TTL_PROBE_H_
