// A deadline that one thread may bring forward while others wait for it.
// The probe starts its path evidence (gateway queries, hop trace) with
// generous bounds, before it knows the path's round-trip time; once STUN
// has measured it, the probe brings the evidence's deadlines forward
// (ingest/probe/probe_plan.h, EvidenceWaitsFor) and the queries, which
// re-read their deadline at least every kRecheck while they wait, end
// sooner.
//
//   Deadline deadline(now + absl::Milliseconds(500));
//   // A query thread:
//   for (now = absl::Now(); now < deadline.at(); now = absl::Now()) {
//     poll(fds, n, deadline.PollMillis(now, next_send));
//     ...
//   }
//   // Another thread, meanwhile:
//   deadline.BringForward(now + absl::Milliseconds(100),
//                         "waits follow the 227us STUN round trip");
//
// Thread-safe. The owner keeps it alive until every query reading it has
// returned. Times are those of whichever clock the owner and its queries
// share (absl::Now() for the real adapters).
#ifndef NATSCOPE_INGEST_NETPATH_DEADLINE_H_
#define NATSCOPE_INGEST_NETPATH_DEADLINE_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace natscope::ingest {

class Deadline {
 public:
  // The longest a waiting query sleeps before it re-reads the deadline: a
  // deadline brought forward is noticed within this.
  static constexpr absl::Duration kRecheck = absl::Milliseconds(5);

  explicit Deadline(absl::Time at = absl::InfiniteFuture()) : at_(at) {}
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  absl::Time at() const;
  // Why it was last brought forward ("" when it never was, or `reason` was
  // empty), for the messages of queries that end at it.
  std::string reason() const;

  // Moves the deadline to `at` when that is earlier, and records `reason`;
  // a later `at` changes nothing (a deadline is never extended).
  void BringForward(absl::Time at, absl::string_view reason = "");

  // How long a query may sleep at `now` when it wants to wake at `wake`
  // anyway: until the earliest of `wake`, the deadline and now + kRecheck;
  // never negative.
  absl::Duration SleepFrom(absl::Time now,
                           absl::Time wake = absl::InfiniteFuture()) const;
  // The same in whole milliseconds, rounded up, for poll().
  int PollMillis(absl::Time now,
                 absl::Time wake = absl::InfiniteFuture()) const;

  // "within 101ms", or "within 101ms (REASON)" once brought forward with a
  // reason: how long a query that started at `start` and ended at the
  // deadline waited, for its "no answer ..." message.
  std::string Within(absl::Time start) const;

 private:
  mutable absl::Mutex mu_;
  absl::Time at_ ABSL_GUARDED_BY(mu_);
  std::string reason_ ABSL_GUARDED_BY(mu_);
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_NETPATH_DEADLINE_H_
