#include "ingest/upload/retry_delay.h"

#include <cstdint>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"

namespace natscope::ingest {
namespace {

constexpr char kPayloadUrl[] = "type.natscope.dev/natscope.RetryAfterMs";

}  // namespace

std::optional<absl::Duration> ParseRetryAfterMs(absl::string_view value) {
  int64_t ms;
  if (!absl::SimpleAtoi(value, &ms) || ms < 0) return std::nullopt;
  return absl::Milliseconds(ms);
}

void SetRetryDelay(absl::Status* status, absl::Duration delay) {
  if (status->ok()) return;
  status->SetPayload(
      kPayloadUrl,
      absl::Cord(std::to_string(absl::ToInt64Milliseconds(delay))));
}

std::optional<absl::Duration> GetRetryDelay(const absl::Status& status) {
  auto payload = status.GetPayload(kPayloadUrl);
  if (!payload) return std::nullopt;
  return ParseRetryAfterMs(std::string(*payload));
}

}  // namespace natscope::ingest
