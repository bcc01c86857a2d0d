// Test data shared by the query service's tests: one batch holding a probe
// whose two servers saw two different mappings from one local port, the
// evidence of endpoint-dependent mapping an AWS NAT gateway leaves.
#ifndef NATSCOPE_SERVER_SERVICE_ENDPOINT_DEPENDENT_BATCH_H_
#define NATSCOPE_SERVER_SERVICE_ENDPOINT_DEPENDENT_BATCH_H_

#include "absl/time/time.h"
#include "natscope/v1/agent.pb.h"

namespace natscope::server {

// Epoch 1, sequence 1; the probe starts at `at`, public address
// 198.51.100.7:6000, udp_reachable set (no verdict of the agent's beyond).
inline v1::IngestRequest EndpointDependentBatch(absl::Time at) {
  v1::IngestRequest batch;
  batch.set_epoch(1);
  batch.set_sequence(1);
  v1::ProbeReport* probe = batch.add_records()->mutable_probe();
  probe->mutable_time()->set_seconds(absl::ToUnixSeconds(at));
  for (const char* mapped : {"198.51.100.7:6000", "198.51.100.7:6001"}) {
    v1::StunObservation* o = probe->add_observations();
    o->set_server(probe->observations_size() == 1 ? "192.0.2.1:3478"
                                                  : "203.0.113.1:3478");
    o->set_test("binding");
    o->set_local_address("10.0.0.2:5000");
    o->set_transmissions(1);
    o->set_answered(true);
    o->set_mapped_address(mapped);
  }
  probe->set_udp_reachable(true);
  probe->set_public_address("198.51.100.7:6000");
  return batch;
}

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_SERVICE_ENDPOINT_DEPENDENT_BATCH_H_
