#include "ingest/agent/runner.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <deque>
#include <map>
#include <iostream>
#include <thread>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/clock.h"
#include "common/tls/tls.h"
#include "google/protobuf/util/time_util.h"
#include "ingest/agent/probe_schedule.h"
#include "ingest/config/agent_settings.h"
#include "ingest/config/config.h"
#include "ingest/enroll/credential.h"
#include "ingest/enroll/enroll.h"
#include "ingest/netwatch/network_watcher.h"
#include "ingest/parse/log_parser.h"
#include "ingest/probe/prober.h"
#include "ingest/spool/spool.h"
#include "ingest/state/agent_status.h"
#include "ingest/tail/log_watcher.h"
#include "ingest/upload/backoff.h"
#include "ingest/upload/delivery.h"
#include "ingest/upload/uploader.h"

namespace natscope::ingest {
namespace {

using google::protobuf::util::TimeUtil;

absl::Status MakeStateDir(const std::string& dir);

// The agent's log lines go through common/log, so --log_format=json
// covers them too.
void Log(const std::string& message) { LogEvent(LogLevel::kInfo, message); }

void SleepUnlessStopped(absl::Duration d, const std::atomic<bool>* stop) {
  const absl::Time until = absl::Now() + d;
  while (!stop->load() && absl::Now() < until) {
    absl::SleepFor(std::min(absl::Milliseconds(50), until - absl::Now()));
  }
}

google::protobuf::Timestamp Stamp(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

class Runner {
 public:
  Runner(const RunnerOptions& options, const std::atomic<bool>* stop)
      : options_(options), config_(options.config), stop_(stop) {}

  absl::Status Run();

 private:
  absl::Status Setup();
  absl::Status Credential();
  absl::StatusOr<v1::AgentCredential> Enroll();
  bool Stopping() const;
  // Ends the run with `status` (e.g. enrollment refused).
  void Fatal(absl::Status status);
  void ReadOnce();
  absl::Status SpoolLine(const TailedLine& line);
  void ProbeThread();
  void DeliveryThread();
  v1::AgentCounters Counters() const;
  void WriteStatusFile(absl::Time started);
  void SetError(const std::string& message);

  const RunnerOptions& options_;
  const v1::AgentConfig& config_;
  const std::atomic<bool>* stop_;
  v1::AgentIdentity identity_;
  std::shared_ptr<grpc::Channel> enroll_channel_;
  std::unique_ptr<Uploader> uploader_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<LogParser> parser_;
  // Owned by the reading (main) thread alone: LogWatcher is not
  // thread-safe. What other threads need of it is published below.
  std::unique_ptr<LogWatcher> watcher_;
  std::deque<TailedLine> pending_;  // Read but not yet spooled (spool full).
  // The last problem reported per configured path ("" once it recovered).
  std::map<std::string, std::string> path_errors_;
  bool paused_ = false;
  std::string agent_id_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> fatal_{false};
  absl::Status fatal_status_ ABSL_GUARDED_BY(mu_);

  std::atomic<uint64_t> lines_read_{0}, lines_truncated_{0}, records_spooled_{0},
      probes_{0}, pauses_{0};
  mutable absl::Mutex mu_;
  DeliveryCounters delivery_ ABSL_GUARDED_BY(mu_);
  v1::BatchAck last_ack_ ABSL_GUARDED_BY(mu_);
  v1::AgentError last_error_ ABSL_GUARDED_BY(mu_);
};

void Runner::SetError(const std::string& message) {
  LogEvent(LogLevel::kWarning, message);
  absl::MutexLock lock(&mu_);
  last_error_.set_message(message);
  *last_error_.mutable_time() = Stamp(absl::Now());
}

absl::StatusOr<v1::AgentCredential> Runner::Enroll() {
  EnrollOptions enroll;
  enroll.server = config_.server();
  enroll.channel = enroll_channel_;
  enroll.identity = identity_;
  enroll.state_dir = config_.state_dir();
  enroll.deadline = ConfigDuration(config_.rpc_deadline());
  absl::BitGen gen;
  auto uniform = [&gen] { return absl::Uniform(gen, 0.0, 1.0); };
  Backoff backoff(BackoffOptions{}, uniform);
  // A refusal (agent id taken, token expired or used up) waits for an
  // admin: try again rarely rather than in a tight loop, re-reading the
  // token file each time in case it was replaced.
  BackoffOptions rarely;
  rarely.initial = absl::Minutes(1);
  rarely.max = absl::Hours(1);
  Backoff refused(rarely, uniform);
  while (!Stopping()) {
    enroll.token = options_.enrollment_token;
    if (enroll.token.empty() && !config_.enrollment_token_file().empty()) {
      auto token = ReadTokenFile(config_.enrollment_token_file());
      if (!token.ok()) return token.status();
      enroll.token = *token;
    }
    auto credential = RunEnroll(enroll, absl::Now());
    if (credential.ok()) return credential;
    const absl::Status& status = credential.status();
    if (absl::IsAlreadyExists(status) || absl::IsPermissionDenied(status)) {
      const absl::Duration wait = refused.Next();
      SetError(absl::StrCat(status.message(), "; trying again in ",
                            absl::FormatDuration(absl::Trunc(wait, absl::Seconds(1)))));
      SleepUnlessStopped(wait, stop_);
      continue;
    }
    if (!IsRetryable(status)) return credential;
    SetError(absl::StrCat(status.message(), "; retrying"));
    SleepUnlessStopped(backoff.Next(), stop_);
  }
  return absl::CancelledError("stopped before enrolling");
}

// mkdir -p `dir`, the last component private (it holds the credential).
absl::Status MakeStateDir(const std::string& dir) {
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    const std::string prefix = dir.substr(0, slash);
    const bool last = slash == std::string::npos;
    if (mkdir(prefix.c_str(), last ? 0700 : 0755) != 0 && errno != EEXIST) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot create state directory ", dir, " (", strerror(errno),
          "): choose another with state_dir / --state_dir or fix its permissions"));
    }
    if (last) return absl::OkStatus();
  }
}

