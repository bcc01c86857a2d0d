#include "server/store/ingest_grouper.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"

namespace natscope::server {

IngestGrouper::IngestGrouper(Options options, GroupFn store_group)
    : options_(options), store_group_(std::move(store_group)) {}

std::vector<IngestCall*> IngestGrouper::TakeGroup() {
  std::vector<IngestCall*> group;
  std::deque<IngestCall*> rest;
  absl::flat_hash_set<std::string> agents;
  int64_t records = 0;
  for (IngestCall* call : queue_) {
    const int64_t size = call->batch->records_size();
    const bool full =
        !group.empty() &&
        (static_cast<int>(group.size()) >= options_.max_calls ||
         records + size > options_.max_records);
    // A second batch of an agent waits until the first is stored: no
    // group touches an agent's rows twice, and its batches commit in
    // order.
    if (full || !Takeable(*call) ||
        !agents.insert(call->agent->agent_id()).second) {
      rest.push_back(call);
      continue;
    }
    group.push_back(call);
    records += size;
  }
  queue_ = std::move(rest);
  for (const std::string& agent : agents) in_flight_.insert(agent);
  return group;
}

bool IngestGrouper::Takeable(const IngestCall& call) const {
  return !in_flight_.contains(call.agent->agent_id());
}

void IngestGrouper::PassLead() {
  for (IngestCall* call : queue_) {
    if (!call->lead && Takeable(*call)) {
      call->lead = true;
      return;
    }
  }
  // Nothing to store now: the slot is free for the next call that comes.
  --leaders_;
}

void IngestGrouper::Run(IngestCall* call) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(call);
  if (leaders_ < options_.max_groups_in_flight && Takeable(*call)) {
    ++leaders_;
    call->lead = true;
  }
  while (true) {
    // Only this call's own change wakes this thread: no herd of waiters
    // at every commit.
    mu_.Await(absl::Condition(
        +[](IngestCall* c) { return c->done || c->lead; }, call));
    if (!call->lead) return;  // Done, and no lead to pass on.
    call->lead = false;
    if (call->done) {
      // Stored by another leader while the lead was on its way here.
      PassLead();
      return;
    }
    std::vector<IngestCall*> group = TakeGroup();
    if (!group.empty()) {
      ++groups_;
      grouped_calls_ += static_cast<int64_t>(group.size());
      mu_.Unlock();
      store_group_(group);
      mu_.Lock();
      for (IngestCall* done : group) {
        done->done = true;
        in_flight_.erase(done->agent->agent_id());
      }
    }
    PassLead();
  }
}

int64_t IngestGrouper::groups() const {
  absl::MutexLock lock(&mu_);
  return groups_;
}

int64_t IngestGrouper::grouped_calls() const {
  absl::MutexLock lock(&mu_);
  return grouped_calls_;
}

int IngestGrouper::queued() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(queue_.size());
}

}  // namespace natscope::server
