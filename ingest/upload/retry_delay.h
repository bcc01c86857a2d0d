// The retry delay natscope-server sends with a retryable error, and how it
// travels inside an absl::Status on the agent.
//
// On the wire: trailing metadata "natscope-retry-after-ms" whose value is a
// decimal number of milliseconds, sent by AgentService with UNAVAILABLE
// (store down) and RESOURCE_EXHAUSTED (agent over its rate). The agent waits
// at least that long before resending (see Backoff). The key is repeated in
// server/service/agent_service.h, which documents the server's side.
#ifndef NATSCOPE_INGEST_UPLOAD_RETRY_DELAY_H_
#define NATSCOPE_INGEST_UPLOAD_RETRY_DELAY_H_

#include "common/retry_after.h"
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace natscope::ingest {

// kRetryAfterMetadataKey: common/retry_after.h.

// Parses a metadata value ("1500"); nullopt unless a non-negative integer.
std::optional<absl::Duration> ParseRetryAfterMs(absl::string_view value);

// Attaches `delay` to a non-OK `*status` (as a status payload).
void SetRetryDelay(absl::Status* status, absl::Duration delay);
// The delay attached by SetRetryDelay, if any.
std::optional<absl::Duration> GetRetryDelay(const absl::Status& status);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_UPLOAD_RETRY_DELAY_H_
