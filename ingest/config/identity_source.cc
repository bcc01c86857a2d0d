#include "ingest/config/identity_source.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace natscope::ingest {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// "--role" or "NATSCOPE_ROLE" value as a Role; InvalidArgument naming it.
absl::StatusOr<v1::Role> ParseRoleFrom(const std::string& origin,
                                       const std::string& text) {
  if (text == "client") return v1::ROLE_CLIENT;
  if (text == "connector") return v1::ROLE_CONNECTOR;
  return absl::InvalidArgumentError(absl::StrCat(
      origin, " must be client or connector, not \"", text, "\""));
}

}  // namespace

IdentityInputs IdentityFromEnvironment(std::string site_flag,
                                       std::string role_flag) {
  IdentityInputs inputs;
  inputs.site_flag = std::move(site_flag);
  inputs.role_flag = std::move(role_flag);
  inputs.site_env = Env(kSiteEnv);
  inputs.role_env = Env(kRoleEnv);
  return inputs;
}

absl::StatusOr<std::string> ApplyIdentityInputs(const IdentityInputs& inputs,
                                                v1::AgentConfig* config) {
  v1::IdentityConfig* identity = config->mutable_identity();
  std::string site_from = "config", role_from = "config";
  if (!inputs.site_flag.empty()) {
    identity->set_site(inputs.site_flag);
    site_from = "--site";
  } else if (!inputs.site_env.empty()) {
    identity->set_site(inputs.site_env);
    site_from = kSiteEnv;
  }
  if (!inputs.role_flag.empty() || !inputs.role_env.empty()) {
    const bool flag = !inputs.role_flag.empty();
    role_from = flag ? "--role" : kRoleEnv;
    auto role =
        ParseRoleFrom(role_from, flag ? inputs.role_flag : inputs.role_env);
    if (!role.ok()) return role.status();
    identity->set_role(*role);
  }
  return absl::StrCat("site from ", site_from, ", role from ", role_from);
}

}  // namespace natscope::ingest
