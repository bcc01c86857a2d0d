// Who may call which RPC: the one authorisation decision of natscope-server.
//
// Pure: no I/O, no clock; thread-safe. Every service asks Authorize()
// before doing anything (see grpc_auth.h); nothing here looks at request
// payloads, so an id inside a payload can never widen what a caller may do.
//
// The rules, by caller:
//   admin token    every method, except AgentService.Ingest (which writes as
//                  an agent and so needs an agent credential).
//   viewer token   read methods: every QueryService method, server
//                  reflection, and methods named Get*/List* of other
//                  natscope services except AdminService.
//   agent          AgentService only (Ingest, Enroll). The site it may
//                  write is the one its credential is bound to: Ingest
//                  checks the payload against it.
//   anonymous      gRPC health, and AgentService.Enroll (whose enrollment
//                  token in the request is checked by Enroll itself).
#ifndef NATSCOPE_SERVER_AUTH_POLICY_H_
#define NATSCOPE_SERVER_AUTH_POLICY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace natscope::server::auth {

// Full gRPC method names ("/package.Service/Method") of natscope's own
// services, for services to pass to Authorize.
inline constexpr char kAgentEnroll[] = "/natscope.v1.AgentService/Enroll";
inline constexpr char kAgentIngest[] = "/natscope.v1.AgentService/Ingest";

enum class CallerKind { kAnonymous, kAgent, kViewer, kAdmin };

// Who is calling, as established from the "authorization" metadata.
struct Caller {
  CallerKind kind = CallerKind::kAnonymous;
  // kAgent: the agent and the site its credential is bound to.
  std::string agent_id;
  std::string site;
  // kViewer/kAdmin: the API token's id and name (for logs and messages).
  std::string token_id;
  std::string token_name;
};

// "admin token <id>", "agent <id> of site <site>", "anonymous caller", ...
std::string Describe(const Caller& caller);

// OK when `caller` may call `full_method` ("/natscope.v1.QueryService/
// ListSites"). Otherwise Unauthenticated for an anonymous caller (the
// message says to send a token) and PermissionDenied for the others (the
// message names the caller, the method and who may call it).
absl::Status Authorize(const Caller& caller, absl::string_view full_method);

// True for the methods anyone may call, identified or not: health checks,
// and Enroll (its request carries the enrollment token).
bool OpenToAnyone(absl::string_view full_method);

}  // namespace natscope::server::auth

#endif  // NATSCOPE_SERVER_AUTH_POLICY_H_
