#include "ingest/config/config.h"

#include <unistd.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "ingest/state/atomic_file.h"

namespace natscope::ingest {
namespace {

// Collects the parser's complaints as "line L column C: message" (1-based,
// as editors count).
class ErrorList : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    errors_.push_back(
        absl::StrCat("line ", line + 1, " column ", column + 1, ": ", message));
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {}
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::vector<std::string> errors_;
};

// Prefixes every line of `message` with "config NAME".
absl::Status Prefixed(const std::string& name, absl::string_view separator,
                      const absl::Status& status) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(status.message(), '\n')) {
    lines.push_back(absl::StrCat("config ", name, separator, line));
  }
  return absl::Status(status.code(), absl::StrJoin(lines, "\n"));
}

template <typename T>
void Default(T* field, T value) {
  if (*field == T{}) *field = value;
}

}  // namespace

absl::StatusOr<v1::AgentConfig> LoadConfig(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    return absl::Status(
        text.status().code(),
        absl::StrCat("config: ", text.status().message(),
                     " (give the agent's config with --config FILE)"));
  }
  return ParseConfig(*text, path, LocalHostname());
}

absl::StatusOr<v1::AgentConfig> ParseConfig(absl::string_view text,
                                            const std::string& name,
                                            const std::string& hostname,
                                            const HostKeyFn& host_key) {
  v1::AgentConfig config;
  ErrorList errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &config)) {
    std::string joined = absl::StrJoin(errors.errors(), "\n");
    if (joined.empty()) joined = "not a valid natscope.v1.AgentConfig";
    return Prefixed(name, " ", absl::InvalidArgumentError(joined));
  }
  ApplyDefaults(hostname, &config, host_key);
  absl::Status valid = ValidateConfig(config);
  if (!valid.ok()) return Prefixed(name, ": ", valid);
  return config;
}

void ApplyDefaults(const std::string& hostname, v1::AgentConfig* c,
                   const HostKeyFn& host_key) {
  Default<std::string>(c->mutable_state_dir(), "/var/lib/natscope-agent");
  if (c->identity().agent_id().empty()) {
    c->mutable_identity()->set_agent_id(
        DefaultAgentId(hostname, host_key(c->state_dir())));
  }
  v1::ProbeConfig* probe = c->mutable_probe();
  if (probe->ports().empty()) {
    for (uint32_t port : {3478, 443, 80, 53, 19302, 50000})
      probe->add_ports(port);
  }
  if (!probe->has_port_test()) probe->set_port_test(true);
  if (!probe->has_gateways()) probe->set_gateways(true);
  Default<std::string>(probe->mutable_interval(), "5m");
  Default<std::string>(probe->mutable_jitter(), "30s");
  Default<std::string>(probe->mutable_request_gap(), "1m");
  if (c->spool_cap_bytes() == 0) c->set_spool_cap_bytes(uint64_t{256} << 20);
  v1::BatchConfig* batch = c->mutable_batch();
  if (batch->max_records() == 0) batch->set_max_records(500);
  if (batch->max_bytes() == 0) batch->set_max_bytes(uint64_t{1} << 20);
  Default<std::string>(batch->mutable_max_delay(), "1s");
  Default<std::string>(c->mutable_status_interval(), "10s");
  Default<std::string>(c->mutable_poll_interval(), "250ms");
  Default<std::string>(c->mutable_rpc_deadline(), "10s");
  Default<std::string>(c->mutable_checkin_interval(), "5m");
  if (c->max_line_bytes() == 0) c->set_max_line_bytes(65536);
}

absl::Duration ConfigDuration(absl::string_view text) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d)) return absl::ZeroDuration();
  return d;
}

std::string LocalHostname() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0')
    return "agent";
  return name;
}

}  // namespace natscope::ingest
