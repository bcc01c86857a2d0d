// Where the agent's site and role come from: a command-line flag, the
// environment (NATSCOPE_SITE, NATSCOPE_ROLE: one image shared by many
// sites), or the config file, in that order of precedence. Pure functions;
// thread-safe.
#ifndef NATSCOPE_INGEST_CONFIG_IDENTITY_SOURCE_H_
#define NATSCOPE_INGEST_CONFIG_IDENTITY_SOURCE_H_

#include <string>

#include "absl/status/statusor.h"
#include "natscope/v1/agent_config.pb.h"

namespace natscope::ingest {

inline constexpr char kSiteEnv[] = "NATSCOPE_SITE";
inline constexpr char kRoleEnv[] = "NATSCOPE_ROLE";

// The candidate values; empty means "not given".
struct IdentityInputs {
  std::string site_flag, role_flag;  // --site, --role
  std::string site_env, role_env;    // $NATSCOPE_SITE, $NATSCOPE_ROLE
};

// Reads $NATSCOPE_SITE and $NATSCOPE_ROLE into the env fields.
IdentityInputs IdentityFromEnvironment(std::string site_flag,
                                       std::string role_flag);

// Sets config->identity's site and role from the first of flag,
// environment (the config's own values stay when neither is given) and
// returns where each came from, e.g. "site from NATSCOPE_SITE, role from
// --role" ("config" for the config's own). InvalidArgument naming the
// flag or variable when a role is not "client" or "connector".
absl::StatusOr<std::string> ApplyIdentityInputs(const IdentityInputs& inputs,
                                                v1::AgentConfig* config);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_CONFIG_IDENTITY_SOURCE_H_
