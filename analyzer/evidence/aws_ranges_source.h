// Where the AWS ranges of the agent and of the server come from: the copy
// embedded at build time (EC2/AMAZON prefixes of
// analyzer/evidence/data/aws-ip-ranges.json) or a full ip-ranges.json named
// by --aws_ip_ranges=FILE. LoadAwsRangesFile is the analyzer's one read of
// a file: the data its rules decide with. Thread-safe.
#ifndef NATSCOPE_ANALYZER_EVIDENCE_AWS_RANGES_SOURCE_H_
#define NATSCOPE_ANALYZER_EVIDENCE_AWS_RANGES_SOURCE_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "analyzer/evidence/aws_ranges.h"

namespace natscope::analyzer {

// The embedded copy, decoded on every call (about 10 ms; keep the result).
// Internal only if the build embedded a broken copy, which the build
// itself prevents.
absl::StatusOr<analyzer::AwsRanges> EmbeddedAwsRanges();

// Reads and parses the ip-ranges.json at `path`. NotFound or
// PermissionDenied when it cannot be read, InvalidArgument when it is not
// AWS's format; every message names the file.
// InvalidArgument past kMaxAwsRangesFileBytes.
inline constexpr size_t kMaxAwsRangesFileBytes = size_t{32} << 20;
absl::StatusOr<analyzer::AwsRanges> LoadAwsRangesFile(const std::string& path);

// `path` empty: the embedded copy; otherwise LoadAwsRangesFile(path). What
// --aws_ip_ranges maps to.
absl::StatusOr<analyzer::AwsRanges> LoadAwsRanges(const std::string& path);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_EVIDENCE_AWS_RANGES_SOURCE_H_
