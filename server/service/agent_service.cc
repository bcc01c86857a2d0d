#include "server/service/agent_service.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "common/metrics/metrics.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "common/zlib_codec.h"
#include "re2/re2.h"
#include "server/auth/grpc_auth.h"
#include "server/auth/credentials.h"

namespace natscope::server {
namespace {

// The result label of natscope_ingest_batches_total and
// natscope_enrollments_total: a small fixed set named for the refusal.
const char* ResultLabel(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk: return "accepted";
    case absl::StatusCode::kInvalidArgument: return "invalid";
    case absl::StatusCode::kUnauthenticated: return "unauthenticated";
    case absl::StatusCode::kPermissionDenied: return "denied";
    case absl::StatusCode::kAlreadyExists: return "conflict";
    case absl::StatusCode::kResourceExhausted: return "rate_limited";
    case absl::StatusCode::kUnavailable: return "unavailable";
    default: return "error";
  }
}

// An idle agent's check-in: a request with no records (sequence 0).
bool IsCheckIn(const v1::IngestRequest& request) {
  return request.records().empty() && request.compressed_records().empty();
}

void CountRecords(const char* result, int64_t records) {
  static metrics::CounterFamily& counter = metrics::DefaultRegistry().Counter(
      "natscope_ingest_records_total",
      "Records of ingest batches by result: accepted (committed), duplicate "
      "(a batch sent again), refused (by the store); records of batches "
      "refused before they were read are not counted.",
      {"result"});
  if (records > 0) counter.With({result}).Increment(records);
}

}  // namespace

absl::Status ValidateIdentity(const v1::AgentIdentity& identity) {
  static const RE2* const kIdPattern = new RE2(R"([A-Za-z0-9._-]{1,128})");
  if (!RE2::FullMatch(identity.agent_id(), *kIdPattern)) {
    return absl::InvalidArgumentError(
        absl::StrCat("identity.agent_id \"", Abbreviate(identity.agent_id()),
                     "\" must be 1 to 128 characters from A-Z a-z 0-9 . _ -"));
  }
  if (!RE2::FullMatch(identity.site(), *kIdPattern)) {
    return absl::InvalidArgumentError(
        absl::StrCat("identity.site \"", Abbreviate(identity.site()),
                     "\" must be 1 to 128 characters from A-Z a-z 0-9 . _ -"));
  }
  if (identity.role() != v1::ROLE_CLIENT &&
      identity.role() != v1::ROLE_CONNECTOR) {
    return absl::InvalidArgumentError(
        "identity.role must be ROLE_CLIENT or ROLE_CONNECTOR");
  }
  return CheckIdentityLimits(identity, "identity.");
}

std::optional<absl::Duration> RetryDelayFor(
    const absl::Status& status, const AgentServiceOptions& options) {
  int64_t ms = 0;
  if (auto payload = status.GetPayload(kRetryAfterMetadataKey);
      payload.has_value() && absl::SimpleAtoi(std::string(*payload), &ms)) {
    return absl::Milliseconds(ms);
  }
  if (absl::IsUnavailable(status)) return options.unavailable_retry_delay;
  if (absl::IsResourceExhausted(status)) {
    return options.rate_limited_retry_delay;
  }
  return std::nullopt;
}

AgentServiceCore::AgentServiceCore(AgentRegistry* agents, TokenStore* tokens,
                                   FactStore* facts, AgentServiceOptions options)
    : agents_(agents),
      tokens_(tokens),
      facts_(facts),
      options_(std::move(options)),
      ingest_limiter_(options_.ingest_rate) {}

