// `server_load load-fleet`: a large fleet written straight into
// natscope-server's database with COPY (much faster than enrolling and
// probing 200,000 agents): agents, their latest state with a serialized
// ProbeReport, and a site_dirty mark per site so that the server's
// site-health refresher analyses every site.
#ifndef NATSCOPE_TESTS_BENCH_FLEET_LOAD_H_
#define NATSCOPE_TESTS_BENCH_FLEET_LOAD_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "natscope/v1/agent.pb.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::bench {

struct FleetOptions {
  // libpq connection string of the server's database (migrated already).
  std::string postgres;
  int sites = 10000;
  int agents = 200000;
};

struct FleetCounts {
  int64_t sites = 0;
  int64_t clients = 0;
  int64_t connectors = 0;
  int64_t report_bytes = 0;  // serialized ProbeReports, summed
};

// The identity of fleet agent `index`: every site gets a connector (agents
// 0..sites-1) and a client (sites..2*sites-1); the rest fall on sites at
// random (deterministically), about one in six a connector.
v1::AgentIdentity FleetAgentOf(const FleetOptions& options, int index);

// The latest probe report of fleet agent `agent` at `time`: the site's
// network profile (home NAT, symmetric NAT, AWS NAT gateway, UDP blocked,
// CGNAT, public address, ...) with some agents off-profile, so that sites'
// verdicts and findings differ.
v1::ProbeReport FleetReportOf(const v1::AgentIdentity& agent, int index,
                              absl::Time time);

// Writes the fleet into `options.postgres` in one transaction (COPY), then
// ANALYZEs the tables. Fails with the database's message.
absl::StatusOr<FleetCounts> LoadFleet(const FleetOptions& options,
                                      absl::Time now);

}  // namespace natscope::bench

#endif  // NATSCOPE_TESTS_BENCH_FLEET_LOAD_H_
