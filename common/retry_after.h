// The one name both ends use for the server's retry hint: trailing
// metadata on a RESOURCE_EXHAUSTED or UNAVAILABLE answer to Ingest, the
// delay in decimal milliseconds, which the agent waits at least.
#ifndef NATSCOPE_COMMON_RETRY_AFTER_H_
#define NATSCOPE_COMMON_RETRY_AFTER_H_

namespace natscope {

inline constexpr char kRetryAfterMetadataKey[] = "natscope-retry-after-ms";

}  // namespace natscope

#endif  // NATSCOPE_COMMON_RETRY_AFTER_H_
