#include "ingest/agent/runner.h"

#include <unistd.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/tls/tls.h"
#include "ingest/agent/agent_metrics.h"
#include "ingest/agent/agent_state.h"
#include "ingest/agent/delivery_driver.h"
#include "ingest/agent/reader_loop.h"
#include "ingest/config/agent_settings.h"
#include "ingest/config/config.h"
#include "ingest/enroll/enroll.h"
#include "ingest/journal/journal.h"
#include "ingest/journal/journal_follower.h"
#include "ingest/netwatch/network_watcher.h"
#include "ingest/parse/log_parser.h"
#include "ingest/probe/prober.h"
#include "ingest/spool/spool.h"
#include "ingest/state/agent_status.h"
#include "ingest/state/state_dir.h"
#include "ingest/tail/log_watcher.h"

namespace natscope::ingest {
namespace {

// A source of uniform numbers in [0, 1) for one thread (absl::BitGen is
// not thread-safe: each unit gets its own).
std::function<double()> Uniform() {
  auto gen = std::make_shared<absl::BitGen>();
  return [gen] { return absl::Uniform(*gen, 0.0, 1.0); };
}

// One run of the agent: its files (state directory, spool, followed logs)
// and its threads, wired to the caller's parts.
class Agent {
 public:
  Agent(const RunnerOptions& options, const AgentParts& parts)
      : options_(options),
        config_(options.config),
        parts_(parts),
        clock_(*parts.clock),
        state_(clock_) {}

  absl::Status Run(const std::atomic<bool>* stop);

 private:
  // The state directory, the spool, the parser and the reader.
  absl::Status Setup();
  // A follower per journal source, resuming at the spool's `positions`.
  std::vector<std::unique_ptr<JournalFollower>> Journals(
      const std::map<std::string, uint64_t>& positions) const;
  EnrollmentRetryOptions EnrollmentOptions() const;
  DeliveryDriverOptions DeliveryOptions() const;
  StatusWriterOptions StatusOptions(absl::Time started) const;

