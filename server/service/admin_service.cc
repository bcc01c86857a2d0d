#include "server/service/admin_service.h"


#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "server/auth/grpc_auth.h"
#include "server/service/agent_service.h"

namespace natscope::server {
namespace {

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  out->set_seconds(absl::ToUnixSeconds(t));
}

absl::Status NeedTokenId(absl::string_view token_id) {
  if (token_id.empty()) {
    return absl::InvalidArgumentError(
        "token_id is empty: give the id shown by natscope tokens api list "
        "or natscope tokens enroll list");
  }
  return absl::OkStatus();
}

// What a new site token will be, once the request is found acceptable.
struct SiteTokenTerms {
  std::optional<absl::Time> expires;  // nullopt: never expires.
  v1::Role default_role = v1::ROLE_UNSPECIFIED;
};

// The purpose, max_uses and default_role rules of CreateEnrollmentToken.
absl::Status CheckPurpose(const v1::CreateEnrollmentTokenRequest& request) {
  const bool intake = request.purpose() == v1::TOKEN_PURPOSE_INTAKE;
  if (!intake && request.purpose() != v1::TOKEN_PURPOSE_ENROLL) {
    return absl::InvalidArgumentError(
        "purpose must be TOKEN_PURPOSE_ENROLL or TOKEN_PURPOSE_INTAKE");
  }
  if (intake && request.max_uses() != 0) {
    return absl::InvalidArgumentError(
        "max_uses must be 0 for an intake token: it enrolls no agent");
  }
  if (request.default_role() == v1::ROLE_UNSPECIFIED) return absl::OkStatus();
  if (!intake) {
    return absl::InvalidArgumentError(
        "default_role is for intake tokens only (purpose "
        "TOKEN_PURPOSE_INTAKE): an enrolling agent names its own role");
  }
  if (request.default_role() != v1::ROLE_CLIENT &&
      request.default_role() != v1::ROLE_CONNECTOR) {
    return absl::InvalidArgumentError(
        "default_role must be ROLE_CLIENT or ROLE_CONNECTOR (unset: "
        "ROLE_CLIENT)");
  }
  return absl::OkStatus();
}

absl::StatusOr<SiteTokenTerms> TermsOf(
    const v1::CreateEnrollmentTokenRequest& request, absl::Time now) {
  RETURN_IF_ERROR(CheckPurpose(request));
  SiteTokenTerms terms;
  // An intake token lives in a log shipper's configuration, where
  // replacing it means touching every shipper: it does not expire unless
  // asked to. An enrollment token is needed only while hosts are set up.
  const bool intake = request.purpose() == v1::TOKEN_PURPOSE_INTAKE;
  if (intake) {
    terms.default_role = request.default_role() == v1::ROLE_UNSPECIFIED
                             ? v1::ROLE_CLIENT
                             : request.default_role();
  }
  if (!request.has_expires()) {
    if (!intake) {
      terms.expires = now + AdminServiceCore::kDefaultEnrollmentExpiry;
    }
    return terms;
  }
  terms.expires = absl::FromUnixSeconds(request.expires().seconds());
  if (*terms.expires <= now) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expires is not in the future: give a later time (or none: ",
        intake ? "never" : "7 days", ")"));
  }
  if (*terms.expires > now + AdminServiceCore::kMaxEnrollmentExpiry) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expires is more than 366 days ahead: ",
        intake ? "give none for an intake token that never expires"
               : "enrollment tokens sit on every host of a site, give them a "
                 "short life and create new ones"));
  }
  return terms;
}

}  // namespace

absl::StatusOr<v1::CreateEnrollmentTokenResponse>
AdminServiceCore::CreateEnrollmentToken(
    const v1::CreateEnrollmentTokenRequest& request) {
  // The same rule as the site of an enrolling agent.
  v1::AgentIdentity probe;
  probe.set_agent_id("x");
  probe.set_site(request.site());
  probe.set_role(v1::ROLE_CLIENT);
  RETURN_IF_ERROR(ValidateIdentity(probe));
  const absl::Time now = clock_->Now();
  ASSIGN_OR_RETURN(const SiteTokenTerms terms, TermsOf(request, now));
  ASSIGN_OR_RETURN(auth::IssuedToken token, auth::IssueToken());
  v1::CreateEnrollmentTokenResponse response;
  v1::EnrollmentTokenInfo* info = response.mutable_info();
  info->set_token_id(token.token_id);
  info->set_site(request.site());
  SetTime(now, info->mutable_created());
  if (terms.expires.has_value()) {
    SetTime(*terms.expires, info->mutable_expires());
  }
  info->set_max_uses(request.max_uses());
  info->set_purpose(request.purpose());
  info->set_default_role(terms.default_role);
  RETURN_IF_ERROR(tokens_->CreateEnrollmentToken(*info, token.hash));
  response.set_token(std::move(token.secret));
  return response;
}

