#include "ingest/agent/runner.h"

#include <deque>
#include <iostream>
#include <optional>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "ingest/parse/log_parser.h"
#include "ingest/tail/file_tailer.h"
#include "ingest/upload/uploader.h"

namespace natscope::ingest {
namespace {

void Log(const std::string& message) {
  std::cerr << "natscope-agent: " << message << std::endl;
}

// Sleeps up to `duration`, waking early when `*stop` turns true.
void SleepUnlessStopped(absl::Duration duration, const std::atomic<bool>* stop) {
  const absl::Time until = absl::Now() + duration;
  while (!stop->load() && absl::Now() < until) {
    absl::SleepFor(std::min(absl::Milliseconds(50), until - absl::Now()));
  }
}

// Jittered exponential backoff: 0.5 s doubling up to 30 s, times [0.5, 1).
absl::Duration Backoff(int failures, absl::BitGen& gen) {
  absl::Duration base = absl::Milliseconds(500) * (1 << std::min(failures, 6));
  base = std::min(base, absl::Seconds(30));
  return base * absl::Uniform(gen, 0.5, 1.0);
}

class Runner {
 public:
  Runner(const RunnerOptions& options, const std::atomic<bool>* stop)
      : options_(options),
        stop_(stop),
        uploader_(options.server, options.rpc_deadline),
        epoch_(absl::Uniform<uint64_t>(gen_, 1, uint64_t{1} << 62)) {}

  absl::Status Run();

 private:
  absl::Status EnrollUntilDone();
  void ReadLog();
  void MaybeProbe();
  // Sends the batch in flight (building it first if needed). Returns a
  // non-retryable error only.
  absl::Status Ship();

  const RunnerOptions& options_;
  const std::atomic<bool>* stop_;
  absl::BitGen gen_;
  Uploader uploader_;
  std::unique_ptr<LogParser> parser_;
  std::unique_ptr<FileTailer> tailer_;
  std::deque<v1::Record> pending_;
  std::optional<v1::IngestRequest> in_flight_;
  uint64_t epoch_;
  uint64_t sequence_ = 1;
  absl::Time next_probe_ = absl::InfinitePast();
  absl::Time next_send_ = absl::InfinitePast();
  int failures_ = 0;
  absl::Status last_tail_status_;
};

absl::Status Runner::EnrollUntilDone() {
  int failures = 0;
  while (!stop_->load()) {
    absl::Status status =
        uploader_.Enroll(options_.identity, options_.enrollment_token);
    if (status.ok()) {
      Log(absl::StrCat("enrolled as ", options_.identity.agent_id(), " (site ",
                       options_.identity.site(), ") with ", options_.server));
      return absl::OkStatus();
    }
    if (!IsRetryable(status)) {
      return absl::Status(status.code(),
                          absl::StrCat("enrollment refused: ", status.message()));
    }
    Log(absl::StrCat(status.message(), "; retrying"));
    SleepUnlessStopped(Backoff(failures++, gen_), stop_);
  }
  return absl::CancelledError("stopped before enrolling");
}

void Runner::ReadLog() {
  if (!tailer_) return;
  std::vector<Line> lines;
  absl::Status status = tailer_->Poll(4 << 20, &lines);
  if (status.code() != last_tail_status_.code()) {
    if (!status.ok()) Log(std::string(status.message()));
    last_tail_status_ = status;
  }
  const absl::Time now = absl::Now();
  for (const Line& line : lines) {
    auto event = parser_->Parse(line.text, tailer_->path(), now);
    if (!event) continue;
    v1::Record record;
    *record.mutable_log() = std::move(*event);
    pending_.push_back(std::move(record));
  }
}

void Runner::MaybeProbe() {
  if (options_.probe.stun_servers.empty() || absl::Now() < next_probe_) return;
  next_probe_ = absl::Now() + options_.probe_interval;
  auto report = Probe(options_.probe, RealClock::Get());
  if (!report.ok()) {
    Log(absl::StrCat("probe failed: ", report.status().message()));
    return;
  }
  v1::Record record;
  *record.mutable_probe() = std::move(report).value();
  pending_.push_back(std::move(record));
}

absl::Status Runner::Ship() {
  if (!in_flight_ && !pending_.empty()) {
    in_flight_.emplace();
    *in_flight_->mutable_agent() = options_.identity;
    in_flight_->set_epoch(epoch_);
    in_flight_->set_sequence(sequence_);
    while (!pending_.empty() &&
           in_flight_->records_size() < options_.max_batch_records) {
      *in_flight_->add_records() = std::move(pending_.front());
      pending_.pop_front();
    }
  }
  if (!in_flight_ || absl::Now() < next_send_) return absl::OkStatus();
  auto response = uploader_.Ingest(*in_flight_);
  if (response.ok()) {
    Log(absl::StrCat("batch ", sequence_, ": ", in_flight_->records_size(),
                     " record(s) ", response->duplicate() ? "already stored" : "stored"));
    in_flight_.reset();
    ++sequence_;
    failures_ = 0;
    return absl::OkStatus();
  }
  if (absl::IsUnauthenticated(response.status())) {
    Log("credential rejected; enrolling again");
    return EnrollUntilDone();
  }
  if (!IsRetryable(response.status())) {
    Log(absl::StrCat("batch ", sequence_, " rejected, dropped: ",
                     response.status().message()));
    in_flight_.reset();
    ++sequence_;
    return absl::OkStatus();
  }
  const absl::Duration wait = Backoff(failures_++, gen_);
  Log(absl::StrCat(response.status().message(), "; retrying in ",
                   absl::FormatDuration(absl::Trunc(wait, absl::Milliseconds(1)))));
  next_send_ = absl::Now() + wait;
  return absl::OkStatus();
}

absl::Status Runner::Run() {
  auto parser = LogParser::Create(BuiltinRules());
  if (!parser.ok()) return parser.status();
  parser_ = std::move(parser).value();
  if (!options_.log_file.empty()) {
    tailer_ = std::make_unique<FileTailer>(options_.log_file, options_.from_start,
                                           64 * 1024);
  }
  absl::Status enrolled = EnrollUntilDone();
  if (!enrolled.ok()) return absl::IsCancelled(enrolled) ? absl::OkStatus() : enrolled;
  while (!stop_->load()) {
    ReadLog();
    MaybeProbe();
    absl::Status shipped = Ship();
    if (!shipped.ok()) return shipped;
    SleepUnlessStopped(options_.poll_interval, stop_);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunAgent(const RunnerOptions& options, const std::atomic<bool>* stop) {
  Runner runner(options, stop);
  return runner.Run();
}

}  // namespace natscope::ingest
