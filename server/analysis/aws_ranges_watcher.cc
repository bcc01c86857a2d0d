#include "server/analysis/aws_ranges_watcher.h"

#include <sys/stat.h>

#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "analyzer/evidence/aws_ranges_source.h"
#include "common/log.h"
#include "common/metrics/metrics.h"

namespace natscope::server {
namespace {

metrics::CounterFamily& Reloads() {
  static metrics::CounterFamily& reloads = metrics::DefaultRegistry().Counter(
      "natscope_aws_ranges_reloads_total",
      "Changes of the --aws_ip_ranges file seen, by result: ok (now in use), "
      "error (not loaded; the ranges in use were kept).",
      {"result"});
  return reloads;
}

// Set at each load: what an alert on stale ranges compares with time().
void SetCreatedGauge(const analyzer::AwsRanges& ranges) {
  static metrics::Gauge& created =
      metrics::DefaultRegistry()
          .Gauge("natscope_aws_ranges_created_timestamp_seconds",
                 "createDate of the AWS ranges the server decides with, in "
                 "Unix seconds (0 when it is not in AWS's format).")
          .With({});
  const std::optional<absl::Time> time =
      analyzer::ParseAwsCreateDate(ranges.create_date());
  created.Set(time ? absl::ToDoubleSeconds(*time - absl::UnixEpoch()) : 0);
}

}  // namespace

bool AwsRangesWatcher::FileIdentity::operator==(const FileIdentity& o) const {
  return error == o.error && device == o.device && inode == o.inode &&
         size == o.size && mtime_ns == o.mtime_ns;
}

AwsRangesWatcher::FileIdentity AwsRangesWatcher::Identify(
    const std::string& path) {
  FileIdentity id;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    id.error = errno;
    return id;
  }
  id.device = static_cast<uint64_t>(st.st_dev);
  id.inode = static_cast<uint64_t>(st.st_ino);
  id.size = static_cast<uint64_t>(st.st_size);
  id.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  return id;
}

absl::StatusOr<std::unique_ptr<AwsRangesWatcher>> AwsRangesWatcher::Create(
    AwsRangesWatcherOptions options, const Clock* clock) {
  // Identified before it is read: a file replaced during the read is then
  // seen as new at the first check, never missed.
  FileIdentity seen;
  if (!options.path.empty()) seen = Identify(options.path);
  absl::StatusOr<analyzer::AwsRanges> ranges =
      analyzer::LoadAwsRanges(options.path);
  if (!ranges.ok()) return ranges.status();
  auto shared = std::make_shared<const analyzer::AwsRanges>(*std::move(ranges));
  return std::unique_ptr<AwsRangesWatcher>(
      new AwsRangesWatcher(std::move(options), clock, std::move(shared), seen));
}

AwsRangesWatcher::AwsRangesWatcher(AwsRangesWatcherOptions options,
                                   const Clock* clock, AwsRangesSnapshot ranges,
                                   FileIdentity seen)
    : options_(std::move(options)),
      clock_(clock),
      ranges_(std::move(ranges)),
      seen_(seen) {
  SetCreatedGauge(*ranges_);
  // Both series from the start, so that a rate() sees the first reload.
  Reloads().With({"ok"});
  Reloads().With({"error"});
}

AwsRangesWatcher::~AwsRangesWatcher() { Stop(); }

AwsRangesSnapshot AwsRangesWatcher::Current() const {
  absl::MutexLock lock(&mu_);
  return ranges_;
}

AwsRangesProvider AwsRangesWatcher::Provider() const {
  return [this] { return Current(); };
}

AwsRangesCheck AwsRangesWatcher::CheckNow(SiteHealthStore* health) {
  absl::MutexLock lock(&check_mu_);
  AwsRangesCheck result = AwsRangesCheck::kUnchanged;
  if (!options_.path.empty()) {
    const FileIdentity now = Identify(options_.path);
    if (!(now == seen_)) {
      // Tried once per version of the file: a broken download is logged
      // once, not at every check, and its fix is a new version.
      seen_ = now;
      result = Reload() ? AwsRangesCheck::kReloaded : AwsRangesCheck::kFailed;
    }
  }
  if (mark_pending_ && health != nullptr) MarkSites(health);
  return result;
}

bool AwsRangesWatcher::Reload() {
  absl::StatusOr<analyzer::AwsRanges> loaded =
      analyzer::LoadAwsRangesFile(options_.path);
  const AwsRangesSnapshot old = Current();
  if (!loaded.ok()) {
    Reloads().With({"error"}).Increment();
    LogEvent(LogLevel::kWarning,
             "cannot reload the AWS ranges file; keeping the ranges in use",
             {{"file", options_.path},
              {"error", std::string(loaded.status().message())},
              {"in_use", old->create_date()}});
    return false;
  }
  auto fresh = std::make_shared<const analyzer::AwsRanges>(*std::move(loaded));
  SetCreatedGauge(*fresh);
  LogEvent(LogLevel::kInfo, "reloaded the AWS ranges file",
           {{"file", options_.path},
            {"created", fresh->create_date()},
            {"prefixes", absl::StrCat(fresh->size())},
            {"previous", old->create_date()}});
  {
    absl::MutexLock lock(&mu_);
    ranges_ = std::move(fresh);
  }
  Reloads().With({"ok"}).Increment();
  mark_pending_ = true;
  return true;
}

void AwsRangesWatcher::MarkSites(SiteHealthStore* health) {
  // Every site: stored health says "AWS NAT gateway" (or not) by the old
  // ranges until re-analysed.
  absl::Status marked = health->MarkSitesDirty({}, clock_->Now());
  if (marked.ok()) {
    mark_pending_ = false;
    return;
  }
  LogEvent(LogLevel::kWarning,
           "cannot mark sites for re-analysis with the new AWS ranges; "
           "retrying at the next check",
           {{"error", std::string(marked.message())}});
}

void AwsRangesWatcher::Start(SiteHealthStore* health) {
  if (options_.path.empty() || thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, health] { Loop(health); });
}

void AwsRangesWatcher::Loop(SiteHealthStore* health) {
  while (
      clock_->SleepUntil(clock_->Now() + options_.check_interval, &stopping_)) {
    CheckNow(health);
  }
}

void AwsRangesWatcher::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

}  // namespace natscope::server
