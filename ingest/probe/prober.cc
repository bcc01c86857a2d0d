#include "ingest/probe/prober.h"

#include "ingest/probe/probe_executor.h"
#include "ingest/probe/real_path_evidence.h"
#include "ingest/probe/real_probe_network.h"

namespace natscope::ingest {

absl::StatusOr<v1::ProbeReport> Probe(const ProbeOptions& options,
                                      const Clock& clock) {
  RealProbeNetwork network(clock);
  RealPathEvidence evidence;
  ProbeEnvironment env;
  env.network = &network;
  env.evidence = &evidence;
  env.clock = &clock;
  return RunProbe(options, env);
}

}  // namespace natscope::ingest
