#include "server/intake/intake_core.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/metrics/metrics.h"
#include "common/retry_after.h"
#include "common/status_macros.h"
#include "ingest/parse/line_time.h"
#include "server/auth/credentials.h"
#include "server/intake/intake_digest.h"

namespace natscope::server::intake {
namespace {

constexpr size_t kMaxCachedTokens = 4096;

void CountMessages(const char* outcome, int64_t n) {
  static metrics::CounterFamily& counter = metrics::DefaultRegistry().Counter(
      "natscope_intake_messages_total",
      "Messages from log shippers (syslog, OTLP) by outcome: stored, "
      "duplicate (sent again: stored before), unmatched (no rule matched: "
      "nothing to store), rejected (refused, e.g. a bad intake token).",
      {"outcome"});
  if (n > 0) counter.With({outcome}).Increment(n);
}

// The status to return when the store cannot take a submission: the
// store's own, with the retry delay a shipper should wait.
absl::Status Retryable(absl::Status status, absl::Duration delay) {
  if (!status.GetPayload(kRetryAfterMetadataKey).has_value()) {
    status.SetPayload(kRetryAfterMetadataKey,
                      absl::Cord(absl::StrCat(absl::ToInt64Milliseconds(delay))));
  }
  return status;
}

bool Refusal(const absl::Status& status) {
  return absl::IsPermissionDenied(status) || absl::IsInvalidArgument(status) ||
         absl::IsNotFound(status) || absl::IsFailedPrecondition(status);
}

// The message's role, else the token's default; nullopt for a role that
// is neither client nor connector.
std::optional<v1::Role> RoleOf(const IntakeMessage& message,
                               const v1::EnrollmentTokenInfo& token) {
  const std::string role = absl::AsciiStrToLower(message.role);
  if (role == "client") return v1::ROLE_CLIENT;
  if (role == "connector") return v1::ROLE_CONNECTOR;
  if (!role.empty()) return std::nullopt;
  return token.default_role() == v1::ROLE_CONNECTOR ? v1::ROLE_CONNECTOR
                                                    : v1::ROLE_CLIENT;
}

}  // namespace

struct IntakeCore::HostBatch {
  v1::AgentIdentity host;
  v1::IngestRequest batch;
  std::vector<std::string> digests;
  std::vector<size_t> indexes;
};

std::string IntakeAgentId(absl::string_view hostname) {
  std::string id(hostname.substr(0, 128));
  bool any = false;
  for (char& c : id) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
        c == '_') {
      any = true;
    } else {
      c = '-';
    }
  }
  return any ? id : std::string();
}

IntakeCore::IntakeCore(TokenStore* tokens, FactStore* facts,
                       const ingest::LogParser* parser,
                       IntakeCoreOptions options)
    : tokens_(tokens), facts_(facts), parser_(parser), options_(options) {}

absl::StatusOr<v1::EnrollmentTokenInfo> IntakeCore::IntakeToken(
    const std::string& token) {
  if (token.empty()) {
    return absl::UnauthenticatedError(
        "intake token missing: every message needs the site's intake token "
        "(natscope tokens create --site=SITE --intake)");
  }
  if (token.size() > 256) {
    return absl::UnauthenticatedError("intake token unknown");
  }
  const std::string hash = HashCredential(token);
  const absl::Time now = options_.clock->Now();
  absl::StatusOr<v1::EnrollmentTokenInfo> info;
  {
    absl::MutexLock lock(&mu_);
    const auto cached = token_cache_.find(hash);
    if (cached != token_cache_.end() &&
        now - cached->second.fetched < options_.token_cache_ttl) {
      info = cached->second.info;
    } else {
      info = tokens_->EnrollmentTokenByHash(hash);
      if (!info.ok() && !absl::IsNotFound(info.status())) return info.status();
      if (token_cache_.size() >= kMaxCachedTokens) token_cache_.clear();
      token_cache_[hash] = CachedToken{info, now};
    }
  }
  if (!info.ok()) return absl::UnauthenticatedError("intake token unknown");
  if (info->purpose() != v1::TOKEN_PURPOSE_INTAKE) {
    return absl::UnauthenticatedError(absl::StrCat(
        "intake token expected: token ", info->token_id(),
        " is an enrollment token, for natscope-agent enroll"));
  }
  if (info->has_revoked()) {
    return absl::UnauthenticatedError(
        absl::StrCat("intake token ", info->token_id(), " was revoked"));
  }
  if (info->has_expires() &&
      absl::FromUnixSeconds(info->expires().seconds()) <= now) {
    return absl::UnauthenticatedError(
        absl::StrCat("intake token ", info->token_id(), " expired"));
  }
  return info;
}

