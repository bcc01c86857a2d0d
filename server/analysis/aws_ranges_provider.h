// How the server's analysis gets its AWS ranges: it asks for the current
// ones at the start of each analysis or query and keeps that snapshot for
// the whole call, so a reload meanwhile (AwsRangesWatcher,
// aws_ranges_watcher.h) neither pulls the ranges from under it nor mixes
// two files' answers in one result.
//
//   const AwsRangesSnapshot ranges = SnapshotOf(options.aws_ranges);
//   ApplyServerVerdict(&agent, ranges.get());
#ifndef NATSCOPE_SERVER_ANALYSIS_AWS_RANGES_PROVIDER_H_
#define NATSCOPE_SERVER_ANALYSIS_AWS_RANGES_PROVIDER_H_

#include <functional>
#include <memory>
#include <utility>

#include "analyzer/evidence/aws_ranges.h"

namespace natscope::server {

using AwsRangesSnapshot = std::shared_ptr<const analyzer::AwsRanges>;

// The current ranges, null for no AWS detection. Must be thread-safe.
using AwsRangesProvider = std::function<AwsRangesSnapshot()>;

// What `provider` gives now; null when it is empty.
inline AwsRangesSnapshot SnapshotOf(const AwsRangesProvider& provider) {
  return provider ? provider() : nullptr;
}

// A provider that always gives `ranges` (may be null): for tests, and to
// pin one snapshot for a call that analyses several sites.
inline AwsRangesProvider FixedAwsRanges(AwsRangesSnapshot ranges) {
  return [ranges = std::move(ranges)] { return ranges; };
}

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_ANALYSIS_AWS_RANGES_PROVIDER_H_
