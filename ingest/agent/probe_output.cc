#include "ingest/agent/probe_output.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "analyzer/evidence/aws_ranges.h"
#include "analyzer/confidence.h"
#include "analyzer/verdict_names.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace natscope::ingest {
namespace {

std::string SeverityName(v1::Severity severity) {
  switch (severity) {
    case v1::SEVERITY_CRITICAL:
      return "CRITICAL";
    case v1::SEVERITY_WARNING:
      return "WARNING";
    case v1::SEVERITY_INFO:
      return "INFO";
    default:
      return "NOTE";
  }
}

std::string Observation(const v1::StunObservation& o) {
  std::string line = absl::StrFormat("  %-13s %s from %s", o.test(), o.server(),
                                     o.local_address());
  if (!o.answered()) {
    return absl::StrCat(line, ": no answer after ", o.transmissions(),
                        " transmission(s)",
                        o.error().empty() ? "" : absl::StrCat(" (", o.error(), ")"));
  }
  if (!o.error().empty()) return absl::StrCat(line, ": ", o.error());
  absl::StrAppend(&line, " -> mapped ", o.mapped_address(),
                  absl::StrFormat(", rtt %.1f ms", o.rtt_micros() / 1000.0));
  if (!o.other_address().empty()) {
    absl::StrAppend(&line, ", other address ", o.other_address());
  }
  return line;
}

std::string PortSummary(const v1::ProbeReport& report) {
  std::vector<std::string> parts;
  for (const v1::PortCheck& c : report.port_checks()) {
    parts.push_back(absl::StrCat(c.port(), c.passed()         ? " open"
                                           : c.not_served()   ? " not served"
                                           : c.inconclusive() ? " silent (not served?)"
                                                              : " BLOCKED"));
  }
  return absl::StrJoin(parts, ", ");
}

// Which AWS ranges the AWS check used and how old they were at the probe:
// a prefix AWS added since is not recognised, so staleness is said.
std::string AwsRangesLine(const v1::ProbeReport& report) {
  constexpr int kStaleDays = 30;
  const bool built_in =
      report.aws_ranges_source() == analyzer::AwsRanges::kBuiltInSource;
  const std::optional<absl::Time> created =
      analyzer::ParseAwsCreateDate(report.aws_ranges_date());
  std::string line = absl::StrCat(
      built_in                             ? "built-in copy"
      : report.aws_ranges_source().empty() ? "a copy"
                                           : report.aws_ranges_source(),
      " of ",
      created ? absl::FormatTime("%Y-%m-%d", *created, absl::UTCTimeZone())
              : report.aws_ranges_date());
  const int64_t age_days =
      created ? (absl::FromUnixSeconds(report.time().seconds()) - *created) /
                    absl::Hours(24)
              : 0;
  if (age_days > kStaleDays) {
    absl::StrAppend(&line, ", ", age_days,
                    " days old: out of date, AWS may have added prefixes "
                    "since");
  }
  if (built_in) {
    absl::StrAppend(&line, " (refresh with --aws_ip_ranges=FILE)");
  } else if (age_days > kStaleDays) {
    absl::StrAppend(&line, " (download a new one from "
                           "https://ip-ranges.amazonaws.com/ip-ranges.json)");
  }
  return line;
}

// "; confident", "; likely", "; uncertain" or nothing.
std::string Sure(v1::Confidence confidence) {
  const std::string word = analyzer::ConfidenceWord(confidence);
  return word.empty() ? "" : absl::StrCat("; ", word);
}

std::string FirewalkWord(v1::FirewalkVerdict verdict) {
  switch (verdict) {
    case v1::FIREWALK_PASSED: return "passed";
    case v1::FIREWALK_NOT_LISTENING: return "open, not served";
    case v1::FIREWALK_DROPPED: return "DROPPED";
    case v1::FIREWALK_REJECTED: return "REJECTED";
    default: return "unknown";
  }
}

// "80 DROPPED, 203.0.113.21:3478 DROPPED": ports by number, destinations
// in full.
std::string FirewalkSummary(const v1::ProbeReport& report) {
  std::vector<std::string> parts;
  for (const v1::FirewalkCheck& c : report.firewalk()) {
    const std::string what =
        c.kind() == "port" ? c.destination().substr(c.destination().rfind(':') + 1)
                           : c.destination();
    parts.push_back(absl::StrCat(what, " ", FirewalkWord(c.verdict())));
  }
  return absl::StrJoin(parts, ", ");
}

std::string FirewalkEvidence(const v1::FirewalkCheck& c) {
  std::string line = absl::StrFormat("  %-13s %s ttl %d: %s", "firewalk",
                                     c.destination(), c.ttl(),
                                     FirewalkWord(c.verdict()));
  if (!c.responder().empty()) absl::StrAppend(&line, " (", c.responder(), " answered)");
  return absl::StrCat(line, "; ", c.transmissions(), " tries, sibling answered ",
                      c.sibling(), "\n");
}

// One evidence line for STUN over TCP.
std::string TcpStunEvidence(const v1::TcpStunObservation& o) {
  std::string line = absl::StrFormat(
      "  %-13s %s from %s", "stun-tcp", o.server(),
      o.local_address().empty() ? "-" : o.local_address());
  switch (o.outcome()) {
    case v1::TCP_STUN_ANSWERED:
      return absl::StrCat(line, " -> mapped ", o.mapped_address(),
                          absl::StrFormat(", rtt %.1f ms", o.rtt_micros() / 1000.0));
    case v1::TCP_STUN_REFUSED:
      return absl::StrCat(line, ": connection refused (the host is reachable over TCP)");
    case v1::TCP_STUN_BAD_ANSWER:
      return absl::StrCat(line, ": connected, but no valid answer (", o.error(), ")");
    case v1::TCP_STUN_UNREACHABLE:
      return absl::StrCat(line, ": nothing came back (", o.error(), ")");
    default:
      return absl::StrCat(line, ": not tried (", o.error(), ")");
  }
}

// The verdict line of STUN over TCP: what it says about the path.
std::string TcpStunVerdict(const v1::TcpStunObservation& o) {
  switch (o.outcome()) {
    case v1::TCP_STUN_ANSWERED:
      return "answered: the path to the server exists, only UDP is dropped";
    case v1::TCP_STUN_REFUSED:
    case v1::TCP_STUN_BAD_ANSWER:
      return "the host answered: the path to the server exists";
    case v1::TCP_STUN_UNREACHABLE:
      return "no answer either: nothing reaches the server";
    default:
      return "not tried";
  }
}

void AppendEvidence(const v1::ProbeReport& report, std::string* out) {
  absl::StrAppend(out, "\nEvidence\n");
  for (const v1::StunObservation& o : report.observations()) {
    absl::StrAppend(out, Observation(o), "\n");
  }
  for (const v1::PortCheck& c : report.port_checks()) {
    absl::StrAppend(out, absl::StrFormat("  %-13s %s: ", "port", c.server()),
                    c.passed() ? absl::StrFormat("answered, rtt %.1f ms", c.rtt_micros() / 1000.0)
                    : c.not_served() ? "port unreachable (nothing listens there)"
                    : c.inconclusive()
                        ? "no answer, but the server does not say it serves this port"
                        : "no answer on a port the server serves",
                    "\n");
  }
  for (const v1::FirewalkCheck& c : report.firewalk()) {
    absl::StrAppend(out, FirewalkEvidence(c));
  }
  for (const v1::TcpStunObservation& o : report.tcp_stun()) {
    absl::StrAppend(out, TcpStunEvidence(o), "\n");
  }
  if (report.has_quic()) {
    absl::StrAppend(out, absl::StrFormat("  %-13s %s: %s\n", "quic",
                                         report.quic().server(), report.quic().detail()));
  }
  for (const v1::HopObservation& h : report.hops()) {
    absl::StrAppend(out, absl::StrFormat("  %-13s ttl %d: %s (%s)\n", "hop", h.ttl(),
                                         h.address().empty() ? "*" : h.address(),
                                         h.address_class()));
  }
  for (const v1::GatewayObservation& g : report.gateways()) {
    absl::StrAppend(out, absl::StrFormat("  %-13s %s: ", g.protocol(), g.gateway()),
                    g.answered() ? absl::StrCat("external address ", g.external_address())
                                 : g.error(),
                    "\n");
  }
  if (report.ignored_responses() > 0) {
    absl::StrAppend(out, "  ", report.ignored_responses(),
                    " response(s) ignored as untrustworthy (wrong transaction, bad "
                    "fingerprint or unexpected source)\n");
  }
}

}  // namespace

