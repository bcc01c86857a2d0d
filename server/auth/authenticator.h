// Establishes who is calling from the "authorization" metadata value:
// "Bearer <secret>" where the secret is an agent credential or an admin or
// viewer API token; nothing at all means anonymous.
//
// Lookups are cached (a bounded map from the secret's hash to the caller),
// so that an agent's batches cost no database round trip to authenticate.
// The cache is dropped whenever Store::AuthGeneration moves (a revocation,
// release, removal or rotation on any server), which is checked at most
// every `generation_poll`: a revoked secret stops working within that.
// Failed authentications are limited per source address (an IPv4 address
// or an IPv6 /64): past the limit, a source's secrets that are not in the
// cache are refused before any lookup, so a flood of bogus tokens costs the
// database nothing while known callers behind that address keep working.
//
// Thread-safe. The Store and the Clock must outlive the Authenticator.
#ifndef NATSCOPE_SERVER_AUTH_AUTHENTICATOR_H_
#define NATSCOPE_SERVER_AUTH_AUTHENTICATOR_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "natscope/v1/agent.pb.h"
#include "server/auth/policy.h"
#include "server/auth/rate_limiter.h"
#include "server/store/agent_registry.h"
#include "server/store/token_store.h"

namespace natscope::server::auth {

// A new secret for a token and what the server keeps of it.
struct IssuedToken {
  std::string secret;    // Shown once to whoever asked for it.
  std::string hash;      // Lower-case hex SHA-256 of `secret`.
  std::string token_id;  // TokenIdOf(hash).
};

// Internal when the system random source fails.
absl::StatusOr<IssuedToken> IssueToken();

// The public name of a token: the first 16 hex digits of its hash.
std::string TokenIdOf(absl::string_view hash);

// The rate-limit key of a gRPC peer string: "ipv4:10.0.0.1:5000" ->
// "10.0.0.1", "ipv6:[2001:db8:1:2:3::4]:5000" -> "2001:db8:1:2::/64";
// anything else (unix sockets) is its own key.
std::string SourceKeyOfPeer(absl::string_view peer);

struct AuthenticatorOptions {
  // Secrets remembered at once; past that the cache starts over.
  size_t cache_entries = 100000;
  // How often the auth generation is read (the revocation delay).
  absl::Duration generation_poll = absl::Milliseconds(500);
  // Failed authentications (and refused enrolments) one source may have:
  // `burst` at once, then `rate_per_second`. Rate 0 turns it off.
  KeyedRateLimiterOptions failures = {/*rate_per_second=*/2, /*burst=*/60,
                                      /*max_keys=*/100000};
  const Clock* clock = &RealClock::Get();
};

class Authenticator {
 public:
  // `agents` and `tokens` are not owned and must outlive this object.
  Authenticator(AgentRegistry* agents, TokenStore* tokens,
                AuthenticatorOptions options = {});

  // The caller presenting `authorization` (the metadata value, "" when
  // absent: anonymous) from `source` (SourceKeyOfPeer; "" for none).
  // Agent credentials are tried first (Ingest is the hot path), then API
  // tokens. When the caller is an agent and `agent` is not null, *agent
  // receives its registered identity.
  // Unauthenticated for a malformed header, an unknown secret or a revoked
  // API token (each counted as a failure of `source`); ResourceExhausted,
  // with no lookup, for a secret not in the cache while `source` is over
  // its failure limit; the Store's
  // errors (e.g. Unavailable) otherwise.
  absl::StatusOr<Caller> Identify(absl::string_view authorization,
                                  v1::AgentIdentity* agent = nullptr,
                                  absl::string_view source = "");

  // ResourceExhausted (saying when to retry) while `source` is over its
  // failure limit; for callers that authenticate by other means (Enroll).
  absl::Status CheckFailures(absl::string_view source);
  // Counts one failure of `source`.
  void RecordFailure(absl::string_view source);

 private:
  struct Cached {
    Caller caller;
    v1::AgentIdentity agent;  // Set for agents.
  };
  // Looks `hash` up in the Store (no cache).
  absl::StatusOr<Cached> Lookup(const std::string& hash);
  // Drops the cache when the auth generation moved; polls at most every
  // options_.generation_poll.
  void RefreshGeneration() ABSL_LOCKS_EXCLUDED(mu_);

  AgentRegistry* agents_;
  TokenStore* tokens_;
  const AuthenticatorOptions options_;
  KeyedRateLimiter failures_;
  absl::Mutex poll_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  absl::Time next_poll_ ABSL_GUARDED_BY(poll_mu_) = absl::InfinitePast();
  absl::Mutex mu_;
  int64_t generation_ ABSL_GUARDED_BY(mu_) = -1;
  absl::flat_hash_map<std::string, Cached> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace natscope::server::auth

#endif  // NATSCOPE_SERVER_AUTH_AUTHENTICATOR_H_
