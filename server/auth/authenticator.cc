#include "server/auth/authenticator.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/metrics/metrics.h"
#include "common/status_macros.h"
#include "server/auth/credentials.h"

namespace natscope::server::auth {
namespace {

// reason: malformed, unknown, revoked, no_role, rate_limited.
void CountFailure(const char* reason) {
  static metrics::CounterFamily& failures = metrics::DefaultRegistry().Counter(
      "natscope_auth_failures_total",
      "Refused authentications by reason (rate_limited: the source was over "
      "its failure limit).",
      {"reason"});
  failures.With({reason}).Increment();
}

}  // namespace

absl::StatusOr<IssuedToken> IssueToken() {
  IssuedToken token;
  ASSIGN_OR_RETURN(token.secret, NewCredential());
  token.hash = HashCredential(token.secret);
  token.token_id = TokenIdOf(token.hash);
  return token;
}

std::string TokenIdOf(absl::string_view hash) {
  return std::string(hash.substr(0, 16));
}

std::string SourceKeyOfPeer(absl::string_view peer) {
  absl::string_view rest = peer;
  if (absl::ConsumePrefix(&rest, "ipv4:")) {
    return std::string(rest.substr(0, rest.rfind(':')));
  }
  // gRPC writes the brackets of an IPv6 peer percent-encoded.
  if (absl::ConsumePrefix(&rest, "ipv6:[") ||
      absl::ConsumePrefix(&rest, "ipv6:%5B")) {
    const absl::string_view address =
        rest.substr(0, std::min(rest.find(']'), rest.find('%')));
    if (absl::StartsWith(address, "::ffff:") && address.find('.') !=
                                                    absl::string_view::npos) {
      return std::string(address.substr(7));  // IPv4-mapped.
    }
    // The first four groups of the address, "::" expanded enough to count.
    std::vector<std::string> groups;
    const std::vector<absl::string_view> halves =
        absl::StrSplit(address, absl::MaxSplits("::", 1));
    for (absl::string_view g : absl::StrSplit(halves[0], ':', absl::SkipEmpty())) {
      groups.emplace_back(g);
    }
    if (halves.size() == 2) {
      const std::vector<absl::string_view> tail =
          absl::StrSplit(halves[1], ':', absl::SkipEmpty());
      while (groups.size() + tail.size() < 8) groups.emplace_back("0");
      for (absl::string_view g : tail) groups.emplace_back(g);
    }
    groups.resize(4, "0");
    return absl::StrCat(groups[0], ":", groups[1], ":", groups[2], ":",
                        groups[3], "::/64");
  }
  return std::string(peer);
}

Authenticator::Authenticator(AgentRegistry* agents, TokenStore* tokens,
                             AuthenticatorOptions options)
    : agents_(agents),
      tokens_(tokens),
      options_(std::move(options)),
      failures_(options_.failures) {}

absl::Status Authenticator::CheckFailures(absl::string_view source) {
  const absl::Duration wait = failures_.Peek(source, options_.clock->Now());
  if (wait == absl::ZeroDuration()) return absl::OkStatus();
  CountFailure("rate_limited");
  return absl::ResourceExhaustedError(absl::StrCat(
      "too many failed authentications from this address: retry after ",
      absl::FormatDuration(wait), " with a valid token or credential"));
}

void Authenticator::RecordFailure(absl::string_view source) {
  failures_.Take(source, options_.clock->Now());
}

void Authenticator::RefreshGeneration() {
  const absl::Time now = options_.clock->Now();
  // One caller polls; the others wait for it, so that nobody uses a cache
  // older than the poll interval.
  absl::MutexLock poll(&poll_mu_);
  if (now < next_poll_) return;
  absl::StatusOr<int64_t> generation = agents_->AuthGeneration();
  next_poll_ = now + options_.generation_poll;
  absl::MutexLock lock(&mu_);
  // Unreadable (database down): start over, as after a change.
  if (!generation.ok() || *generation != generation_) {
    cache_.clear();
    generation_ = generation.ok() ? *generation : -1;
  }
}

absl::StatusOr<Caller> Authenticator::Identify(absl::string_view authorization,
                                               v1::AgentIdentity* agent,
                                               absl::string_view source) {
  if (authorization.empty()) return Caller();  // Anonymous.
  absl::StatusOr<std::string> secret = BearerToken(authorization);
  if (!secret.ok()) {
    CountFailure("malformed");
    RecordFailure(source);
    return absl::UnauthenticatedError(
        "malformed authorization metadata: send \"authorization: Bearer "
        "<token>\"");
  }
  const std::string hash = HashCredential(*secret);
  RefreshGeneration();
  {
    absl::MutexLock lock(&mu_);
    const auto hit = cache_.find(hash);
    if (hit != cache_.end()) {
      if (agent != nullptr) *agent = hit->second.agent;
      return hit->second.caller;
    }
  }
  // Past the cache: only now does a source over its failure limit stop,
  // so that known callers behind the same address keep working.
  RETURN_IF_ERROR(CheckFailures(source));
  absl::StatusOr<Cached> found = Lookup(hash);
  if (!found.ok()) {
    if (absl::IsUnauthenticated(found.status())) RecordFailure(source);
    return found.status();
  }
  {
    absl::MutexLock lock(&mu_);
    if (cache_.size() >= options_.cache_entries) cache_.clear();
    cache_[hash] = *found;
  }
  if (agent != nullptr) *agent = found->agent;
  return found->caller;
}

absl::StatusOr<Authenticator::Cached> Authenticator::Lookup(
    const std::string& hash) {
  Cached cached;
  Caller& caller = cached.caller;
  absl::StatusOr<v1::AgentIdentity> identity =
      agents_->AgentByCredentialHash(hash);
  if (identity.ok()) {
    caller.kind = CallerKind::kAgent;
    caller.agent_id = identity->agent_id();
    caller.site = identity->site();
    cached.agent = *std::move(identity);
    return cached;
  }
  if (!absl::IsNotFound(identity.status())) return identity.status();
  absl::StatusOr<v1::ApiTokenInfo> token = tokens_->ApiTokenByHash(hash);
  if (absl::IsNotFound(token.status())) {
    CountFailure("unknown");
    return absl::UnauthenticatedError(
        "unknown token: it is neither an agent credential nor an API token "
        "(enroll the agent again, or ask an admin for a token)");
  }
  if (!token.ok()) return token.status();
  if (token->has_revoked()) {
    CountFailure("revoked");
    return absl::UnauthenticatedError(
        absl::StrCat("token ", token->token_id(), " (\"", token->name(),
                     "\") was revoked: ask an admin for a new one"));
  }
  switch (token->role()) {
    case v1::API_TOKEN_ROLE_ADMIN:
      caller.kind = CallerKind::kAdmin;
      break;
    case v1::API_TOKEN_ROLE_VIEWER:
      caller.kind = CallerKind::kViewer;
      break;
    default:
      CountFailure("no_role");
      return absl::UnauthenticatedError(
          absl::StrCat("token ", token->token_id(), " has no role: revoke it"));
  }
  caller.token_id = token->token_id();
  caller.token_name = token->name();
  return cached;
}

}  // namespace natscope::server::auth
