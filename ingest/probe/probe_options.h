// What a probe is asked to do: the configuration that MakeProbePlan
// (probe_plan.h) turns into a plan. A plain value; copyable.
#ifndef NATSCOPE_INGEST_PROBE_PROBE_OPTIONS_H_
#define NATSCOPE_INGEST_PROBE_PROBE_OPTIONS_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "analyzer/evidence/aws_ranges.h"
#include "ingest/probe/retransmit.h"

namespace natscope::ingest {

struct ProbeOptions {
  // STUN servers as HOST:PORT; at least one. The first is the primary: its
  // OTHER-ADDRESS (RFC 5780) drives the mapping and filtering tests.
  std::vector<std::string> stun_servers;
  // QUIC endpoint HOST:PORT for the QUIC check; empty skips it.
  std::string quic_server;
  // Destination ports for the outbound-port check, against the primary
  // server's IP; empty skips it.
  std::vector<int> ports = {3478, 443, 80, 53, 19302, 50000};
  // A second destination set, HOST:PORT each, for firewalking (with the
  // primary's OTHER-ADDRESS); see ProbeConfig.destinations.
  // At most kMaxDestinations (each costs ICMP from routers that ration it).
  std::vector<std::string> destinations;
  static constexpr int kMaxDestinations = 16;
  // Firewalk the ports the port check could not decide and the
  // destinations (needs trace_hops).
  bool firewalk = true;
  // Bounds the first exchange with the servers: a path where nothing
  // answers is concluded after policy.timeout plus at most a second.
  RetransmitPolicy policy{absl::Milliseconds(250), 7, absl::Milliseconds(2500)};
  // AWS's address ranges, for AWS NAT gateway detection; null skips it.
  std::shared_ptr<const analyzer::AwsRanges> aws_ranges;
  // Ask the default gateway for its external address (NAT-PMP, PCP, UPnP
  // IGD; read-only) and trace the first hops toward the primary server.
  bool gateways = true;
  bool trace_hops = true;
  // Opt-in tests with side effects (RFC 5780 §4.5, §4.6): hairpinning, and
  // binding lifetime up to this long (zero skips it; it takes about twice
  // this long).
  bool hairpin = false;
  absl::Duration lifetime = absl::ZeroDuration();
  // Local address to probe from, "IP:PORT"; empty picks a free port.
  std::string local;
  // Called with a one-line description as each step starts; may be empty.
  // Called one line at a time, from the thread that runs Probe or, while a
  // dual-stack probe runs its IPv6 half, from that half's thread.
  std::function<void(const std::string&)> progress;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_PROBE_OPTIONS_H_