  const RunnerOptions& options_;
  const v1::AgentConfig& config_;
  const AgentParts& parts_;
  const Clock& clock_;
  AgentState state_;
  v1::AgentIdentity identity_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<LogParser> parser_;
  std::unique_ptr<ReaderLoop> reader_;
};

absl::Status Agent::Setup() {
  identity_ = AgentIdentityOf(config_, LocalHostname(), options_.version);
  RETURN_IF_ERROR(MakeStateDir(config_.state_dir()));
  RecoveryReport report;
  SpoolOptions spool_options;
  spool_options.max_bytes = config_.spool_cap_bytes();
  spool_options.fs = parts_.spool_fs;
  ASSIGN_OR_RETURN(spool_, Spool::Open(config_.state_dir() + "/spool",
                                       spool_options, &report));
  LogEvent(LogLevel::kInfo,
           absl::StrCat("spool ", spool_->dir(), ": ", report.ToString()));
  state_.SetBacklogAtStart(spool_->counters().pending_records);
  std::vector<RuleSpec> rules = BuiltinRules();
  for (RuleSpec& r : OperatorRules(config_)) rules.push_back(std::move(r));
  ASSIGN_OR_RETURN(parser_, LogParser::Create(std::move(rules)));
  const std::map<std::string, uint64_t> positions = spool_->ResumePositions();
  WatchOptions watch;
  for (const v1::LogSource& source : config_.logs()) {
    if (source.has_journal()) continue;
    watch.paths.push_back(source.path());
    if (!source.from_start()) watch.start_at_end = true;
  }
  watch.max_line_bytes = config_.max_line_bytes();
  std::vector<std::pair<FileKey, uint64_t>> resume;
  for (const auto& [key, offset] : positions) {
    if (auto parsed = FileKey::FromString(key))
      resume.emplace_back(*parsed, offset);
  }
  reader_ = std::make_unique<ReaderLoop>(
      std::make_unique<LogWatcher>(std::move(watch), std::move(resume)),
      parser_.get(), spool_.get(), clock_, &state_, Journals(positions));
  return absl::OkStatus();
}

std::vector<std::unique_ptr<JournalFollower>> Agent::Journals(
    const std::map<std::string, uint64_t>& positions) const {
  std::vector<std::unique_ptr<JournalFollower>> journals;
  JournalFollower::Opener open = parts_.open_journal;
  if (!open) open = OpenSystemJournal;
  for (const v1::LogSource& source : config_.logs()) {
    if (!source.has_journal()) continue;
    JournalOptions options;
    options.match.unit = source.journal().unit();
    options.match.syslog_identifier = source.journal().syslog_identifier();
    options.match.directory = source.journal().directory();
    options.from_start = source.from_start();
    options.max_line_bytes = config_.max_line_bytes();
    journals.push_back(
        std::make_unique<JournalFollower>(options, open, positions));
  }
  return journals;
}

EnrollmentRetryOptions Agent::EnrollmentOptions() const {
  EnrollmentRetryOptions enrollment;
  enrollment.token = options_.enrollment_token;
  enrollment.token_file = config_.enrollment_token_file();
  return enrollment;
}

DeliveryDriverOptions Agent::DeliveryOptions() const {
  DeliveryDriverOptions delivery;
  delivery.state_dir = config_.state_dir();
  delivery.server = config_.server();
  delivery.identity = identity_;
  delivery.delivery.max_batch_records =
      static_cast<int>(config_.batch().max_records());
  delivery.delivery.max_batch_bytes = config_.batch().max_bytes();
  delivery.idle = ConfigDuration(config_.poll_interval());
  delivery.checkin_interval = ConfigDuration(config_.checkin_interval());
  return delivery;
}

StatusWriterOptions Agent::StatusOptions(absl::Time started) const {
  StatusWriterOptions status;
  status.interval = ConfigDuration(config_.status_interval());
  status.started = started;
  status.pid = getpid();
  status.version = options_.version;
  status.server = config_.server();
  status.identity = identity_;
  status.identity_source = options_.identity_source;
  return status;
}

absl::Status Agent::Run(const std::atomic<bool>* stop) {
  const absl::Time started = clock_.Now();
  RETURN_IF_ERROR(Setup());
  EnrollmentRetry enrollment(EnrollmentOptions(), parts_.enroll, Uniform(),
                             clock_, &state_);
  std::optional<ProbeLoop> probes;
  if (parts_.probe && !config_.probe().stun_servers().empty()) {
    ProbeLoopOptions probe_options;
    probe_options.schedule.interval =
        ConfigDuration(config_.probe().interval());
    probe_options.schedule.request_gap =
        ConfigDuration(config_.probe().request_gap());
    probes.emplace(probe_options, parts_.probe, parts_.network, spool_.get(),
                   Uniform(), clock_, &state_);
  }
  DeliveryDriverOptions delivery_options = DeliveryOptions();
  // The server's requests to probe now, heard by the delivery thread.
  if (probes) {
    delivery_options.request_probe = [&probes] { probes->RequestProbe(); };
  }
  DeliveryDriver delivery(std::move(delivery_options), spool_.get(),
                          parts_.transport, parts_.set_credential, &enrollment,
                          Uniform(), clock_, &state_);
  StatusSink sink = parts_.write_status;
  if (!sink) {
    sink = [this](const v1::AgentStatus& s) {
      return WriteStatus(config_.state_dir(), s);
    };
  }
  StatusWriter status(
      StatusOptions(started), sink,
      [this] { return state_.Counters(spool_->counters()); },
      [this] { return reader_->FilePositions(); }, clock_, &state_);
  // Read at scrape time (--metrics_listen); unregistered before the spool
  // and the state go.
  const AgentMetrics metrics(&state_, spool_.get());

  // The reader runs on this thread and watches `stop`; the others sleep on
  // the state's halt flag, which a fatal error or the end of reading sets.
  std::thread delivery_thread([&] { delivery.Run(state_.halt_flag()); });
  std::thread probe_thread([&] {
    if (probes) probes->Run(state_.halt_flag());
  });
  reader_->Run(ConfigDuration(config_.poll_interval()), stop,
               [&status] { status.MaybeWrite(); });
  state_.Halt();
  probe_thread.join();
  delivery_thread.join();
  (void)spool_->Sync();
  status.Write();
  return state_.fatal_status();
}

}  // namespace

absl::Status RunAgent(const RunnerOptions& options, const AgentParts& parts,
                      const std::atomic<bool>* stop) {
  if (parts.clock == nullptr || parts.transport == nullptr ||
      !parts.set_credential || !parts.enroll) {
    return absl::InvalidArgumentError(
        "RunAgent: clock, transport, set_credential and enroll are required");
  }
  Agent agent(options, parts);
  return agent.Run(stop);
}

absl::Status RunAgent(const RunnerOptions& options,
                      const std::atomic<bool>* stop) {
  const v1::AgentConfig& config = options.config;
  // The state directory first: its errors came first before the split.
  RETURN_IF_ERROR(MakeStateDir(config.state_dir()));
  const tls::ClientTlsOptions tls = ClientTlsOf(config);
  auto channel = tls::NewClientChannel(config.server(), tls);
  auto credentials = tls::MakeChannelCredentials(tls);
  if (!channel.ok()) return channel.status();
  if (!credentials.ok()) return credentials.status();
  UploaderOptions upload;
  upload.deadline = ConfigDuration(config.rpc_deadline());
  Uploader uploader(config.server(), *credentials, upload);
  const Clock& clock = RealClock::Get();

  AgentParts parts;
  parts.clock = &clock;
  parts.transport = &uploader;
  parts.set_credential = [&uploader](const std::string& secret) {
    uploader.set_credential(secret);
  };
  EnrollOptions enroll;
  enroll.server = config.server();
  enroll.channel = *channel;
  enroll.identity = AgentIdentityOf(config, LocalHostname(), options.version);
  enroll.state_dir = config.state_dir();
  enroll.deadline = ConfigDuration(config.rpc_deadline());
  parts.enroll = [enroll, &clock](const std::string& token) {
    EnrollOptions attempt = enroll;
    attempt.token = token;
    return RunEnroll(attempt, clock.Now());
  };
  std::unique_ptr<NetworkWatcher> network;
  if (!config.probe().stun_servers().empty()) {
    ProbeOptions probe;
    ApplyProbeConfig(config.probe(), &probe);
    probe.aws_ranges = options.aws_ranges;
    if (options.no_gateways) probe.gateways = false;
    parts.probe = [probe, &clock] { return Probe(probe, clock); };
    auto watcher = NetworkWatcher::Open();
    if (watcher.ok()) {
      network = std::move(watcher).value();
    } else {
      LogEvent(LogLevel::kInfo, watcher.status().message());
    }
    parts.network = network.get();
  }
  return RunAgent(options, parts, stop);
}

}  // namespace natscope::ingest
