#include "ingest/state/agent_status.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "analyzer/verdict_names.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "ingest/state/atomic_file.h"

namespace natscope::ingest {
namespace {

using google::protobuf::util::TimeUtil;

std::string StatusPath(const std::string& state_dir) {
  return absl::StrCat(state_dir, "/", kStatusFileName);
}

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

// "4s", "3m", "2h5m": precise enough for a glance.
std::string Ago(absl::Time then, absl::Time now) {
  absl::Duration d = std::max(now - then, absl::ZeroDuration());
  if (d < absl::Minutes(1)) return absl::StrCat(absl::ToInt64Seconds(d), "s");
  return absl::FormatDuration(absl::Trunc(d, absl::Minutes(1)));
}

std::string Bytes(uint64_t n) {
  if (n < 1024) return absl::StrCat(n, " B");
  if (n < (uint64_t{1} << 20)) return absl::StrFormat("%.1f KiB", n / 1024.0);
  if (n < (uint64_t{1} << 30))
    return absl::StrFormat("%.1f MiB", n / 1048576.0);
  return absl::StrFormat("%.2f GiB", n / 1073741824.0);
}


void FormatCounters(const v1::AgentCounters& c, std::string* out) {
  const uint64_t cap = c.spool_capacity_bytes();
  absl::StrAppend(
      out, "  spool:       ", Bytes(c.spool_bytes()), " of ",
      cap ? Bytes(cap) : "?",
      cap ? absl::StrFormat(" (%.1f%%)", 100.0 * c.spool_bytes() / cap) : "",
      "\n");
  absl::StrAppend(out, "  lines:       ", c.lines_read(), " read, ",
                  c.lines_truncated(), " truncated\n");
  absl::StrAppend(out, "  records:     ", c.records_spooled(), " spooled, ",
                  c.records_shipped(), " shipped, ", c.records_dropped(),
                  " dropped\n");
  absl::StrAppend(out, "  uploads:     ", c.retries(), " retries, ",
                  c.dead_letters(), " dead letters, ", c.backpressure_pauses(),
                  " backpressure pauses\n");
  if (c.batch_conflicts() > 0) {
    absl::StrAppend(out, "  conflicts:   ", c.batch_conflicts(),
                    " batches the server held other records for (cloned or "
                    "restored state?), sent again under a new epoch\n");
  }
  absl::StrAppend(out, "  probes:      ", c.probes(), "\n");
}

void FormatFiles(const v1::AgentStatus& s, std::string* out) {
  if (s.files().empty()) {
    absl::StrAppend(out, "  files:       none followed\n");
    return;
  }
  absl::StrAppend(out, "  files:\n");
  for (const v1::FilePosition& f : s.files()) {
    absl::StrAppend(out, "    ", f.path(), ": ");
    if (!f.error().empty()) {
      absl::StrAppend(out, f.error());
    } else {
      absl::StrAppend(out, "read ", f.read_offset());
      if (f.size() > 0) absl::StrAppend(out, " of ", f.size());
      absl::StrAppend(out, " bytes");
      if (f.acked_offset() > 0) absl::StrAppend(out, ", acknowledged ", f.acked_offset());
    }
    absl::StrAppend(out, "\n");
  }
}

// `text` as a JSON string literal.
std::string JsonQuote(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += absl::StrFormat("\\u%04x", static_cast<int>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

absl::Status WriteStatus(const std::string& state_dir,
                         const v1::AgentStatus& status) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  auto printed =
      google::protobuf::util::MessageToJsonString(status, &json, options);
  if (!printed.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot encode status: ", printed.ToString()));
  }
  return WriteFileAtomically(StatusPath(state_dir), json, 0644);
}

absl::StatusOr<v1::AgentStatus> ReadStatus(const std::string& state_dir) {
  const std::string path = StatusPath(state_dir);
  auto json = ReadWholeFile(path);
  if (!json.ok()) return json.status();
  v1::AgentStatus status;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // written by a newer agent
  auto parsed =
      google::protobuf::util::JsonStringToMessage(*json, &status, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not a status file: ", parsed.ToString()));
  }
  return status;
}

bool IsStale(const v1::AgentStatus& status, absl::Time now) {
  const absl::Duration limit =
      std::max(absl::Seconds(3 * status.interval_seconds()), absl::Seconds(30));
  return now - ToTime(status.written_at()) > limit;
}

std::string FormatStatus(const v1::AgentStatus& s, absl::Time now) {
  std::string out;
  const absl::Time written = ToTime(s.written_at());
  if (IsStale(s, now)) {
    absl::StrAppend(
        &out,
        "natscope-agent is NOT RUNNING (or stuck): its status was last "
        "written ",
        Ago(written, now), " ago, expected every ",
        absl::StrFormat("%gs", s.interval_seconds()),
        ".\n  Check: systemctl status natscope-agent; journalctl -u "
        "natscope-agent\n  Last known state:\n");
  } else {
    absl::StrAppend(&out, "natscope-agent is running (pid ", s.pid(),
                    ", version ", s.version(), ", up ",
                    Ago(ToTime(s.started_at()), now), "; status written ",
                    Ago(written, now), " ago)\n");
  }
  const v1::AgentIdentity& id = s.identity();
  absl::StrAppend(&out, "  agent:       ", id.agent_id(), " (site ", id.site(),
                  ", ", analyzer::RoleName(id.role()), ")\n");
  if (!s.identity_source().empty()) {
    absl::StrAppend(&out, "  identity:    ", s.identity_source(), "\n");
  }
  absl::StrAppend(&out, "  server:      ", s.server(), "\n");
  absl::StrAppend(
      &out, "  enrolled:    ",
      s.enrolled_agent_id().empty()
          ? "no (run: natscope-agent enroll --config FILE --token=TOKEN)"
          : absl::StrCat("yes, as ", s.enrolled_agent_id()),
      "\n");
  if (s.has_last_ack()) {
    absl::StrAppend(&out, "  last ack:    batch ", s.last_ack().sequence(),
                    " of epoch ", s.last_ack().epoch(), " (",
                    s.last_ack().records(), " records), ",
                    Ago(ToTime(s.last_ack().time()), now), " ago\n");
  } else {
    absl::StrAppend(&out, "  last ack:    none yet\n");
  }
  if (s.has_last_error() && !s.last_error().message().empty()) {
    absl::StrAppend(&out, "  last error:  ", s.last_error().message(), " (",
                    Ago(ToTime(s.last_error().time()), now), " ago)\n");
  } else {
    absl::StrAppend(&out, "  last error:  none\n");
  }
  FormatCounters(s.counters(), &out);
  FormatFiles(s, &out);
  return out;
}

int RunStatusCommand(const std::string& state_dir, bool json, absl::Time now,
                     std::ostream& out) {
  const std::string path = StatusPath(state_dir);
  auto status = ReadStatus(state_dir);
  if (!status.ok()) {
    const bool missing = absl::IsNotFound(status.status());
    if (json) {
      out << "{\"state\": \"" << (missing ? "missing" : "unreadable")
          << "\", \"path\": " << JsonQuote(path) << "}\n";
    } else if (missing) {
      out << "natscope-agent has no status in " << path
          << ": the agent has not run with state_dir " << state_dir
          << " (start it: systemctl start natscope-agent), or --config names "
             "another state_dir.\n";
    } else {
      out << "cannot read the agent's status: " << status.status().message()
          << "\n";
    }
    return kStatusUnreadable;
  }
  const bool stale = IsStale(*status, now);
  if (!json) {
    out << FormatStatus(*status, now);
    return stale ? kStatusStale : kStatusRunning;
  }
  std::string body;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(*status, &body, options);
  const double age = absl::ToDoubleSeconds(now - ToTime(status->written_at()));
  out << "{\"state\": \"" << (stale ? "stale" : "running")
      << "\", \"age_seconds\": " << absl::StrFormat("%.1f", age)
      << ", \"path\": " << JsonQuote(path) << ", \"status\": " << body << "}\n";
  return stale ? kStatusStale : kStatusRunning;
}

}  // namespace natscope::ingest