absl::Status Runner::Setup() {
  identity_ = AgentIdentityOf(config_, LocalHostname(), options_.version);
  absl::Status state_dir = MakeStateDir(config_.state_dir());
  if (!state_dir.ok()) return state_dir;
  RecoveryReport report;
  SpoolOptions spool_options;
  spool_options.max_bytes = config_.spool_cap_bytes();
  auto spool = Spool::Open(config_.state_dir() + "/spool", spool_options, &report);
  if (!spool.ok()) return spool.status();
  spool_ = std::move(spool).value();
  Log(absl::StrCat("spool ", spool_->dir(), ": ", report.ToString()));
  std::vector<RuleSpec> rules = BuiltinRules();
  for (RuleSpec& r : OperatorRules(config_)) rules.push_back(std::move(r));
  auto parser = LogParser::Create(std::move(rules));
  if (!parser.ok()) return parser.status();
  parser_ = std::move(parser).value();
  WatchOptions watch;
  for (const v1::LogSource& source : config_.logs()) {
    watch.paths.push_back(source.path());
    if (!source.from_start()) watch.start_at_end = true;
  }
  watch.max_line_bytes = config_.max_line_bytes();
  std::vector<std::pair<FileKey, uint64_t>> resume;
  for (const auto& [key, offset] : spool_->ResumePositions()) {
    if (auto parsed = FileKey::FromString(key)) resume.emplace_back(*parsed, offset);
  }
  watcher_ = std::make_unique<LogWatcher>(std::move(watch), std::move(resume));
  const tls::ClientTlsOptions tls = ClientTlsOf(config_);
  auto channel = tls::NewClientChannel(config_.server(), tls);
  auto credentials = tls::MakeChannelCredentials(tls);
  if (!channel.ok()) return channel.status();
  if (!credentials.ok()) return credentials.status();
  enroll_channel_ = *channel;
  UploaderOptions upload;
  upload.deadline = ConfigDuration(config_.rpc_deadline());
  uploader_ = std::make_unique<Uploader>(config_.server(), *credentials, upload);
  return absl::OkStatus();
}

// The stored credential, or a new one from enrollment (retried while the
// server is unreachable). Reading and spooling go on meanwhile.
absl::Status Runner::Credential() {
  auto credential = LoadCredentialFile(config_.state_dir());
  if (absl::IsNotFound(credential.status())) credential = Enroll();
  if (!credential.ok()) return credential.status();
  uploader_->set_credential(credential->secret());
  absl::MutexLock lock(&mu_);
  agent_id_ = credential->agent_id();
  Log(absl::StrCat("agent ", agent_id_, " of site ", identity_.site(), " shipping to ",
                   config_.server()));
  return absl::OkStatus();
}

bool Runner::Stopping() const { return stop_->load() || fatal_.load(); }

void Runner::Fatal(absl::Status status) {
  absl::MutexLock lock(&mu_);
  fatal_status_ = std::move(status);
  fatal_.store(true);
}

// Spools one line's record (if the line is relevant) with the position
// after it. ResourceExhausted when the spool or its disk is full: the line
// stays pending. Other errors are reported and the line skipped.
absl::Status Runner::SpoolLine(const TailedLine& line) {
  const Position after{line.key.ToString(), line.line.end_offset};
  auto event = parser_->Parse(line.line.text, line.path, absl::Now());
  absl::Status status;
  if (event) {
    v1::Record record;
    *record.mutable_log() = std::move(*event);
    status = spool_->Append(record, after);
    if (status.ok()) ++records_spooled_;
  } else {
    status = spool_->MarkPosition(after);
  }
  if (absl::IsResourceExhausted(status)) return status;
  if (!status.ok()) SetError(std::string(status.message()));
  return absl::OkStatus();
}

