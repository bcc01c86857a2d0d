// The server's AWS ranges, kept current: loaded from --aws_ip_ranges (the
// built-in copy without it) and reloaded when that file changes, so that an
// operator's daily download (docs/probe.md) reaches every analysis without
// a restart.
//
// A change is a new (device, inode, size, mtime) of the path: an atomic
// `mv` of a fresh download over it, or a rewrite in place. Each new file
// is tried once. When it loads, it replaces the ranges and every site is
// marked dirty, so that stored site health is re-analysed with them; when
// it does not (half written, not AWS's format, removed), the ranges in use
// stay and one warning line names the file and the error.
//
//   auto watcher = AwsRangesWatcher::Create({flags.aws_ip_ranges}, &clock);
//   if (!watcher.ok()) return Fail(...);   // A bad file refuses to start.
//   SiteRefresherOptions options;
//   options.aws_ranges = (*watcher)->Provider();
//   ...
//   (*watcher)->Start(db);                 // Checks every check_interval.
//   ...
//   (*watcher)->Stop();                    // Before `db` goes.
//
// Metrics: natscope_aws_ranges_created_timestamp_seconds (the ranges in
// use) and natscope_aws_ranges_reloads_total{result="ok|error"}.
// Thread-safe.
#ifndef NATSCOPE_SERVER_ANALYSIS_AWS_RANGES_WATCHER_H_
#define NATSCOPE_SERVER_ANALYSIS_AWS_RANGES_WATCHER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "server/analysis/aws_ranges_provider.h"
#include "server/store/site_health_store.h"

namespace natscope::server {

struct AwsRangesWatcherOptions {
  // AWS's ip-ranges.json (--aws_ip_ranges); empty: the built-in copy,
  // never reloaded.
  std::string path;
  // How often the file is looked at (--aws_ip_ranges_check): one stat(),
  // and a read only when it changed.
  absl::Duration check_interval = absl::Seconds(30);
};

// What one look at the file found.
enum class AwsRangesCheck {
  kUnchanged,  // Same file as last time (or no file is watched).
  kReloaded,   // A new file, now in use.
  kFailed,     // A new file (or none) that could not be loaded: ranges kept.
};

class AwsRangesWatcher {
 public:
  // Loads the ranges (analyzer::LoadAwsRanges: its errors, which name the
  // file). `clock` is not owned and must outlive the watcher.
  static absl::StatusOr<std::unique_ptr<AwsRangesWatcher>> Create(
      AwsRangesWatcherOptions options, const Clock* clock);
  ~AwsRangesWatcher();  // Stops.
  AwsRangesWatcher(const AwsRangesWatcher&) = delete;
  AwsRangesWatcher& operator=(const AwsRangesWatcher&) = delete;

  // The ranges in use; never null. A snapshot stays valid (and unchanged)
  // however long the caller keeps it, whatever reloads meanwhile.
  AwsRangesSnapshot Current() const;
  // Current, as the analysis asks for it. Valid while the watcher lives.
  AwsRangesProvider Provider() const;

  // Looks at the file once, reloading it when it changed; after a reload,
  // marks every site of `health` dirty (retried at the next check while
  // that fails). What the background thread runs.
  AwsRangesCheck CheckNow(SiteHealthStore* health);

  // Checks every check_interval on a thread of its own, marking sites of
  // `health` (not owned; must stay valid until Stop returns). Does nothing
  // without a path.
  void Start(SiteHealthStore* health);
  // Stops the thread, waiting for a check in progress; idempotent.
  void Stop();

 private:
  // What stat() said of the path; `error` set when it failed.
  struct FileIdentity {
    int error = 0;
    uint64_t device = 0, inode = 0, size = 0;
    int64_t mtime_ns = 0;
    bool operator==(const FileIdentity& o) const;
  };
  static FileIdentity Identify(const std::string& path);

  AwsRangesWatcher(AwsRangesWatcherOptions options, const Clock* clock,
                   AwsRangesSnapshot ranges, FileIdentity seen);
  // Loads the file: true when it is now in use.
  bool Reload() ABSL_EXCLUSIVE_LOCKS_REQUIRED(check_mu_);
  void MarkSites(SiteHealthStore* health)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(check_mu_);
  void Loop(SiteHealthStore* health);

  const AwsRangesWatcherOptions options_;
  const Clock* const clock_;
  mutable absl::Mutex mu_;
  AwsRangesSnapshot ranges_ ABSL_GUARDED_BY(mu_);
  // Serialises checks (the thread's and callers'); never held with mu_
  // taken first.
  absl::Mutex check_mu_;
  FileIdentity seen_ ABSL_GUARDED_BY(check_mu_);
  // Sites still to be marked after a reload.
  bool mark_pending_ ABSL_GUARDED_BY(check_mu_) = false;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_ANALYSIS_AWS_RANGES_WATCHER_H_
