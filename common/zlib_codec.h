// zlib (RFC 1950) compression of agents' batches and gzip (RFC 1952)
// bodies of OTLP/HTTP requests, with a bounded inflate: the server never
// holds more inflated bytes than it accepts.
//
// Stateless functions; thread-safe.
#ifndef NATSCOPE_COMMON_ZLIB_CODEC_H_
#define NATSCOPE_COMMON_ZLIB_CODEC_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natscope {

// `data` deflated in the zlib format at `level` (0-9; 6 is zlib's
// default). Internal only when zlib fails (out of memory).
absl::StatusOr<std::string> ZlibDeflate(absl::string_view data, int level = 6);

// Inflates `compressed` (zlib format) and returns the result, never holding
// more than `max_bytes` of it: ResourceExhausted as soon as the output
// would exceed `max_bytes` (nothing further is inflated), InvalidArgument
// when the data is corrupt, truncated or followed by trailing bytes.
absl::StatusOr<std::string> ZlibInflateBounded(absl::string_view compressed,
                                               size_t max_bytes);

// `data` compressed in the gzip format (one member) at `level`, as an
// OTLP exporter sends it with "Content-Encoding: gzip". Internal only when
// zlib fails.
absl::StatusOr<std::string> GzipDeflate(absl::string_view data, int level = 6);

// As ZlibInflateBounded, for gzip data of one member: ResourceExhausted as
// soon as the output would exceed `max_bytes`, InvalidArgument when the
// data is not gzip, is corrupt or truncated, or is followed by other bytes
// (a second member included).
absl::StatusOr<std::string> GzipInflateBounded(absl::string_view compressed,
                                               size_t max_bytes);

}  // namespace natscope

#endif  // NATSCOPE_COMMON_ZLIB_CODEC_H_