std::string DescribeMapping(v1::MappingBehavior mapping) {
  const char* why = "needs two STUN servers, or an RFC 5780 server";
  switch (mapping) {
    case v1::MAPPING_NO_NAT:
      why = "the public address is the host's own";
      break;
    case v1::MAPPING_ENDPOINT_INDEPENDENT:
      why = "peer-to-peer friendly";
      break;
    case v1::MAPPING_ADDRESS_DEPENDENT:
    case v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT:
      why = "endpoint-dependent: breaks peer-to-peer";
      break;
    default:
      break;
  }
  return absl::StrCat(analyzer::MappingName(mapping), " (", why, ")");
}

std::string DescribeFiltering(v1::FilteringBehavior filtering) {
  if (filtering == v1::FILTERING_UNKNOWN) return "not tested";
  return analyzer::FilteringName(filtering);
}

std::string FormatProbeReport(const v1::ProbeReport& report) {
  std::string out = absl::StrCat(
      "natscope probe at ", google::protobuf::util::TimeUtil::ToString(report.time()),
      absl::StrFormat(" (took %.0f ms)\n\n", report.duration_micros() / 1000.0));
  absl::StrAppend(&out, "Verdict\n");
  absl::StrAppend(&out, "  UDP:            ",
                  report.udp_reachable() ? "reachable" : "BLOCKED", "\n");
  for (const v1::TcpStunObservation& o : report.tcp_stun()) {
    absl::StrAppend(&out, "  STUN over TCP:  ", TcpStunVerdict(o), "\n");
  }
  if (report.has_quic_reachable()) {
    absl::StrAppend(&out, "  QUIC:           ",
                    report.quic_reachable() ? "reachable" : "BLOCKED", "\n");
  }
  if (!report.public_address().empty()) {
    absl::StrAppend(&out, "  Public address: ", report.public_address(),
                    " (local ", report.local_address(), ")\n");
  }
  absl::StrAppend(&out, "  NAT mapping:    ", DescribeMapping(report.mapping_behavior()),
                  Sure(report.mapping_confidence()), "\n");
  absl::StrAppend(&out, "  NAT filtering:  ", DescribeFiltering(report.filtering_behavior()),
                  Sure(report.filtering_confidence()), "\n");
  absl::StrAppend(&out, "  Classic type:   ", report.classic_nat_type(), "\n");
  if (report.has_port_preserved()) {
    absl::StrAppend(&out, "  Port preserved: ", report.port_preserved() ? "yes" : "no", "\n");
  }
  if (report.port_checks_size() > 0) {
    absl::StrAppend(&out, "  Outbound ports: ", PortSummary(report), "\n");
  }
  if (report.firewalk_size() > 0) {
    absl::StrAppend(&out, "  Firewalking:    ", FirewalkSummary(report), "\n");
  }
  if (report.has_hairpinning()) {
    absl::StrAppend(&out, "  Hairpinning:    ", report.hairpinning() ? "yes" : "no", "\n");
  }
  if (report.has_binding_lifetime_seconds()) {
    absl::StrAppend(&out, "  Idle mapping:   survived ", report.binding_lifetime_seconds(),
                    " s\n");
  }
  if (report.has_aws()) {
    absl::StrAppend(&out, "  AWS:            public address in ", report.aws().prefix(),
                    " (", report.aws().service(), ", ", report.aws().region(), ")\n");
  }
  if (!report.aws_ranges_date().empty()) {
    absl::StrAppend(&out, "  AWS ranges:     ", AwsRangesLine(report), "\n");
  }
  for (const std::string& w : report.warnings()) {
    absl::StrAppend(&out, "  Warning:        ", w, "\n");
  }
  AppendEvidence(report, &out);
  absl::StrAppend(&out, "\nFindings\n");
  if (report.findings().empty()) {
    absl::StrAppend(&out, "  none: nothing this probe measured blocks peer-to-peer\n");
  }
  for (const v1::Finding& f : report.findings()) {
    const std::string sure = analyzer::ConfidenceWord(f.confidence());
    absl::StrAppend(&out, "  [", SeverityName(f.severity()),
                    sure.empty() ? "" : absl::StrCat(", ", sure), "] ",
                    v1::FindingCode_Name(f.code()), ": ", f.summary(), "\n");
    for (const std::string& e : f.evidence()) {
      absl::StrAppend(&out, "      evidence: ", e, "\n");
    }
    absl::StrAppend(&out, "      what to do: ", f.remediation(), "\n");
  }
  if (report.has_ipv6()) {
    absl::StrAppend(&out, "\n== IPv6 (the same tests over IPv6) ==\n",
                    FormatProbeReport(report.ipv6()));
  }
  return out;
}

std::string ProbeReportJson(const v1::ProbeReport& report) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(report, &json, options);
  return json;
}

}  // namespace natscope::ingest
