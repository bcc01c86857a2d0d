#include "server/store/ingest_grouper.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

using natscope::v1::AgentIdentity;
using natscope::v1::IngestRequest;

struct Caller {
  Caller(const std::string& agent_id, int records) {
    agent.set_agent_id(agent_id);
    for (int i = 0; i < records; ++i) batch.add_records();
    call.agent = &agent;
    call.batch = &batch;
  }
  AgentIdentity agent;
  IngestRequest batch;
  IngestCall call;
};

// Each call's result says which group stored it.
class Recorder {
 public:
  void Store(absl::Span<IngestCall* const> calls) {
    absl::MutexLock lock(&mu_);
    groups_.emplace_back();
    absl::flat_hash_set<std::string> agents;
    for (IngestCall* call : calls) {
      groups_.back().push_back(call->agent->agent_id());
      EXPECT_TRUE(agents.insert(call->agent->agent_id()).second)
          << "two calls of one agent in a group";
      IngestResult result;
      result.records_committed = static_cast<uint32_t>(groups_.size());
      call->result = result;
    }
  }
  std::vector<std::vector<std::string>> groups() {
    absl::MutexLock lock(&mu_);
    return groups_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::vector<std::string>> groups_;
};

TEST(IngestGrouperTest, ACallAloneIsStoredAtOnceInAGroupOfOne) {
  Recorder recorder;
  IngestGrouper grouper({}, [&](absl::Span<IngestCall* const> calls) {
    recorder.Store(calls);
  });
  Caller a("a", 3);
  grouper.Run(&a.call);
  ASSERT_TRUE(a.call.result.ok());
  EXPECT_EQ(a.call.result->records_committed, 1u);
  EXPECT_EQ(recorder.groups().size(), 1u);
  EXPECT_EQ(grouper.groups(), 1);
  EXPECT_EQ(grouper.grouped_calls(), 1);
}

// While a group is being stored, the calls that arrive form the next one,
// within the bounds; a second batch of an agent waits for a later group.
TEST(IngestGrouperTest, CallsArrivingDuringAGroupJoinTheNextWithinBounds) {
  Recorder recorder;
  absl::Notification first_started, release_first;
  std::atomic<int> stored{0};
  IngestGrouper::Options options;
  options.max_groups_in_flight = 1;
  options.max_calls = 3;
  options.max_records = 100;
  IngestGrouper grouper(options, [&](absl::Span<IngestCall* const> calls) {
    if (stored.fetch_add(1) == 0) {
      first_started.Notify();
      release_first.WaitForNotification();
    }
    recorder.Store(calls);
  });
  Caller first("first", 1);
  std::thread leader([&] { grouper.Run(&first.call); });
  first_started.WaitForNotification();
  // Queued in this order while the first group is stored.
  std::vector<std::unique_ptr<Caller>> callers;
  for (const std::string id : {"b", "c", "b", "d", "e"}) {
    callers.push_back(std::make_unique<Caller>(id, 10));
  }
  std::vector<std::thread> threads;
  for (auto& caller : callers) {
    threads.emplace_back([&grouper, &caller] { grouper.Run(&caller->call); });
    // Queued in order: it cannot lead while the first group is stored.
    while (grouper.queued() < static_cast<int>(threads.size())) {
      absl::SleepFor(absl::Milliseconds(1));
    }
  }
  release_first.Notify();
  leader.join();
  for (std::thread& t : threads) t.join();
  const auto groups = recorder.groups();
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0], std::vector<std::string>({"first"}));
  // b, c, (b again waits), d: three calls, the bound.
  EXPECT_EQ(groups[1], std::vector<std::string>({"b", "c", "d"}));
  EXPECT_EQ(groups[2], std::vector<std::string>({"b", "e"}));
  for (auto& caller : callers) EXPECT_TRUE(caller->call.result.ok());
}

TEST(IngestGrouperTest, AGroupTakesOneCallWhateverItsSize) {
  Recorder recorder;
  IngestGrouper::Options options;
  options.max_records = 5;
  IngestGrouper grouper(options, [&](absl::Span<IngestCall* const> calls) {
    recorder.Store(calls);
  });
  Caller big("big", 50);
  grouper.Run(&big.call);
  EXPECT_TRUE(big.call.result.ok());
}

// Many threads, many agents: every call is stored exactly once, never two
// of one agent in a group, and never more groups at once than allowed.
TEST(IngestGrouperTest, EveryCallIsStoredOnceUnderContention) {
  Recorder recorder;
  std::atomic<int> running{0}, most{0};
  IngestGrouper::Options options;
  options.max_groups_in_flight = 2;
  options.max_calls = 8;
  IngestGrouper grouper(options, [&](absl::Span<IngestCall* const> calls) {
    const int now = running.fetch_add(1) + 1;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    absl::SleepFor(absl::Microseconds(200));
    recorder.Store(calls);
    running.fetch_sub(1);
  });
  constexpr int kThreads = 16, kCallsEach = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&grouper, t] {
      for (int i = 0; i < kCallsEach; ++i) {
        // Two threads share each agent id.
        Caller caller(std::to_string(t / 2), 1);
        grouper.Run(&caller.call);
        EXPECT_TRUE(caller.call.result.ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  int calls = 0;
  for (const auto& group : recorder.groups()) {
    calls += static_cast<int>(group.size());
    EXPECT_LE(group.size(), 8u);
  }
  EXPECT_EQ(calls, kThreads * kCallsEach);
  EXPECT_EQ(grouper.grouped_calls(), kThreads * kCallsEach);
  EXPECT_LE(most.load(), 2);
  EXPECT_LT(grouper.groups(), kThreads * kCallsEach) << "nothing was grouped";
}

}  // namespace
}  // namespace natscope::server
