// `server_load query`: the latency of the dashboard's queries
// (QueryService.ListSites, whole and a page of 100, GetSiteHealth and
// GetSiteAnalysis of random sites), one call at a time from one client, as
// an admin; and, with an HTTP address, GET /v1/sites?page_size=100 and the
// whole GET /v1/sites over the JSON API beside them.
#ifndef NATSCOPE_TESTS_BENCH_QUERY_LOAD_H_
#define NATSCOPE_TESTS_BENCH_QUERY_LOAD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace natscope::bench {

struct QueryOptions {
  // natscope-server's gRPC address, on loopback (plaintext).
  std::string server;
  // An admin or viewer API token.
  std::string token;
  // natscope-server's --http_listen address on loopback; when set, the
  // same ListSites calls are also timed over the JSON API.
  std::string http_server;
  int list_iterations = 200;
  // Calls of GetSiteHealth, and of GetSiteAnalysis, each on a random site.
  int site_iterations = 1000;
  uint64_t seed = 1;
};

// What one method's calls took.
struct MethodLatency {
  std::string method;
  std::vector<double> millis;  // successful calls, in call order
  int64_t errors = 0;
  std::string first_error;
  int64_t response_bytes = 0;  // of every successful response, summed
};

// Calls ListSites once (untimed) to learn the sites, warms each method up
// with a few untimed calls, then times every call. Fails when the server
// cannot be reached or lists no site.
absl::StatusOr<std::vector<MethodLatency>> RunQueries(
    const QueryOptions& options);

// The p-th percentile (0 < p <= 100, nearest rank) of `millis`; 0 if empty.
double Percentile(std::vector<double> millis, double p);

}  // namespace natscope::bench

#endif  // NATSCOPE_TESTS_BENCH_QUERY_LOAD_H_
