// Group commit for Ingest: concurrent calls join one group, and one
// transaction stores the whole group (one COPY per table, one upsert of
// agent_state, one commit). Pure scheduling, no SQL: the store gives the
// function that runs a group. Internal to //server/store.
//
// Leader/follower: a call queues itself; while fewer than
// `max_groups_in_flight` groups run, it becomes a leader, takes the oldest
// queued calls as a group and runs it on its own thread; the others wait
// until their call is done. A leader done with its group hands the lead
// to the oldest queued call. Nothing waits on a timer: a
// call alone runs at once, and under load the calls that arrive while
// groups run form the next group. Each call is acknowledged only after its
// group's function returned (after the commit).
#ifndef NATSCOPE_SERVER_STORE_INGEST_GROUPER_H_
#define NATSCOPE_SERVER_STORE_INGEST_GROUPER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "natscope/v1/agent.pb.h"
#include "server/store/store.h"

namespace natscope::server {

// One Ingest call. The pointers must outlive IngestGrouper::Run.
struct IngestCall {
  const natscope::v1::AgentIdentity* agent = nullptr;
  const natscope::v1::IngestRequest* batch = nullptr;
  absl::Time received;
  // Set by the group function.
  absl::StatusOr<IngestResult> result = absl::UnknownError("not stored");
  // Guarded by the grouper's mutex.
  bool done = false;
  bool lead = false;  // This call's thread is to store the next group.
};

// Thread-safe.
class IngestGrouper {
 public:
  struct Options {
    // Groups stored at once (each on a connection of its own): while one
    // waits for its commit to reach the disk, the next is being written.
    int max_groups_in_flight = 2;
    // Bounds of one group: calls, and records over its calls (a group
    // takes at least one call whatever its size).
    int max_calls = 64;
    int64_t max_records = 20000;
  };
  // Stores a group: sets every call's `result`. Must not throw; it runs
  // on the leader's thread without the grouper's lock.
  using GroupFn = std::function<void(absl::Span<IngestCall* const>)>;

  IngestGrouper(Options options, GroupFn store_group);

  // Returns once `call` was stored in some group (call->result is set).
  void Run(IngestCall* call);

  // Groups run so far, and calls in them (for the per-group figures).
  int64_t groups() const;
  int64_t grouped_calls() const;
  // Calls waiting for a group.
  int queued() const;

 private:
  // The oldest queued calls that fit one group, one call per agent (so
  // that the group's agent_state upsert touches each row once); the rest
  // stay queued in order.
  std::vector<IngestCall*> TakeGroup() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether no running group holds a batch of the call's agent.
  bool Takeable(const IngestCall& call) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Gives this thread's lead to the oldest queued call that can start a
  // group and has no lead yet; frees the slot when there is none.
  void PassLead() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  const GroupFn store_group_;
  mutable absl::Mutex mu_;
  std::deque<IngestCall*> queue_ ABSL_GUARDED_BY(mu_);
  // Threads leading a group, and calls handed the lead not yet awake.
  int leaders_ ABSL_GUARDED_BY(mu_) = 0;
  // Agents with a batch in a running group.
  absl::flat_hash_set<std::string> in_flight_ ABSL_GUARDED_BY(mu_);
  int64_t groups_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t grouped_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_INGEST_GROUPER_H_