absl::Status AgentServiceCore::CheckEnrollmentToken(
    absl::string_view token, const v1::AgentIdentity& identity,
    std::string* token_hash) {
  token_hash->clear();
  const std::string ask = absl::StrCat(
      ": ask the natscope admin for an enrollment token of site \"",
      identity.site(), "\" (natscope tokens enroll create ", identity.site(),
      ")");
  if (token.empty()) {
    return absl::PermissionDeniedError(
        absl::StrCat("enrollment needs a token", ask));
  }
  if (!options_.enrollment_token.empty() &&
      ConstantTimeEquals(token, options_.enrollment_token)) {
    return absl::OkStatus();
  }
  // Looked up by hash: the secret is never compared byte by byte.
  const std::string hash = HashCredential(token);
  auto found = tokens_->EnrollmentTokenByHash(hash);
  if (absl::IsNotFound(found.status())) {
    return absl::PermissionDeniedError(
        absl::StrCat("enrollment token rejected (unknown)", ask));
  }
  if (!found.ok()) return found.status();
  if (found->purpose() != v1::TOKEN_PURPOSE_ENROLL) {
    // Before revocation and expiry: whatever its state, it never enrolls.
    return absl::PermissionDeniedError(absl::StrCat(
        "token ", found->token_id(),
        found->purpose() == v1::TOKEN_PURPOSE_INTAKE
            ? " is an intake token: it authenticates log shippers, not agents"
            : " is not an enrollment token",
        "; create an enrollment token with `natscope tokens enroll create ",
        identity.site(), "`"));
  }
  if (found->has_revoked()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "enrollment token ", found->token_id(), " was revoked", ask));
  }
  if (found->has_expires() &&
      absl::FromUnixSeconds(found->expires().seconds()) <=
          options_.clock->Now()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "enrollment token ", found->token_id(), " has expired", ask));
  }
  if (found->max_uses() != 0 && found->uses() >= found->max_uses()) {
    return absl::PermissionDeniedError(
        absl::StrCat("enrollment token ", found->token_id(), " was used ",
                     found->uses(), " times, its limit", ask));
  }
  if (found->site() != identity.site()) {
    return absl::PermissionDeniedError(
        absl::StrCat("enrollment token ", found->token_id(), " is for site \"",
                     found->site(), "\", not \"", identity.site(), "\"", ask));
  }
  *token_hash = hash;
  return absl::OkStatus();
}

absl::StatusOr<v1::EnrollResponse> AgentServiceCore::Enroll(
    const v1::EnrollRequest& request) {
  RETURN_IF_ERROR(ValidateIdentity(request.identity()));
  constexpr size_t kMaxSecret = 256;
  if (request.enrollment_token().size() > kMaxSecret ||
      request.current_credential().size() > kMaxSecret) {
    return absl::InvalidArgumentError(
        "enrollment_token and current_credential are at most 256 bytes");
  }
  const v1::AgentIdentity& identity = request.identity();
  std::string token_hash;
  RETURN_IF_ERROR(
      CheckEnrollmentToken(request.enrollment_token(), identity, &token_hash));
  ASSIGN_OR_RETURN(std::string credential, NewCredential());
  const std::string current_hash =
      request.current_credential().empty()
          ? std::string()
          : HashCredential(request.current_credential());
  absl::Status enrolled = agents_->EnrollAgent(
      identity, HashCredential(credential), current_hash, token_hash);
  if (absl::IsAlreadyExists(enrolled)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "agent id \"", identity.agent_id(),
        "\" is already enrolled and this request does not carry its current "
        "credential: if this is that agent's host, keep its state directory "
        "(the credential file) and enroll again; if the host was reinstalled, "
        "ask an admin to release the id (natscope agents reset ",
        identity.agent_id(), "); otherwise choose another agent_id"));
  }
  if (absl::IsPermissionDenied(enrolled)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "agent id \"", identity.agent_id(), "\": ", enrolled.message(),
        ": choose another agent_id"));
  }
  if (absl::IsFailedPrecondition(enrolled)) {
    return absl::PermissionDeniedError(absl::StrCat(
        enrolled.message(), ": ask the natscope admin for a new one"));
  }
  RETURN_IF_ERROR(enrolled);
  v1::EnrollResponse response;
  response.set_agent_id(identity.agent_id());
  response.set_credential(std::move(credential));
  return response;
}

