// An in-memory Store of agents and access tokens for access-control tests.
// Ingest answers `ingest_status()` (OK: every record committed) and records
// the identity it was called with. Thread-safe.
#ifndef NATSCOPE_SERVER_AUTH_FAKE_TOKEN_STORE_H_
#define NATSCOPE_SERVER_AUTH_FAKE_TOKEN_STORE_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/store/store.h"

namespace natscope::server::auth {

class FakeTokenStore final : public Store {
 public:
  absl::Status Migrate() override { return absl::OkStatus(); }
  absl::Status UpsertAgent(const v1::AgentIdentity& agent,
                           absl::string_view hash) override {
    absl::MutexLock lock(&mu_);
    agents_[agent.agent_id()] = {agent, std::string(hash)};
    return absl::OkStatus();
  }
  absl::StatusOr<v1::AgentIdentity> AgentByCredentialHash(
      absl::string_view hash) override {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, entry] : agents_) {
      if (entry.second == hash) return entry.first;
    }
    return absl::NotFoundError("no agent");
  }
  absl::StatusOr<v1::AgentIdentity> AgentById(absl::string_view id) override {
    absl::MutexLock lock(&mu_);
    auto it = agents_.find(std::string(id));
    if (it == agents_.end()) return absl::NotFoundError("no agent");
    return it->second.first;
  }
  absl::StatusOr<IngestResult> Ingest(const v1::AgentIdentity& agent,
                                      const v1::IngestRequest& batch,
                                      absl::Time) override {
    absl::MutexLock lock(&mu_);
    if (!ingest_status_.ok()) return ingest_status_;
    ingested_as_.push_back(agent);
    return IngestResult{static_cast<uint32_t>(batch.records_size()), false};
  }
  absl::StatusOr<std::vector<v1::SiteSummary>> ListSites() override {
    return std::vector<v1::SiteSummary>();
  }
  absl::StatusOr<std::vector<v1::AgentState>> ListAgents(absl::string_view,
                                                         absl::string_view,
                                                         int) override {
    return std::vector<v1::AgentState>();
  }
  absl::StatusOr<int64_t> CountRecords(absl::string_view) override { return 0; }

  absl::Status CreateApiToken(const v1::ApiTokenInfo& info,
                              absl::string_view hash) override {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, t] : api_) {
      if (id == info.token_id() || t.second == hash) {
        return absl::AlreadyExistsError("token exists");
      }
    }
    api_[info.token_id()] = {info, std::string(hash)};
    return absl::OkStatus();
  }
  absl::StatusOr<v1::ApiTokenInfo> ApiTokenByHash(
      absl::string_view hash) override {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, t] : api_) {
      if (t.second == hash) return t.first;
    }
    return absl::NotFoundError("no token");
  }
  absl::StatusOr<v1::ApiTokenInfo> RevokeApiToken(absl::string_view id,
                                                  absl::Time now) override {
    absl::MutexLock lock(&mu_);
    auto it = api_.find(std::string(id));
    if (it == api_.end()) return absl::NotFoundError("no token");
    if (!it->second.first.has_revoked()) {
      it->second.first.mutable_revoked()->set_seconds(absl::ToUnixSeconds(now));
    }
    return it->second.first;
  }
  absl::StatusOr<std::vector<v1::ApiTokenInfo>> ListApiTokens() override {
    absl::MutexLock lock(&mu_);
    std::vector<v1::ApiTokenInfo> out;
    for (const auto& [id, t] : api_) out.push_back(t.first);
    return out;
  }
  absl::Status CreateEnrollmentToken(const v1::EnrollmentTokenInfo& info,
                                     absl::string_view hash) override {
    absl::MutexLock lock(&mu_);
    enrollment_[info.token_id()] = {info, std::string(hash)};
    return absl::OkStatus();
  }
  absl::StatusOr<v1::EnrollmentTokenInfo> EnrollmentTokenByHash(
      absl::string_view hash) override {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, t] : enrollment_) {
      if (t.second == hash) return t.first;
    }
    return absl::NotFoundError("no token");
  }
  absl::StatusOr<v1::EnrollmentTokenInfo> RevokeEnrollmentToken(
      absl::string_view id, absl::Time now) override {
    absl::MutexLock lock(&mu_);
    auto it = enrollment_.find(std::string(id));
    if (it == enrollment_.end()) return absl::NotFoundError("no token");
    if (!it->second.first.has_revoked()) {
      it->second.first.mutable_revoked()->set_seconds(absl::ToUnixSeconds(now));
    }
    return it->second.first;
  }
  absl::StatusOr<std::vector<v1::EnrollmentTokenInfo>> ListEnrollmentTokens(
      absl::string_view site) override {
    absl::MutexLock lock(&mu_);
    std::vector<v1::EnrollmentTokenInfo> out;
    for (const auto& [id, t] : enrollment_) {
      if (site.empty() || t.first.site() == site) out.push_back(t.first);
    }
    return out;
  }

  void set_ingest_status(absl::Status s) {
    absl::MutexLock lock(&mu_);
    ingest_status_ = std::move(s);
  }
  std::vector<v1::AgentIdentity> ingested_as() {
    absl::MutexLock lock(&mu_);
    return ingested_as_;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, std::pair<v1::AgentIdentity, std::string>> agents_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::pair<v1::ApiTokenInfo, std::string>> api_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::pair<v1::EnrollmentTokenInfo, std::string>>
      enrollment_ ABSL_GUARDED_BY(mu_);
  absl::Status ingest_status_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::AgentIdentity> ingested_as_ ABSL_GUARDED_BY(mu_);
};

}  // namespace natscope::server::auth

#endif  // NATSCOPE_SERVER_AUTH_FAKE_TOKEN_STORE_H_