absl::StatusOr<v1::RevokeEnrollmentTokenResponse>
AdminServiceCore::RevokeEnrollmentToken(
    const v1::RevokeEnrollmentTokenRequest& request) {
  RETURN_IF_ERROR(NeedTokenId(request.token_id()));
  v1::RevokeEnrollmentTokenResponse response;
  ASSIGN_OR_RETURN(
      *response.mutable_info(),
      tokens_->RevokeEnrollmentToken(request.token_id(), clock_->Now()));
  return response;
}

absl::StatusOr<v1::ListEnrollmentTokensResponse>
AdminServiceCore::ListEnrollmentTokens(
    const v1::ListEnrollmentTokensRequest& request) {
  ASSIGN_OR_RETURN(std::vector<v1::EnrollmentTokenInfo> tokens,
                   tokens_->ListEnrollmentTokens(request.site()));
  v1::ListEnrollmentTokensResponse response;
  for (v1::EnrollmentTokenInfo& token : tokens) {
    if (token.has_revoked() && !request.include_revoked()) continue;
    *response.add_tokens() = std::move(token);
  }
  return response;
}

absl::StatusOr<v1::CreateApiTokenResponse> AdminServiceCore::CreateApiToken(
    const v1::CreateApiTokenRequest& request) {
  if (request.role() != v1::API_TOKEN_ROLE_ADMIN &&
      request.role() != v1::API_TOKEN_ROLE_VIEWER) {
    return absl::InvalidArgumentError(
        "role must be API_TOKEN_ROLE_ADMIN or API_TOKEN_ROLE_VIEWER");
  }
  if (request.name().empty() || request.name().size() > 200) {
    return absl::InvalidArgumentError(
        "name must be 1 to 200 characters saying what the token is for");
  }
  ASSIGN_OR_RETURN(auth::IssuedToken token, auth::IssueToken());
  v1::CreateApiTokenResponse response;
  v1::ApiTokenInfo* info = response.mutable_info();
  info->set_token_id(token.token_id);
  info->set_name(request.name());
  info->set_role(request.role());
  SetTime(clock_->Now(), info->mutable_created());
  RETURN_IF_ERROR(tokens_->CreateApiToken(*info, token.hash));
  response.set_token(std::move(token.secret));
  return response;
}

absl::StatusOr<v1::RevokeApiTokenResponse> AdminServiceCore::RevokeApiToken(
    const v1::RevokeApiTokenRequest& request) {
  RETURN_IF_ERROR(NeedTokenId(request.token_id()));
  v1::RevokeApiTokenResponse response;
  ASSIGN_OR_RETURN(*response.mutable_info(),
                   tokens_->RevokeApiToken(request.token_id(), clock_->Now()));
  return response;
}

absl::StatusOr<v1::ListApiTokensResponse> AdminServiceCore::ListApiTokens(
    const v1::ListApiTokensRequest& request) {
  ASSIGN_OR_RETURN(std::vector<v1::ApiTokenInfo> tokens,
                   tokens_->ListApiTokens());
  v1::ListApiTokensResponse response;
  for (v1::ApiTokenInfo& token : tokens) {
    if (token.has_revoked() && !request.include_revoked()) continue;
    *response.add_tokens() = std::move(token);
  }
  return response;
}

namespace {

absl::Status NeedAgentId(absl::string_view agent_id) {
  if (agent_id.empty() || agent_id.size() > 128) {
    return absl::InvalidArgumentError(
        "agent_id must be 1 to 128 characters: see natscope agents");
  }
  return absl::OkStatus();
}

// The store's NotFound, with the id the admin gave.
absl::Status AgentNotFound(const absl::Status& status,
                           absl::string_view agent_id) {
  if (!absl::IsNotFound(status)) return status;
  return absl::NotFoundError(absl::StrCat("no agent \"", agent_id,
                                          "\" is registered: see natscope agents"));
}

}  // namespace

absl::StatusOr<v1::ResetAgentResponse> AdminServiceCore::ResetAgent(
    const v1::ResetAgentRequest& request) {
  RETURN_IF_ERROR(NeedAgentId(request.agent_id()));
  auto agent = agents_->ReleaseAgent(request.agent_id());
  if (!agent.ok()) return AgentNotFound(agent.status(), request.agent_id());
  v1::ResetAgentResponse response;
  *response.mutable_agent() = *std::move(agent);
  return response;
}

absl::StatusOr<v1::RemoveAgentResponse> AdminServiceCore::RemoveAgent(
    const v1::RemoveAgentRequest& request) {
  RETURN_IF_ERROR(NeedAgentId(request.agent_id()));
  auto agent = agents_->RemoveAgent(request.agent_id());
  if (!agent.ok()) return AgentNotFound(agent.status(), request.agent_id());
  v1::RemoveAgentResponse response;
  *response.mutable_agent() = *std::move(agent);
  return response;
}