absl::StatusOr<const v1::IngestRequest*> AgentServiceCore::PrepareBatch(
    const v1::IngestRequest& request, absl::Time received,
    v1::IngestRequest* owned) {
  const v1::IngestRequest* batch = &request;
  if (!request.compressed_records().empty() ||
      request.records_encoding() != v1::RECORD_ENCODING_NONE) {
    if (request.records_encoding() != v1::RECORD_ENCODING_ZLIB ||
        request.records_size() != 0) {
      return absl::InvalidArgumentError(
          "compressed_records needs records_encoding RECORD_ENCODING_ZLIB "
          "and no plain records");
    }
    ASSIGN_OR_RETURN(std::string bytes,
                     ZlibInflateBounded(request.compressed_records(),
                                        options_.max_batch_bytes));
    v1::RecordBatch records;
    if (!records.ParseFromString(bytes)) {
      return absl::InvalidArgumentError(
          "compressed_records do not hold a RecordBatch");
    }
    owned->set_epoch(request.epoch());
    owned->set_sequence(request.sequence());
    *owned->mutable_agent() = request.agent();
    if (request.has_sent()) *owned->mutable_sent() = request.sent();
    // The agent's own health figures (stored for fleet health).
    if (request.has_counters()) *owned->mutable_counters() = request.counters();
    owned->mutable_records()->Swap(records.mutable_records());
    batch = owned;
  }
  if (batch->records_size() > options_.max_records_per_batch) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch has ", batch->records_size(), " records; the limit is ",
        options_.max_records_per_batch, ": send smaller batches"));
  }
  RETURN_IF_ERROR(CheckBatchLimits(*batch, options_.limits));
  if (NeedsTimeClamp(*batch, received, options_.time_window)) {
    if (batch != owned) *owned = request;
    ClampRecordTimes(owned, received, options_.time_window);
    batch = owned;
  }
  return batch;
}

absl::StatusOr<v1::IngestResponse> AgentServiceCore::IngestAs(
    const v1::AgentIdentity& authenticated, const v1::IngestRequest& request) {
  const v1::AgentIdentity* agent = &authenticated;
  // The payload's identity describes; only the credential proves.
  const v1::AgentIdentity& claimed = request.agent();
  if ((!claimed.agent_id().empty() &&
       claimed.agent_id() != agent->agent_id()) ||
      (!claimed.site().empty() && claimed.site() != agent->site())) {
    return absl::PermissionDeniedError(absl::StrCat(
        "batch claims agent \"", Abbreviate(claimed.agent_id()), "\" of site \"",
        Abbreviate(claimed.site()), "\" but the credential belongs to agent \"",
        agent->agent_id(), "\" of site \"", agent->site(), "\""));
  }
  const absl::Time now = options_.clock->Now();
  const absl::Duration wait = ingest_limiter_.Take(agent->agent_id(), now);
  if (wait > absl::ZeroDuration()) {
    absl::Status limited = absl::ResourceExhaustedError(
        absl::StrCat("agent \"", agent->agent_id(),
                     "\" sends batches faster than the "
                     "server's limit: retry after ",
                     absl::FormatDuration(wait)));
    limited.SetPayload(
        kRetryAfterMetadataKey,
        absl::Cord(absl::StrCat(absl::ToInt64Milliseconds(
            std::max(wait, options_.rate_limited_retry_delay)))));
    return limited;
  }
  // A check-in (no records) has sequence 0: it is no batch of the spool.
  if (request.epoch() == 0 || (request.sequence() == 0 && !IsCheckIn(request))) {
    return absl::InvalidArgumentError(
        "epoch must be at least 1, and sequence too unless the request has "
        "no records (a check-in)");
  }
  v1::IngestRequest owned;
  ASSIGN_OR_RETURN(const v1::IngestRequest* batch,
                   PrepareBatch(request, now, &owned));
  absl::StatusOr<IngestResult> stored = facts_->Ingest(*agent, *batch, now);
  if (!stored.ok()) {
    CountRecords("refused", batch->records_size());
    return stored.status();
  }
  const IngestResult& result = *stored;
  if (result.duplicate) {
    CountRecords("duplicate", batch->records_size());
  } else {
    CountRecords("accepted", result.records_committed);
  }
  v1::IngestResponse response;
  response.set_epoch(request.epoch());
  response.set_sequence(request.sequence());
  response.set_records_committed(result.records_committed);
  response.set_duplicate(result.duplicate);
  if (result.probe_requested.has_value()) {
    response.set_probe_requested(true);
    *response.mutable_probe_requested_at() = ToProtoTime(*result.probe_requested);
  }
  return response;
}

