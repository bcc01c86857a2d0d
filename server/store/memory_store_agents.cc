// MemoryStore's agent enrolment, release and probe requests; the SQL it
// mirrors is in pg_agents.cc.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/store/memory_store.h"
#include "server/store/pg_encoding.h"

namespace natscope::server {

using natscope::v1::AgentIdentity;

absl::Status MemoryStore::EnrollAgent(const AgentIdentity& agent,
                                      absl::string_view credential_hash,
                                      absl::string_view current_hash,
                                      absl::string_view use_token_hash) {
  if (agent.agent_id().empty() || credential_hash.empty()) {
    return absl::InvalidArgumentError(
        "EnrollAgent needs an agent_id and a credential hash");
  }
  const std::string hash(credential_hash);
  absl::MutexLock lock(&mu_);
  if (agent_by_hash_.count(hash) > 0) {
    return absl::AlreadyExistsError(
        "EnrollAgent: another agent has this credential hash");
  }
  const auto existing = agents_.find(agent.agent_id());
  bool rotation = false;
  if (existing != agents_.end()) {
    const AgentRow& row = existing->second;
    if (row.identity.site() != agent.site()) {
      return absl::PermissionDeniedError(absl::StrCat(
          "agent id is registered to site \"", row.identity.site(), "\""));
    }
    rotation = !row.credential_hash.empty();
    if (rotation && (current_hash.empty() || row.credential_hash != current_hash)) {
      return absl::AlreadyExistsError("agent id is enrolled");
    }
  }
  if (!rotation && !use_token_hash.empty()) {
    const auto token = enrollment_token_by_hash_.find(std::string(use_token_hash));
    natscope::v1::EnrollmentTokenInfo* info =
        token == enrollment_token_by_hash_.end()
            ? nullptr
            : &enrollment_tokens_.at(token->second).info;
    if (info == nullptr ||
        (info->max_uses() != 0 && info->uses() >= info->max_uses())) {
      return absl::FailedPreconditionError(
          "the enrollment token has enrolled as many agents as it may");
    }
    info->set_uses(info->uses() + 1);
  }
  AgentRow& row = agents_[agent.agent_id()];
  if (existing != agents_.end()) {
    agent_by_hash_.erase(row.credential_hash);
    ++auth_generation_;
  }
  row.identity = StoredIdentity(agent);
  row.credential_hash = hash;
  row.intake = false;  // An intake host that now runs natscope-agent.
  agent_by_hash_[hash] = agent.agent_id();
  MarkDirty(agent.site(), StoredTime(absl::Now()));
  return absl::OkStatus();
}

absl::StatusOr<AgentIdentity> MemoryStore::ReleaseAgent(
    absl::string_view agent_id) {
  absl::MutexLock lock(&mu_);
  const auto agent = agents_.find(std::string(agent_id));
  if (agent == agents_.end()) {
    return absl::NotFoundError("no agent has this id: see natscope agents");
  }
  agent_by_hash_.erase(agent->second.credential_hash);
  agent->second.credential_hash.clear();
  ++auth_generation_;
  return agent->second.identity;
}

absl::StatusOr<AgentIdentity> MemoryStore::RemoveAgent(
    absl::string_view agent_id) {
  absl::MutexLock lock(&mu_);
  const auto agent = agents_.find(std::string(agent_id));
  if (agent == agents_.end()) {
    return absl::NotFoundError("no agent has this id: see natscope agents");
  }
  const AgentIdentity identity = agent->second.identity;
  agent_by_hash_.erase(agent->second.credential_hash);
  agents_.erase(agent);
  states_.erase(identity.agent_id());
  activity_.erase({identity.site(), identity.agent_id()});
  for (auto row = ledger_.begin(); row != ledger_.end();) {
    row = std::get<1>(row->first) == identity.agent_id() ? ledger_.erase(row)
                                                         : std::next(row);
  }
  for (auto row = intake_seen_.begin(); row != intake_seen_.end();) {
    row = row->second.agent_id == identity.agent_id() ? intake_seen_.erase(row)
                                                      : std::next(row);
  }
  ++auth_generation_;
  MarkDirty(identity.site(), StoredTime(absl::Now()));
  return identity;
}

absl::StatusOr<std::vector<AgentIdentity>> MemoryStore::RequestProbe(
    absl::string_view site, absl::string_view agent_id, absl::Time seen_since,
    absl::Time now) {
  if (site.empty() == agent_id.empty()) {
    return absl::InvalidArgumentError(
        "RequestProbe needs a site or an agent_id, not both");
  }
  absl::MutexLock lock(&mu_);
  std::vector<AgentRow*> asked;
  if (!agent_id.empty()) {
    const auto agent = agents_.find(std::string(agent_id));
    if (agent != agents_.end()) asked.push_back(&agent->second);
  } else {
    for (auto& [id, row] : agents_) {
      if (row.identity.site() != site) continue;
      const LatestState* state = FindState(row.identity);
      if (state == nullptr || state->last_seen >= StoredTime(seen_since)) {
        asked.push_back(&row);
      }
    }
  }
  if (asked.empty()) {
    return absl::NotFoundError(
        agent_id.empty() ? "no agent of this site to ask"
                         : "no agent has this id: see natscope agents");
  }
  std::vector<AgentIdentity> identities;
  for (AgentRow* row : asked) {
    row->probe_requested = StoredTime(now);
    identities.push_back(row->identity);
  }
  return identities;
}

absl::StatusOr<int64_t> MemoryStore::AuthGeneration() {
  absl::MutexLock lock(&mu_);
  return auth_generation_;
}

}  // namespace natscope::server
