// Runs a probe: resolves the options' servers, builds the plan
// (probe_plan.h) and executes it over an injected network, path evidence
// and clock, then lets analyzer::ClassifyProbe and AddPathFindings give
// the verdicts. The executor decides nothing itself; what runs, where and
// how long it waits is the plan's.
//
// Probe (prober.h) is this over the real network; tests run it over a
// simulated one (sim_network.h).
#ifndef NATSCOPE_INGEST_PROBE_PROBE_EXECUTOR_H_
#define NATSCOPE_INGEST_PROBE_PROBE_EXECUTOR_H_

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "ingest/probe/path_evidence.h"
#include "ingest/probe/probe_network.h"
#include "ingest/probe/probe_options.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

// What a probe runs on. Not owned; all three must outlive the call.
struct ProbeEnvironment {
  ProbeNetwork* network = nullptr;
  PathEvidence* evidence = nullptr;
  const Clock* clock = nullptr;
  // Run the independent tests (path evidence; RFC 5780 mapping, filtering,
  // port and QUIC checks) one after another on the calling thread instead
  // of concurrently on threads of their own; path evidence then runs right
  // after test I rather than alongside it, with the waits test I set. The
  // report is the same, only slower to get; a simulated network uses it so
  // that one thread drives its clock and every run is identical.
  bool sequential = false;
};

// Blocking. Thread-safe as long as `env`'s network and evidence are.
// InvalidArgument when there is no STUN server, a server address or
// options.local is bad, or `env` lacks a member; NotFound when a name does
// not resolve; FailedPrecondition or Unavailable when socket A cannot be
// opened. An unanswered probe is not an error: it is a report with
// udp_reachable = false.
//
// Dual stack (dual_stack_probe.cc): when options.stun_servers has servers
// of both families and this host has a usable IPv6 source toward the
// first IPv6 one, each family is probed by RunFamilyProbe with its own
// servers, QUIC endpoint and destinations, concurrently (gateways are
// asked on IPv4 only); the report is the IPv4 one with the IPv6 one in
// `ipv6`. Otherwise (one family given, no IPv6 route, or options.local
// set) one family is probed: the IPv4 servers, or the IPv6 ones when only
// those are given.
absl::StatusOr<v1::ProbeReport> RunProbe(const ProbeOptions& options,
                                         const ProbeEnvironment& env);

// One family: every server of `options` is of one family.
absl::StatusOr<v1::ProbeReport> RunFamilyProbe(const ProbeOptions& options,
                                               const ProbeEnvironment& env);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_PROBE_EXECUTOR_H_