grpc::Status AgentServiceImpl::Enroll(grpc::ServerContext* context,
                                      const v1::EnrollRequest* request,
                                      v1::EnrollResponse* response) {
  const std::string source = auth::SourceKeyOfPeer(context->peer());
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::AgentService::service_full_name(),
      "Enroll", *request, response,
      [&](const auth::AuthorizedCall&, const v1::EnrollRequest& r)
          -> absl::StatusOr<v1::EnrollResponse> {
        static metrics::CounterFamily& enrollments =
            metrics::DefaultRegistry().Counter(
                "natscope_enrollments_total", "Enroll calls by result.",
                {"result"});
        // Anyone may try; the enrollment token in the request is the
        // proof. Refusals count as failed authentications of the caller's
        // address.
        if (absl::Status over = authenticator_->CheckFailures(source);
            !over.ok()) {
          enrollments.With({ResultLabel(over)}).Increment();
          return over;
        }
        absl::StatusOr<v1::EnrollResponse> result = core_->Enroll(r);
        enrollments.With({ResultLabel(result.status())}).Increment();
        if (absl::IsPermissionDenied(result.status()) ||
            absl::IsAlreadyExists(result.status())) {
          authenticator_->RecordFailure(source);
          LogEvent(LogLevel::kWarning, "enrolment refused",
                   {{"agent_id", Abbreviate(r.identity().agent_id())},
                    {"site", Abbreviate(r.identity().site())},
                    {"peer", Abbreviate(context->peer(), 80)},
                    {"error", std::string(result.status().message())}});
        }
        return result;
      });
}

grpc::Status AgentServiceImpl::Ingest(grpc::ServerContext* context,
                                      const v1::IngestRequest* request,
                                      v1::IngestResponse* response) {
  absl::StatusOr<v1::IngestResponse> result = auth::CallAuthorized(
      *authenticator_, *context, v1::AgentService::service_full_name(),
      "Ingest", *request,
      [&](const auth::AuthorizedCall& call, const v1::IngestRequest& r) {
        absl::StatusOr<v1::IngestResponse> stored = core_->IngestAs(call.agent, r);
        if (absl::IsAlreadyExists(stored.status())) {
          LogEvent(LogLevel::kWarning,
                   "batch conflict: the same (epoch, sequence) with other "
                   "records; the agent looks cloned or restored",
                   {{"agent_id", call.agent.agent_id()},
                    {"site", call.agent.site()},
                    {"epoch", absl::StrCat(r.epoch())},
                    {"sequence", absl::StrCat(r.sequence())}});
        }
        return stored;
      });
  static metrics::CounterFamily& batches = metrics::DefaultRegistry().Counter(
      "natscope_ingest_batches_total",
      "Ingest batches by result: accepted, duplicate, checkin (an idle "
      "agent's empty request, accepted), or the refusal (invalid, "
      "unauthenticated, denied, conflict, rate_limited, unavailable, error).",
      {"result"});
  batches
      .With({result.ok() && result->duplicate() ? "duplicate"
             : result.ok() && IsCheckIn(*request) ? "checkin"
                                                : ResultLabel(result.status())})
      .Increment();
  // Tell the agent when to come back rather than letting it guess.
  if (!result.ok()) {
    if (auto delay = RetryDelayFor(result.status(), core_->options())) {
      context->AddTrailingMetadata(
          kRetryAfterMetadataKey,
          std::to_string(absl::ToInt64Milliseconds(*delay)));
    }
  }
  return auth::Reply(std::move(result), response);
}

}  // namespace natscope::server