void Runner::ReadOnce() {
  if (pending_.empty()) {
    std::vector<TailedLine> lines;
    std::vector<PathStatus> changes;
    watcher_->Poll(absl::Now(), 1 << 20, &lines, &changes);
    lines_truncated_.store(watcher_->truncated_lines());
    for (const PathStatus& change : changes) {
      path_errors_[change.path] = std::string(change.status.message());
      if (change.status.ok()) {
        Log(absl::StrCat(change.path, ": reading again"));
      } else {
        SetError(std::string(change.status.message()));
      }
    }
    lines_read_ += lines.size();
    for (TailedLine& line : lines) pending_.push_back(std::move(line));
  }
  while (!pending_.empty()) {
    absl::Status spooled = SpoolLine(pending_.front());
    if (!spooled.ok()) {
      if (!paused_) {
        ++pauses_;
        SetError(absl::StrCat("reading paused, nothing lost: ", spooled.message(),
                              " (it resumes as the server takes batches)"));
      }
      paused_ = true;
      return;
    }
    if (paused_) Log("reading resumed");
    paused_ = false;
    pending_.pop_front();
  }
}

void Runner::ProbeThread() {
  if (config_.probe().stun_servers().empty()) return;
  ProbeOptions probe;
  ApplyProbeConfig(config_.probe(), &probe);
  probe.aws_ranges = options_.aws_ranges;
  if (options_.no_gateways) probe.gateways = false;
  ProbeScheduleOptions schedule_options;
  schedule_options.interval = ConfigDuration(config_.probe().interval());
  ProbeSchedule schedule(schedule_options, absl::Now());
  auto network = NetworkWatcher::Open();
  if (!network.ok()) Log(std::string(network.status().message()));
  absl::BitGen gen;
  while (!Stopping()) {
    if (network.ok() && (*network)->Changed(absl::ZeroDuration())) {
      schedule.NetworkChanged(absl::Now());
    }
    if (!schedule.Due(absl::Now())) {
      if (network.ok()) {
        if ((*network)->Changed(absl::Milliseconds(200))) schedule.NetworkChanged(absl::Now());
      } else {
        SleepUnlessStopped(absl::Milliseconds(200), stop_);
      }
      continue;
    }
    schedule.Probed(absl::Now(), absl::Uniform(gen, 0.0, 1.0));
    auto report = Probe(probe, RealClock::Get());
    ++probes_;
    if (!report.ok()) {
      SetError(absl::StrCat("probe failed: ", report.status().message()));
      continue;
    }
    v1::Record record;
    *record.mutable_probe() = std::move(report).value();
    while (!Stopping()) {
      absl::Status status = spool_->Append(record, std::nullopt);
      if (status.ok()) {
        ++records_spooled_;
        break;
      }
      if (!absl::IsResourceExhausted(status)) {
        SetError(absl::StrCat("probe report not spooled: ", status.message()));
        break;
      }
      SleepUnlessStopped(absl::Seconds(1), stop_);
    }
  }
}

void Runner::DeliveryThread() {
  absl::Status enrolled = Credential();
  if (!enrolled.ok()) {
    if (!absl::IsCancelled(enrolled)) Fatal(enrolled);
    return;
  }
  DeliveryOptions delivery_options;
  delivery_options.max_batch_records = static_cast<int>(config_.batch().max_records());
  delivery_options.max_batch_bytes = config_.batch().max_bytes();
  absl::BitGen gen;
  DeliveryLoop loop(spool_.get(), uploader_.get(), identity_, delivery_options,
                    [&gen] { return absl::Uniform(gen, 0.0, 1.0); });
  const absl::Duration idle = ConfigDuration(config_.poll_interval());
  while (!Stopping()) {
    auto result = loop.Step(Counters());
    {
      absl::MutexLock lock(&mu_);
      delivery_ = loop.counters();
    }
    if (!result.ok()) {
      if (absl::IsUnauthenticated(result.status())) {
        SetError("credential rejected: enrolling again");
        auto credential = Enroll();
        if (credential.ok()) {
          uploader_->set_credential(credential->secret());
          continue;
        }
        if (!IsRetryable(credential.status()) && !absl::IsCancelled(credential.status())) {
          Fatal(credential.status());
          return;
        }
      }
      SetError(absl::StrCat("delivery: ", result.status().message()));
      SleepUnlessStopped(absl::Seconds(5), stop_);
      continue;
    }
    switch (result->outcome) {
      case DeliveryLoop::Outcome::kDelivered: {
        absl::MutexLock lock(&mu_);
        last_ack_.set_epoch(spool_->epoch());
        last_ack_.set_sequence(result->sequence);
        last_ack_.set_records(result->records);
        *last_ack_.mutable_time() = Stamp(absl::Now());
        break;
      }
      case DeliveryLoop::Outcome::kIdle:
        SleepUnlessStopped(idle, stop_);
        break;
      case DeliveryLoop::Outcome::kRetryLater:
        SetError(absl::StrCat(result->error.message(), "; retrying in ",
                              absl::FormatDuration(absl::Trunc(result->wait, absl::Milliseconds(1)))));
        SleepUnlessStopped(result->wait, stop_);
        break;
      case DeliveryLoop::Outcome::kNewEpoch:
        SetError(absl::StrCat(
            "batch ", result->sequence, " conflicts with other records the "
            "server holds under this agent's (epoch, sequence): this host's "
            "state directory looks cloned or restored (give each host its "
            "own); sending the records again under a new epoch, ",
            spool_->epoch()));
        break;
      case DeliveryLoop::Outcome::kDeadLettered:
        SetError(absl::StrCat("batch ", result->sequence,
                              " rejected by the server, kept in the dead-letter file: ",
                              result->error.message()));
        break;
    }
  }
}

