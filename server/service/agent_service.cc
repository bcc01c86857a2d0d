#include "server/service/agent_service.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "re2/re2.h"
#include "server/auth/grpc_auth.h"
#include "server/service/credentials.h"

namespace natscope::server {

absl::Status ValidateIdentity(const v1::AgentIdentity& identity) {
  static const RE2* const kIdPattern = new RE2(R"([A-Za-z0-9._-]{1,128})");
  if (!RE2::FullMatch(identity.agent_id(), *kIdPattern)) {
    return absl::InvalidArgumentError(
        absl::StrCat("identity.agent_id \"", identity.agent_id(),
                     "\" must be 1 to 128 characters from A-Z a-z 0-9 . _ -"));
  }
  if (!RE2::FullMatch(identity.site(), *kIdPattern)) {
    return absl::InvalidArgumentError(
        absl::StrCat("identity.site \"", identity.site(),
                     "\" must be 1 to 128 characters from A-Z a-z 0-9 . _ -"));
  }
  if (identity.role() != v1::ROLE_CLIENT &&
      identity.role() != v1::ROLE_CONNECTOR) {
    return absl::InvalidArgumentError(
        "identity.role must be ROLE_CLIENT or ROLE_CONNECTOR");
  }
  return absl::OkStatus();
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

AgentServiceCore::AgentServiceCore(Store* store, AgentServiceOptions options)
    : store_(store),
      options_(std::move(options)),
      ingest_limiter_(options_.ingest_rate) {}

absl::Status AgentServiceCore::CheckEnrollmentToken(
    absl::string_view token, const v1::AgentIdentity& identity) {
  const std::string ask = absl::StrCat(
      ": ask the natscope admin for an enrollment token of site \"",
      identity.site(),
      "\" (natscope tokens create-enrollment --site=", identity.site(), ")");
  if (token.empty()) {
    return absl::PermissionDeniedError(
        absl::StrCat("enrollment needs a token", ask));
  }
  if (!options_.enrollment_token.empty() &&
      ConstantTimeEquals(token, options_.enrollment_token)) {
    return absl::OkStatus();
  }
  // Looked up by hash: the secret is never compared byte by byte.
  auto found = store_->EnrollmentTokenByHash(HashCredential(token));
  if (absl::IsNotFound(found.status())) {
    return absl::PermissionDeniedError(
        absl::StrCat("enrollment token rejected (unknown)", ask));
  }
  if (!found.ok()) return found.status();
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
  if (found->site() != identity.site()) {
    return absl::PermissionDeniedError(
        absl::StrCat("enrollment token ", found->token_id(), " is for site \"",
                     found->site(), "\", not \"", identity.site(), "\"", ask));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::EnrollResponse> AgentServiceCore::Enroll(
    const v1::EnrollRequest& request) {
  RETURN_IF_ERROR(ValidateIdentity(request.identity()));
  RETURN_IF_ERROR(
      CheckEnrollmentToken(request.enrollment_token(), request.identity()));
  // A token of one site must not take over an agent id of another.
  auto existing = store_->AgentById(request.identity().agent_id());
  if (existing.ok() && existing->site() != request.identity().site()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "agent id \"", existing->agent_id(), "\" is registered to site \"",
        existing->site(), "\": choose another agent_id"));
  }
  if (!existing.ok() && !absl::IsNotFound(existing.status())) {
    return existing.status();
  }
  ASSIGN_OR_RETURN(std::string credential, NewCredential());
  RETURN_IF_ERROR(
      store_->UpsertAgent(request.identity(), HashCredential(credential)));
  v1::EnrollResponse response;
  response.set_agent_id(request.identity().agent_id());
  response.set_credential(std::move(credential));
  return response;
}

absl::StatusOr<v1::IngestResponse> AgentServiceCore::Ingest(
    absl::string_view credential, const v1::IngestRequest& request) {
  auto agent = store_->AgentByCredentialHash(HashCredential(credential));
  if (absl::IsNotFound(agent.status())) {
    return absl::UnauthenticatedError(
        "unknown agent credential: enroll the agent again "
        "(natscope-agent enroll)");
  }
  if (!agent.ok()) return agent.status();
  return IngestAs(*agent, request);
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
        "batch claims agent \"", claimed.agent_id(), "\" of site \"",
        claimed.site(), "\" but the credential belongs to agent \"",
        agent->agent_id(), "\" of site \"", agent->site(), "\""));
  }
  const absl::Duration wait =
      ingest_limiter_.Take(agent->agent_id(), options_.clock->Now());
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
  if (request.epoch() == 0 || request.sequence() == 0) {
    return absl::InvalidArgumentError("epoch and sequence must be at least 1");
  }
  if (request.records_size() > options_.max_records_per_batch) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch has ", request.records_size(), " records; the limit is ",
        options_.max_records_per_batch, ": send smaller batches"));
  }
  ASSIGN_OR_RETURN(IngestResult result,
                   store_->Ingest(*agent, request, options_.clock->Now()));
  v1::IngestResponse response;
  response.set_epoch(request.epoch());
  response.set_sequence(request.sequence());
  response.set_records_committed(result.records_committed);
  response.set_duplicate(result.duplicate);
  return response;
}

grpc::Status AgentServiceImpl::Enroll(grpc::ServerContext* context,
                                      const v1::EnrollRequest* request,
                                      v1::EnrollResponse* response) {
  // Anyone may try; the enrollment token in the request is the proof.
  auto caller =
      auth::AuthorizeCall(*authenticator_, *context, auth::kAgentEnroll);
  if (!caller.ok() && !absl::IsUnauthenticated(caller.status())) {
    return ToGrpcStatus(caller.status());
  }
  auto result = core_->Enroll(*request);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(result).value();
  return grpc::Status::OK;
}

grpc::Status AgentServiceImpl::Ingest(grpc::ServerContext* context,
                                      const v1::IngestRequest* request,
                                      v1::IngestResponse* response) {
  v1::AgentIdentity agent;
  auto caller = auth::AuthorizeCall(*authenticator_, *context,
                                    auth::kAgentIngest, &agent);
  absl::StatusOr<v1::IngestResponse> result =
      caller.ok() ? core_->IngestAs(agent, *request)
                  : absl::StatusOr<v1::IngestResponse>(caller.status());
  if (!result.ok()) {
    // Tell the agent when to come back rather than letting it guess.
    if (auto delay = RetryDelayFor(result.status(), core_->options())) {
      context->AddTrailingMetadata(
          kRetryAfterMetadataKey,
          std::to_string(absl::ToInt64Milliseconds(*delay)));
    }
    return ToGrpcStatus(result.status());
  }
  *response = std::move(result).value();
  return grpc::Status::OK;
}

}  // namespace natscope::server
