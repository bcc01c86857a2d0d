// MemoryStore's access tokens; the SQL it mirrors is in pg_tokens.cc.
#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/store/memory_store.h"
#include "server/store/pg_encoding.h"

namespace natscope::server {
namespace {

using google::protobuf::Timestamp;
using natscope::v1::ApiTokenInfo;
using natscope::v1::EnrollmentTokenInfo;

// The Unix microseconds of a Timestamp as stored (see StoredTime).
int64_t Micros(const Timestamp& t) {
  return absl::ToUnixMicros(TimeFromProto(t, true, absl::UnixEpoch()));
}

}  // namespace

absl::Status MemoryStore::CreateApiToken(const ApiTokenInfo& info,
                                         absl::string_view token_hash) {
  if (info.token_id().empty() || token_hash.empty() || info.name().empty() ||
      info.role() == natscope::v1::API_TOKEN_ROLE_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "CreateApiToken needs a token_id, a hash, a name and a role");
  }
  const std::string hash(token_hash);
  absl::MutexLock lock(&mu_);
  if (api_tokens_.count(info.token_id()) > 0 ||
      api_token_by_hash_.count(hash) > 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("CreateApiToken: an API token with id \"", info.token_id(),
                     "\" or this hash exists already: create a new secret"));
  }
  TokenRow<ApiTokenInfo>& row = api_tokens_[info.token_id()];
  row.info.set_token_id(info.token_id());
  row.info.set_name(SanitizeText(info.name()));
  row.info.set_role(info.role());
  SetStoredTime(TimeFromProto(info.created(), true, absl::UnixEpoch()),
                row.info.mutable_created());
  row.hash = hash;
  api_token_by_hash_[hash] = info.token_id();
  return absl::OkStatus();
}

absl::StatusOr<ApiTokenInfo> MemoryStore::ApiTokenByHash(
    absl::string_view token_hash) {
  absl::MutexLock lock(&mu_);
  const auto id = api_token_by_hash_.find(std::string(token_hash));
  if (id == api_token_by_hash_.end()) {
    return absl::NotFoundError("no such API token");
  }
  return api_tokens_.at(id->second).info;
}

absl::StatusOr<ApiTokenInfo> MemoryStore::RevokeApiToken(
    absl::string_view token_id, absl::Time now) {
  absl::MutexLock lock(&mu_);
  const auto token = api_tokens_.find(std::string(token_id));
  if (token == api_tokens_.end()) {
    return absl::NotFoundError(absl::StrCat("no API token has id \"", token_id,
                                            "\": see natscope tokens api list"));
  }
  ApiTokenInfo& info = token->second.info;
  if (!info.has_revoked()) {
    SetStoredTime(now, info.mutable_revoked());
  }
  ++auth_generation_;
  return info;
}

absl::StatusOr<std::vector<ApiTokenInfo>> MemoryStore::ListApiTokens() {
  absl::MutexLock lock(&mu_);
  std::vector<ApiTokenInfo> tokens;
  for (const auto& [id, row] : api_tokens_) tokens.push_back(row.info);
  // By creation time; the map's order breaks ties by token_id.
  std::stable_sort(tokens.begin(), tokens.end(),
                   [](const ApiTokenInfo& a, const ApiTokenInfo& b) {
                     return Micros(a.created()) < Micros(b.created());
                   });
  return tokens;
}

absl::Status MemoryStore::CreateEnrollmentToken(const EnrollmentTokenInfo& info,
                                                absl::string_view token_hash) {
  if (info.token_id().empty() || token_hash.empty() || info.site().empty()) {
    return absl::InvalidArgumentError(
        "CreateEnrollmentToken needs a token_id, a hash and a site");
  }
  const std::string hash(token_hash);
  absl::MutexLock lock(&mu_);
  if (enrollment_tokens_.count(info.token_id()) > 0 ||
      enrollment_token_by_hash_.count(hash) > 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("CreateEnrollmentToken: an enrollment token with id \"",
                     info.token_id(),
                     "\" or this hash exists already: create a new secret"));
  }
  TokenRow<EnrollmentTokenInfo>& row = enrollment_tokens_[info.token_id()];
  row.info.set_token_id(info.token_id());
  row.info.set_site(info.site());
  SetStoredTime(TimeFromProto(info.created(), true, absl::UnixEpoch()),
                row.info.mutable_created());
  if (info.has_expires()) {
    SetStoredTime(TimeFromProto(info.expires(), true, absl::UnixEpoch()),
                  row.info.mutable_expires());
  }
  row.info.set_max_uses(info.max_uses());
  row.info.set_purpose(info.purpose());
  row.info.set_default_role(info.default_role());
  row.hash = hash;
  enrollment_token_by_hash_[hash] = info.token_id();
  return absl::OkStatus();
}

absl::StatusOr<EnrollmentTokenInfo> MemoryStore::EnrollmentTokenByHash(
    absl::string_view token_hash) {
  absl::MutexLock lock(&mu_);
  const auto id = enrollment_token_by_hash_.find(std::string(token_hash));
  if (id == enrollment_token_by_hash_.end()) {
    return absl::NotFoundError("no such enrollment token");
  }
  return enrollment_tokens_.at(id->second).info;
}

absl::StatusOr<EnrollmentTokenInfo> MemoryStore::RevokeEnrollmentToken(
    absl::string_view token_id, absl::Time now) {
  absl::MutexLock lock(&mu_);
  const auto token = enrollment_tokens_.find(std::string(token_id));
  if (token == enrollment_tokens_.end()) {
    return absl::NotFoundError(
        absl::StrCat("no enrollment token has id \"", token_id,
                     "\": see natscope tokens enroll list"));
  }
  EnrollmentTokenInfo& info = token->second.info;
  if (!info.has_revoked()) {
    SetStoredTime(now, info.mutable_revoked());
  }
  ++auth_generation_;
  return info;
}

absl::StatusOr<std::vector<EnrollmentTokenInfo>>
MemoryStore::ListEnrollmentTokens(absl::string_view site) {
  absl::MutexLock lock(&mu_);
  std::vector<EnrollmentTokenInfo> tokens;
  for (const auto& [id, row] : enrollment_tokens_) {
    if (site.empty() || row.info.site() == site) tokens.push_back(row.info);
  }
  // By site, then creation time; the map's order breaks ties by token_id.
  std::stable_sort(
      tokens.begin(), tokens.end(),
      [](const EnrollmentTokenInfo& a, const EnrollmentTokenInfo& b) {
        const int64_t a_created = Micros(a.created());
        const int64_t b_created = Micros(b.created());
        return std::tie(a.site(), a_created) < std::tie(b.site(), b_created);
      });
  return tokens;
}

}  // namespace natscope::server

namespace natscope::server {

absl::StatusOr<EnrollmentTokenInfo> MemoryStore::UseEnrollmentToken(
    absl::string_view token_hash) {
  absl::MutexLock lock(&mu_);
  const auto id = enrollment_token_by_hash_.find(std::string(token_hash));
  if (id == enrollment_token_by_hash_.end()) {
    return absl::NotFoundError("no such enrollment token");
  }
  EnrollmentTokenInfo& info = enrollment_tokens_.at(id->second).info;
  if (info.max_uses() != 0 && info.uses() >= info.max_uses()) {
    return absl::FailedPreconditionError(
        "the enrollment token has enrolled as many agents as it may");
  }
  info.set_uses(info.uses() + 1);
  return info;
}

}  // namespace natscope::server
