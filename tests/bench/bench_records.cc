#include "tests/bench/bench_records.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/proto_time.h"
#include "common/json_string.h"

namespace natscope::bench {
namespace {

const absl::TimeZone& Utc() {
  static const absl::TimeZone* const utc =
      new absl::TimeZone(absl::UTCTimeZone());
  return *utc;
}

// The prefix real hosts put in front of the product's own text.
std::string LinePrefix(bool connector, absl::Time time) {
  return connector ? absl::FormatTime(
                         "[%Y-%m-%dT%H:%M:%E6SZ][Connector]: ", time, Utc())
                   : absl::FormatTime("%Y-%m-%d %H:%M:%E3S ", time, Utc());
}

// `text` in COPY text format: backslash, tab, newline and CR escaped.
void AppendCopyField(const std::string& text, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      default:
        out->push_back(c);
    }
  }
}

std::string TimestampText(absl::Time time) {
  return absl::FormatTime("%E4Y-%m-%d %H:%M:%E6S+00", time, Utc());
}

}  // namespace

uint64_t Mix(uint64_t a, uint64_t b, uint64_t c) {
  uint64_t x = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull) ^
               (c * 0xC2B2AE3D27D4EB4Full);
  for (int i = 0; i < 2; ++i) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
  }
  return x;
}

v1::AgentIdentity AgentOf(const FleetShape& shape, int index) {
  v1::AgentIdentity agent;
  agent.set_agent_id(absl::StrFormat("%s-agent-%06d", shape.prefix, index));
  agent.set_site(
      absl::StrFormat("%s-site-%05d", shape.prefix, index % shape.sites));
  const bool connector = index % 10 == 0;
  agent.set_role(connector ? v1::ROLE_CONNECTOR : v1::ROLE_CLIENT);
  agent.set_hostname(absl::StrFormat("%s-%06d.corp.example.com",
                                     connector ? "gw" : "laptop", index));
  agent.set_version("0.1.0");
  return agent;
}

v1::LogEvent EventOf(const FleetShape& shape, int index, int batch, int record,
                     absl::Time base) {
  const uint64_t h = Mix(index, batch, record);
  const bool connector = index % 10 == 0;
  const absl::Time time =
      base + absl::Milliseconds(index % 1000) +
      absl::Milliseconds(10 * ((batch - 1) * int64_t{shape.records} + record));
  v1::LogEvent event;
  *event.mutable_time() = ToProtoTime(time);
  event.set_source_file(connector ? "/var/log/twingate-connector/connector.log"
                                  : "/var/log/twingate/twingate.log");
  auto& fields = *event.mutable_fields();
  std::string text;
  switch (h % 20) {
    case 0:
    case 1:
    case 2:
    case 3: {
      const char* nat =
          (h >> 8) % 5 == 0 ? "endpoint-dependent" : "endpoint-independent";
      event.set_severity(v1::LOG_SEVERITY_INFO);
      event.set_component("libsdwan");
      event.set_kind("stun_nat_type");
      fields["nat_type"] = nat;
      text = absl::StrCat("[INFO] [libsdwan] stun_nat_type: ", nat);
      break;
    }
    case 4:
    case 5:
    case 6: {
      const char* state = (h >> 8) % 7 == 0 ? "Offline User" : "Online";
      event.set_severity(v1::LOG_SEVERITY_INFO);
      event.set_component("libsdwan");
      event.set_kind("sdwan_state");
      fields["state"] = state;
      text = absl::StrCat("[INFO] [libsdwan] sdwan_state: ", state);
      break;
    }
    case 7:
    case 8: {
      const std::string relay =
          absl::StrFormat("203.0.113.%d:443", (h >> 8) % 250);
      event.set_severity(v1::LOG_SEVERITY_ERROR);
      event.set_component("libsdwan");
      event.set_kind("relay_unavailable");
      fields["relay"] = relay;
      text = absl::StrCat(
          "[ERROR] [libsdwan] listen::maintain_relay_connectivity: relay ",
          relay, " is not available, disconnect");
      break;
    }
    default: {
      const bool direct = (h >> 8) % 4 != 0;
      event.set_kind("analytics");
      fields["tunnel_path"] = direct ? "direct" : "relayed";
      fields["tunnel_proto"] = direct ? "udp" : "tcp";
      text = absl::StrFormat(
          "ANALYTICS {\"connection\": {\"cbct_freshness\": -%d,\"client_ip\": "
          "\"\",\"duration\": %d,\"id\": \"%016x-%d\",\"protocol\": \"tcp\","
          "\"resource_ip\": \"\",\"resource_port\": 443,\"rx\": %d,\"tx\": %d},"
          "\"connector\": {\"name\": \"gw-%d\"},\"tunnel_path\": \"%s\","
          "\"tunnel_proto\": \"%s\"}",
          (h >> 4) % 200, (h >> 12) % 4000000, h, record, (h >> 20) % 900000,
          (h >> 40) % 90000, index - index % 10, fields["tunnel_path"],
          fields["tunnel_proto"]);
    }
  }
  event.set_raw_line(LinePrefix(connector, time) + text);
  return event;
}

std::string CopyLine(const v1::AgentIdentity& agent, uint64_t epoch,
                     uint64_t sequence, const v1::LogEvent& event,
                     absl::Time received) {
  const absl::Time time = absl::FromUnixSeconds(event.time().seconds()) +
                          absl::Nanoseconds(event.time().nanos());
  // Keys sorted, as the server writes them (jsonb does not care).
  const std::map<std::string, std::string> sorted(event.fields().begin(),
                                                  event.fields().end());
  std::string fields = "{";
  for (const auto& [key, value] : sorted) {
    if (fields.size() > 1) fields.append(", ");
    AppendJsonString(key, &fields);
    fields.append(": ");
    AppendJsonString(value, &fields);
  }
  fields.push_back('}');

  std::string line;
  line.reserve(512);
  for (const std::string* text : {&agent.site(), &agent.agent_id()}) {
    AppendCopyField(*text, &line);
    line.push_back('\t');
  }
  absl::StrAppend(&line, epoch, "\t", sequence, "\t", TimestampText(time),
                  "\t");
  AppendCopyField(event.source_file(), &line);
  absl::StrAppend(&line, "\t", static_cast<int>(event.severity()), "\t");
  AppendCopyField(event.component(), &line);
  line.push_back('\t');
  AppendCopyField(event.kind(), &line);
  line.push_back('\t');
  AppendCopyField(fields, &line);
  line.push_back('\t');
  AppendCopyField(event.raw_line(), &line);
  absl::StrAppend(&line, "\t", TimestampText(received), "\n");
  return line;
}

}  // namespace natscope::bench
