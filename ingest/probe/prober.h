// Probes this host's path to the internet with STUN and returns a
// classified ProbeReport. Blocking; one call at a time per Prober.
#ifndef NATSCOPE_INGEST_PROBE_PROBER_H_
#define NATSCOPE_INGEST_PROBE_PROBER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "ingest/probe/retransmit.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

struct ProbeOptions {
  // STUN servers as HOST:PORT; at least one.
  std::vector<std::string> stun_servers;
  RetransmitPolicy policy;
  // Local address to probe from, "IP:PORT"; empty picks a free port on the
  // wildcard address.
  std::string local;
  // Called before each exchange with a one-line description; may be empty.
  std::function<void(const std::string&)> progress;
};

// InvalidArgument/NotFound when a server address is bad or does not
// resolve; FailedPrecondition when no socket can be opened. An unanswered
// probe is not an error: it is a report with udp_reachable = false.
absl::StatusOr<v1::ProbeReport> Probe(const ProbeOptions& options,
                                      const Clock& clock);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_PROBER_H_
