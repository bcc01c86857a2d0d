#include "server/auth/policy.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace natscope::server::auth {
namespace {

constexpr absl::string_view kAgentService = "natscope.v1.AgentService";
constexpr absl::string_view kQueryService = "natscope.v1.QueryService";
constexpr absl::string_view kAdminService = "natscope.v1.AdminService";

struct MethodName {
  absl::string_view service;  // "natscope.v1.QueryService"
  absl::string_view method;   // "ListSites"
};

// Splits "/svc/Method"; both parts empty when malformed.
MethodName Split(absl::string_view full_method) {
  absl::string_view rest = full_method;
  if (!absl::ConsumePrefix(&rest, "/")) return {};
  const size_t slash = rest.find('/');
  if (slash == absl::string_view::npos || slash == 0 ||
      slash + 1 == rest.size()) {
    return {};
  }
  return {rest.substr(0, slash), rest.substr(slash + 1)};
}

// "Get"/"List" followed by an upper-case letter: a read by naming rule.
bool IsReadName(absl::string_view method) {
  for (absl::string_view prefix : {"Get", "List"}) {
    if (absl::StartsWith(method, prefix) && method.size() > prefix.size() &&
        absl::ascii_isupper(method[prefix.size()])) {
      return true;
    }
  }
  return false;
}

bool IsHealth(absl::string_view service) {
  return service == "grpc.health.v1.Health";
}

bool IsReflection(absl::string_view service) {
  return absl::StartsWith(service, "grpc.reflection.");
}

bool ViewerMayCall(const MethodName& m) {
  if (IsHealth(m.service) || IsReflection(m.service)) return true;
  if (m.service == kQueryService) return true;
  if (m.service == kAgentService || m.service == kAdminService) return false;
  return absl::StartsWith(m.service, "natscope.") && IsReadName(m.method);
}

absl::Status Deny(const Caller& caller, absl::string_view full_method,
                  absl::string_view who_may) {
  return absl::PermissionDeniedError(absl::StrCat(
      Describe(caller), " may not call ", full_method, ": ", who_may));
}

}  // namespace

std::string Describe(const Caller& caller) {
  switch (caller.kind) {
    case CallerKind::kAnonymous:
      return "anonymous caller";
    case CallerKind::kAgent:
      return absl::StrCat("agent \"", caller.agent_id, "\" of site \"",
                          caller.site, "\"");
    case CallerKind::kViewer:
      return absl::StrCat("viewer token ", caller.token_id);
    case CallerKind::kAdmin:
      return absl::StrCat("admin token ", caller.token_id);
  }
  return "unknown caller";
}

bool OpenToAnyone(absl::string_view full_method) {
  return full_method == kAgentEnroll || IsHealth(Split(full_method).service);
}

absl::Status Authorize(const Caller& caller, absl::string_view full_method) {
  const MethodName m = Split(full_method);
  if (m.service.empty()) {
    return absl::PermissionDeniedError(
        absl::StrCat("malformed method name \"", full_method, "\""));
  }
  if (OpenToAnyone(full_method)) return absl::OkStatus();
  switch (caller.kind) {
    case CallerKind::kAnonymous:
      return absl::UnauthenticatedError(absl::StrCat(
          full_method,
          " needs a token: send \"authorization: Bearer <token>\" (an "
          "admin or viewer token from natscope tokens api create, or an agent "
          "credential for AgentService)"));
    case CallerKind::kAgent:
      if (full_method == kAgentIngest) return absl::OkStatus();
      return Deny(caller, full_method,
                  "agent credentials are accepted only on AgentService");
    case CallerKind::kViewer:
      if (ViewerMayCall(m)) return absl::OkStatus();
      return Deny(caller, full_method,
                  "viewer tokens are read-only; ask an admin to do it or "
                  "for an admin token");
    case CallerKind::kAdmin:
      if (full_method != kAgentIngest) return absl::OkStatus();
      return Deny(caller, full_method,
                  "Ingest writes as an agent and needs that agent's "
                  "credential (natscope-agent enroll)");
  }
  return absl::PermissionDeniedError("unknown caller kind");
}

}  // namespace natscope::server::auth