v1::AgentCounters Runner::Counters() const {
  v1::AgentCounters c;
  c.set_lines_read(lines_read_.load());
  c.set_lines_truncated(lines_truncated_.load());
  c.set_records_spooled(records_spooled_.load());
  c.set_probes(probes_.load());
  c.set_backpressure_pauses(pauses_.load());
  const SpoolCounters spool = spool_->counters();
  c.set_spool_bytes(spool.bytes);
  c.set_spool_capacity_bytes(spool.capacity_bytes);
  c.set_records_dropped(spool.records_dropped);
  absl::MutexLock lock(&mu_);
  c.set_records_shipped(delivery_.records_shipped);
  c.set_retries(delivery_.retries);
  c.set_dead_letters(delivery_.dead_letters);
  c.set_batch_conflicts(delivery_.batch_conflicts);
  return c;
}

void Runner::WriteStatusFile(absl::Time started) {
  v1::AgentStatus status;
  *status.mutable_written_at() = Stamp(absl::Now());
  status.set_interval_seconds(absl::ToDoubleSeconds(ConfigDuration(config_.status_interval())));
  *status.mutable_started_at() = Stamp(started);
  status.set_pid(getpid());
  status.set_version(options_.version);
  status.set_server(config_.server());
  *status.mutable_identity() = identity_;
  *status.mutable_counters() = Counters();
  {
    absl::MutexLock lock(&mu_);
    status.set_enrolled_agent_id(agent_id_);
    *status.mutable_last_ack() = last_ack_;
    *status.mutable_last_error() = last_error_;
  }
  for (const LogWatcher::WatchedFile& file : watcher_->Files()) {
    v1::FilePosition* position = status.add_files();
    position->set_path(file.path);
    position->set_device(file.key.device);
    position->set_inode(file.key.inode);
    position->set_read_offset(file.read_offset);
    struct stat st;
    if (stat(file.path.c_str(), &st) == 0) position->set_size(st.st_size);
  }
  for (const auto& [path, error] : path_errors_) {
    if (error.empty()) continue;
    v1::FilePosition* position = status.add_files();
    position->set_path(path);
    position->set_error(error);
  }
  absl::Status written = WriteStatus(config_.state_dir(), status);
  static bool reported = false;
  if (!written.ok() && !reported) {
    reported = true;
    Log(absl::StrCat("cannot write status: ", written.message()));
  }
}

absl::Status Runner::Run() {
  const absl::Time started = absl::Now();
  absl::Status ready = Setup();
  if (!ready.ok()) return ready;
  std::thread delivery([this] { DeliveryThread(); });
  std::thread probes([this] { ProbeThread(); });
  const absl::Duration poll = ConfigDuration(config_.poll_interval());
  const absl::Duration status_every = ConfigDuration(config_.status_interval());
  absl::Time next_status = absl::InfinitePast();
  while (!Stopping()) {
    ReadOnce();
    if (absl::Now() >= next_status) {
      WriteStatusFile(started);
      next_status = absl::Now() + status_every;
    }
    SleepUnlessStopped(poll, stop_);
  }
  probes.join();
  delivery.join();
  (void)spool_->Sync();
  WriteStatusFile(started);
  absl::MutexLock lock(&mu_);
  return fatal_status_;
}

}  // namespace

absl::Status RunAgent(const RunnerOptions& options, const std::atomic<bool>* stop) {
  Runner runner(options, stop);
  return runner.Run();
}

}  // namespace natscope::ingest
