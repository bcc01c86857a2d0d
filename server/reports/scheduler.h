// The report scheduler: a background loop that produces every due run of
// every enabled schedule in the ReportStore (scheduler_core.h decides what is
// due; ReportProducer claims, so each run happens once across servers).
#ifndef NATSCOPE_SERVER_REPORTS_SCHEDULER_H_
#define NATSCOPE_SERVER_REPORTS_SCHEDULER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/periodic.h"
#include "server/reports/producer.h"
#include "server/store/report_store.h"

namespace natscope::server {

class ReportScheduler {
 public:
  // How often the ReportStore is read for schedules created or changed by
  // other servers (a due run is also produced at its time).
  static constexpr absl::Duration kPoll = absl::Seconds(30);
  // The poll under SetReportSecondsForTesting(true) (scheduler_core.h).
  static constexpr absl::Duration kTestPoll = absl::Seconds(1);
  // A run still RUNNING this long after it started is marked FAILED.
  static constexpr absl::Duration kAbandoned = absl::Hours(1);

  // kPoll, or kTestPoll when ReportSecondsForTesting().
  static absl::Duration DefaultPoll();

  // All must outlive this object. `poll` must be positive.
  ReportScheduler(ReportStore* store, const Clock* clock,
                  ReportProducer* producer, absl::Duration poll = DefaultPoll())
      : store_(store), clock_(clock), producer_(producer), poll_(poll) {}
  ~ReportScheduler() { Stop(); }

  // Produces every run due now. Returns how many this server produced
  // and sets *next to when to look again (at most `poll` away).
  absl::StatusOr<int> RunDue(absl::Time* next);

  void Start();
  // Wakes the loop now (a schedule was created here).
  void Poke();
  void Stop();

 private:
  ReportStore* store_;
  const Clock* clock_;
  ReportProducer* producer_;
  const absl::Duration poll_;
  std::unique_ptr<Periodic> loop_;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_REPORTS_SCHEDULER_H_