absl::Status IntakeCore::AddMessage(size_t index, const IntakeMessage& m,
                                    absl::Time received,
                                    ingest::ParsedLine* parsed,
                                    HostBatches* hosts, SubmitResult* result) {
  const auto reject = [&](std::string reason) {
    result->rejected.emplace_back(index, std::move(reason));
    return absl::OkStatus();
  };
  absl::StatusOr<v1::EnrollmentTokenInfo> token = IntakeToken(m.token);
  if (!token.ok()) {
    if (!absl::IsUnauthenticated(token.status())) {
      return Retryable(token.status(), options_.unavailable_retry_delay);
    }
    return reject(std::string(token.status().message()));
  }
  const std::string agent_id = IntakeAgentId(m.hostname);
  if (agent_id.empty()) {
    return reject("message has no host name (syslog HOSTNAME; OTLP host.name "
                  "or host.id)");
  }
  if (m.hostname.size() > options_.limits.hostname) {
    return reject(absl::StrCat("host name is ", m.hostname.size(),
                               " bytes; the limit is ", options_.limits.hostname));
  }
  const std::optional<v1::Role> role = RoleOf(m, *token);
  if (!role.has_value()) {
    return reject(absl::StrCat("role \"", Abbreviate(m.role),
                               "\" is neither client nor connector"));
  }
  if (m.text.size() > options_.limits.raw_line) {
    return reject(absl::StrCat("line is ", m.text.size(),
                               " bytes; the limit is ", options_.limits.raw_line));
  }
  const absl::Time read_time = m.time.value_or(received);
  if (!parser_->Match(m.text, read_time, parsed)) {
    ++result->unmatched;
    return absl::OkStatus();
  }
  v1::IngestRequest one;
  *one.add_records()->mutable_log() = ingest::ToLogEvent(*parsed, m.source);
  if (absl::Status bounded = CheckBatchLimits(one, options_.limits);
      !bounded.ok()) {
    return reject(std::string(bounded.message()));
  }
  const bool own_time =
      ingest::ParseLineTime(m.text, read_time, absl::UTCTimeZone()).has_value();
  HostBatch& host = (*hosts)[{token->site(), agent_id}];
  if (host.indexes.empty()) {
    host.host.set_agent_id(agent_id);
    host.host.set_site(token->site());
    host.host.set_role(*role);
    host.host.set_hostname(m.hostname);
  }
  host.batch.add_records()->Swap(one.mutable_records(0));
  host.digests.push_back(IntakeDigest(agent_id, m.text, own_time, m.time,
                                      received, options_.dedup_bucket));
  host.indexes.push_back(index);
  return absl::OkStatus();
}

absl::Status IntakeCore::StoreHosts(HostBatches* hosts, absl::Time received,
                                    SubmitResult* result) {
  for (auto& [key, host] : *hosts) {
    ClampRecordTimes(&host.batch, received, options_.time_window);
    absl::StatusOr<IngestResult> stored =
        facts_->IngestIntake(host.host, host.batch, host.digests, received);
    if (stored.ok()) {
      result->stored += stored->records_committed;
      result->duplicates += stored->duplicate_records;
    } else if (Refusal(stored.status())) {
      for (size_t i : host.indexes) {
        result->rejected.emplace_back(i, std::string(stored.status().message()));
      }
    } else {
      return Retryable(stored.status(), options_.unavailable_retry_delay);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<SubmitResult> IntakeCore::Submit(
    std::vector<IntakeMessage> messages, absl::Time received) {
  SubmitResult result;
  HostBatches hosts;
  ingest::ParsedLine parsed;
  for (size_t i = 0; i < messages.size(); ++i) {
    RETURN_IF_ERROR(AddMessage(i, messages[i], received, &parsed, &hosts, &result));
  }
  RETURN_IF_ERROR(StoreHosts(&hosts, received, &result));
  std::sort(result.rejected.begin(), result.rejected.end());
  CountMessages("stored", result.stored);
  CountMessages("duplicate", result.duplicates);
  CountMessages("unmatched", result.unmatched);
  CountMessages("rejected", static_cast<int64_t>(result.rejected.size()));
  return result;
}

}  // namespace natscope::server::intake