absl::StatusOr<v1::RequestProbeResponse> AdminServiceCore::RequestProbe(
    const v1::RequestProbeRequest& request) {
  if (request.site().empty() == request.agent_id().empty()) {
    return absl::InvalidArgumentError(
        "give a site or an agent_id (natscope probe SITE|AGENT), not both");
  }
  if (!request.agent_id().empty()) {
    RETURN_IF_ERROR(NeedAgentId(request.agent_id()));
  }
  if (request.site().size() > 128) {
    return absl::InvalidArgumentError(
        "site must be at most 128 characters: see natscope sites");
  }
  // Microseconds: what the stores keep, so the time answered is the one
  // AgentState.probe_requested_at shows.
  const absl::Time now = absl::FromUnixMicros(absl::ToUnixMicros(clock_->Now()));
  const absl::Time seen_since = forget_after_ == absl::InfiniteDuration()
                                    ? absl::InfinitePast()
                                    : now - forget_after_;
  auto asked = agents_->RequestProbe(request.site(), request.agent_id(),
                                     seen_since, now);
  if (absl::IsNotFound(asked.status()) && request.agent_id().empty()) {
    return absl::NotFoundError(absl::StrCat(
        "site \"", request.site(), "\" has no agent to ask (none enrolled, or "
        "all silent for longer than --forget_after): see natscope sites"));
  }
  if (!asked.ok()) return AgentNotFound(asked.status(), request.agent_id());
  v1::RequestProbeResponse response;
  for (const v1::AgentIdentity& agent : *asked) {
    response.add_agent_ids(agent.agent_id());
  }
  *response.mutable_requested_at() = ToProtoTime(now);
  return response;
}

grpc::Status AdminServiceImpl::CreateEnrollmentToken(grpc::ServerContext* context,
                                  const v1::CreateEnrollmentTokenRequest* request,
                                  v1::CreateEnrollmentTokenResponse* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::AdminService::service_full_name(), "CreateEnrollmentToken",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::CreateEnrollmentTokenRequest& r) {
        return core_->CreateEnrollmentToken(r);
      });
}

grpc::Status AdminServiceImpl::RevokeEnrollmentToken(grpc::ServerContext* context,
                                  const v1::RevokeEnrollmentTokenRequest* request,
                                  v1::RevokeEnrollmentTokenResponse* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::AdminService::service_full_name(), "RevokeEnrollmentToken",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::RevokeEnrollmentTokenRequest& r) {
        return core_->RevokeEnrollmentToken(r);
      });
}

grpc::Status AdminServiceImpl::ListEnrollmentTokens(grpc::ServerContext* context,
                                  const v1::ListEnrollmentTokensRequest* request,
                                  v1::ListEnrollmentTokensResponse* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::AdminService::service_full_name(), "ListEnrollmentTokens",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::ListEnrollmentTokensRequest& r) {
        return core_->ListEnrollmentTokens(r);
      });
}

grpc::Status AdminServiceImpl::CreateApiToken(grpc::ServerContext* context,
                                  const v1::CreateApiTokenRequest* request,
                                  v1::CreateApiTokenResponse* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::AdminService::service_full_name(), "CreateApiToken",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::CreateApiTokenRequest& r) {
        return core_->CreateApiToken(r);
      });
}

grpc::Status AdminServiceImpl::RevokeApiToken(grpc::ServerContext* context,
                                  const v1::RevokeApiTokenRequest* request,
                                  v1::RevokeApiTokenResponse* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::AdminService::service_full_name(), "RevokeApiToken",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::RevokeApiTokenRequest& r) {
        return core_->RevokeApiToken(r);
      });
}

grpc::Status AdminServiceImpl::ListApiTokens(grpc::ServerContext* context,
                                  const v1::ListApiTokensRequest* request,
                                  v1::ListApiTokensResponse* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::AdminService::service_full_name(), "ListApiTokens",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::ListApiTokensRequest& r) {
        return core_->ListApiTokens(r);
      });
}

grpc::Status AdminServiceImpl::ResetAgent(grpc::ServerContext* context,
                                  const v1::ResetAgentRequest* request,
                                  v1::ResetAgentResponse* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::AdminService::service_full_name(), "ResetAgent",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::ResetAgentRequest& r) {
        return core_->ResetAgent(r);
      });
}

grpc::Status AdminServiceImpl::RemoveAgent(grpc::ServerContext* context,
                                  const v1::RemoveAgentRequest* request,
                                  v1::RemoveAgentResponse* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::AdminService::service_full_name(), "RemoveAgent",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::RemoveAgentRequest& r) {
        return core_->RemoveAgent(r);
      });
}

grpc::Status AdminServiceImpl::RequestProbe(
    grpc::ServerContext* context, const v1::RequestProbeRequest* request,
    v1::RequestProbeResponse* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::AdminService::service_full_name(),
      "RequestProbe", *request, response,
      [this](const auth::AuthorizedCall&, const v1::RequestProbeRequest& r) {
        return core_->RequestProbe(r);
      });
}

}  // namespace natscope::server
