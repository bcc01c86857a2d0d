#include "server/intake/intake_server.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "absl/strings/cord.h"
#include "common/metrics/metrics.h"
#include "common/retry_after.h"
#include "server/intake/otlp/otlp_handler.h"

namespace natscope::server::intake {
namespace {

SyslogListenerOptions SyslogOptionsOf(const IntakeServerOptions& o) {
  SyslogListenerOptions syslog;
  syslog.listen = o.flags.syslog_listen;
  syslog.tls = o.tls;
  syslog.tls.plaintext = o.flags.syslog_plaintext;
  syslog.max_message_bytes =
      static_cast<size_t>(o.flags.syslog_max_message_bytes);
  syslog.max_connections = static_cast<int>(o.flags.syslog_max_connections);
  syslog.clock = &RealClock::Get();
  return syslog;
}

// An IntakeSink that lets at most `max` submissions through at once and
// answers the rest ResourceExhausted at once (OTLP: 429 with
// Retry-After), so that a lagging database sheds OTLP load instead of
// tying up every HTTP thread.
class BoundedSink final : public IntakeSink {
 public:
  BoundedSink(IntakeSink* inner, int max) : inner_(inner), max_(max) {}

  absl::StatusOr<SubmitResult> Submit(std::vector<IntakeMessage> messages,
                                      absl::Time received) override {
    if (in_flight_.fetch_add(1) >= max_) {
      in_flight_.fetch_sub(1);
      absl::Status busy = absl::ResourceExhaustedError(
          "natscope-server is storing as many OTLP requests as it can: retry");
      busy.SetPayload(kRetryAfterMetadataKey, absl::Cord("1000"));
      return busy;
    }
    absl::StatusOr<SubmitResult> result =
        inner_->Submit(std::move(messages), received);
    in_flight_.fetch_sub(1);
    return result;
  }

 private:
  IntakeSink* inner_;
  const int max_;
  std::atomic<int> in_flight_{0};
};

// The syslog listener's counters as natscope_syslog_* metrics.
std::vector<metrics::CallbackHandle> ExportSyslogMetrics(
    const SyslogListener* syslog) {
  struct Metric {
    const char* name;
    const char* help;
    int64_t SyslogCounters::*field;
    bool gauge;
  };
  static constexpr Metric kMetrics[] = {
      {"natscope_syslog_connections_total", "Syslog connections accepted.",
       &SyslogCounters::connections_total, false},
      {"natscope_syslog_connections_open", "Syslog connections open now.",
       &SyslogCounters::connections_open, true},
      {"natscope_syslog_connections_refused_total",
       "Syslog connections over --syslog_max_connections, closed at once.",
       &SyslogCounters::connections_refused, false},
      {"natscope_syslog_messages_total", "Syslog messages (frames) received.",
       &SyslogCounters::messages_total, false},
      {"natscope_syslog_messages_refused_total",
       "Syslog messages that did not parse or were refused.",
       &SyslogCounters::messages_refused, false},
      {"natscope_syslog_messages_truncated_total",
       "Syslog messages cut to --syslog_max_message_bytes.",
       &SyslogCounters::messages_truncated, false},
      {"natscope_syslog_received_bytes_total",
       "Bytes read from syslog connections (after TLS).",
       &SyslogCounters::bytes_total, false},
      {"natscope_syslog_submit_retries_total",
       "Batches whose commit was retried (the database lagged or was down): "
       "the connection was not read meanwhile.",
       &SyslogCounters::submit_retries_total, false},
  };
  std::vector<metrics::CallbackHandle> handles;
  for (const Metric& m : kMetrics) {
    auto value = [syslog, field = m.field] {
      return static_cast<double>(syslog->counters().*field);
    };
    handles.push_back(
        m.gauge ? metrics::DefaultRegistry().AddGauge(m.name, m.help, value)
                : metrics::DefaultRegistry().AddCounter(m.name, m.help, value));
  }
  return handles;
}

}  // namespace

absl::Status CheckIntakeServer(const IntakeServerOptions& options) {
  if (absl::Status flags = CheckIntakeFlags(options.flags, options.tls);
      !flags.ok()) {
    return flags;
  }
  absl::StatusOr<std::vector<ingest::RuleSpec>> rules = IntakeRules(options.flags);
  if (!rules.ok()) return rules.status();
  if (auto parser = ingest::LogParser::Create(*std::move(rules)); !parser.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--intake_rules: ", parser.status().message()));
  }
  if (options.flags.syslog_listen.empty()) return absl::OkStatus();
  return CheckSyslogListenerOptions(SyslogOptionsOf(options));
}

absl::StatusOr<std::unique_ptr<IntakeServer>> IntakeServer::Start(
    const IntakeServerOptions& options, TokenStore* tokens, FactStore* facts) {
  std::unique_ptr<IntakeServer> server(new IntakeServer());
  server->options_ = options;
  absl::StatusOr<std::vector<ingest::RuleSpec>> rules = IntakeRules(options.flags);
  if (!rules.ok()) return rules.status();
  auto parser = ingest::LogParser::Create(*std::move(rules));
  if (!parser.ok()) return parser.status();
  server->parser_ = *std::move(parser);
  IntakeCoreOptions core;
  core.time_window.past = options.retention;
  core.dedup_bucket = options.flags.intake_dedup_window;
  server->core_ = std::make_unique<IntakeCore>(tokens, facts,
                                               server->parser_.get(), core);
  server->otlp_sink_ = std::make_unique<BoundedSink>(
      server->core_.get(), std::max(1, options.max_concurrent_otlp));
  if (!options.flags.syslog_listen.empty()) {
    auto syslog = SyslogListener::Start(SyslogOptionsOf(options),
                                        server->core_.get());
    if (!syslog.ok()) return syslog.status();
    server->syslog_ = *std::move(syslog);
    server->syslog_metrics_ = ExportSyslogMetrics(server->syslog_.get());
  }
  return server;
}

IntakeServer::~IntakeServer() {
  Stop();
  syslog_metrics_.clear();  // Before the listener they read.
}

natscope::http::Handler IntakeServer::OtlpHandler() {
  if (!options_.flags.otlp) return nullptr;
  OtlpHandlerOptions otlp;
  otlp.max_inflated_bytes =
      static_cast<size_t>(options_.flags.intake_max_request_bytes);
  otlp.max_records = static_cast<size_t>(options_.flags.intake_max_records);
  IntakeSink* sink = otlp_sink_.get();
  static metrics::CounterFamily& requests = metrics::DefaultRegistry().Counter(
      "natscope_otlp_requests_total",
      "OTLP/HTTP log requests (POST /v1/logs) answered, by HTTP status.",
      {"code"});
  return [sink, otlp](const natscope::http::HttpRequest& request) {
    natscope::http::HttpResponse response = HandleOtlpLogs(request, sink, otlp);
    requests.With({std::to_string(response.status)}).Increment();
    return response;
  };
}

int IntakeServer::syslog_port() const { return syslog_ ? syslog_->port() : 0; }

std::string IntakeServer::Describe() const {
  std::string text =
      syslog_ ? absl::StrCat("syslog (", syslog_->tls() ? "TLS" : "plaintext",
                             ") on port ", syslog_->port())
              : "syslog off";
  if (options_.flags.otlp) absl::StrAppend(&text, ", OTLP logs at /v1/logs");
  return text;
}

void IntakeServer::Stop() {
  if (syslog_) syslog_->Stop();
}

}  // namespace natscope::server::intake
