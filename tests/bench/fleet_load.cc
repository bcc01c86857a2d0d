#include "tests/bench/fleet_load.h"

#include <functional>
#include <pqxx/pqxx>
#include <tuple>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "absl/strings/str_format.h"
#include "tests/bench/bench_records.h"

namespace natscope::bench {
namespace {

using v1::FindingCode;
using v1::ProbeReport;

// What a site's network does to its agents' UDP.
enum class Profile {
  kHomeNat,     // endpoint-independent mapping: peer-to-peer works
  kSymmetric,   // clients behind endpoint-dependent NAT (hotel, cellular)
  kAwsGateway,  // connectors behind an AWS NAT gateway
  kUdpBlocked,  // a firewall drops outbound UDP from clients
  kCgnat,       // clients behind carrier-grade NAT, double NAT
  kPublic,      // connectors on public addresses
};

Profile ProfileOf(const std::string& site) {
  constexpr Profile kProfiles[] = {Profile::kHomeNat,    Profile::kHomeNat,
                                   Profile::kHomeNat,    Profile::kSymmetric,
                                   Profile::kAwsGateway, Profile::kUdpBlocked,
                                   Profile::kCgnat,      Profile::kPublic};
  return kProfiles[Mix(std::hash<std::string>()(site), 7) % 8];
}

void AddFinding(ProbeReport* report, FindingCode code, v1::Severity severity,
                const std::string& summary, const std::string& evidence,
                const std::string& remediation) {
  v1::Finding* finding = report->add_findings();
  finding->set_code(code);
  finding->set_severity(severity);
  finding->set_summary(summary);
  finding->add_evidence(evidence);
  finding->set_remediation(remediation);
}

void AddObservation(ProbeReport* report, const char* test, bool answered,
                    const std::string& mapped, uint64_t h) {
  v1::StunObservation* o = report->add_observations();
  o->set_server("198.51.100.10:3478");
  o->set_test(test);
  o->set_local_address(report->local_address());
  o->set_answered(answered);
  o->set_transmissions(answered ? 1 : 7);
  if (answered) {
    o->set_mapped_address(mapped);
    o->set_response_origin("198.51.100.10:3478");
    o->set_other_address("198.51.100.11:3479");
    o->set_rtt_micros(5000 + static_cast<int64_t>(h % 40000));
  } else {
    o->set_error("no response after 7 transmissions");
  }
}

// Behaviour of one agent under its site's profile.
void Behave(Profile profile, bool connector, uint64_t h, ProbeReport* r) {
  r->set_udp_reachable(true);
  r->set_mapping_behavior(v1::MAPPING_ENDPOINT_INDEPENDENT);
  r->set_filtering_behavior(v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  r->set_classic_nat_type("port restricted cone");
  if (profile == Profile::kSymmetric && !connector) {
    r->set_mapping_behavior(v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT);
    r->set_classic_nat_type("symmetric");
    AddFinding(r, v1::FINDING_ENDPOINT_DEPENDENT_MAPPING, v1::SEVERITY_WARNING,
               "The NAT maps each destination to a different public port",
               "mapped addresses differ between test I and test II",
               "Use a NAT with endpoint-independent mapping, or expect relays");
  } else if (profile == Profile::kAwsGateway && connector) {
    r->set_mapping_behavior(v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT);
    r->set_classic_nat_type("symmetric");
    r->mutable_aws()->set_prefix("3.120.0.0/14");
    r->mutable_aws()->set_region("eu-central-1");
    r->mutable_aws()->set_service("EC2");
    r->mutable_aws()->set_ranges_date("2024-05-01-12-00-00");
    AddFinding(r, v1::FINDING_AWS_NAT_GATEWAY, v1::SEVERITY_CRITICAL,
               "The connector is behind an AWS NAT gateway",
               "public address in 3.120.0.0/14 (EC2, eu-central-1)",
               "Give the connector a public IP or an instance NAT with "
               "endpoint-independent mapping");
  } else if (profile == Profile::kUdpBlocked && !connector && h % 4 != 0) {
    r->set_udp_reachable(false);
    r->set_mapping_behavior(v1::MAPPING_UNKNOWN);
    r->set_filtering_behavior(v1::FILTERING_UNKNOWN);
    r->set_classic_nat_type("udp blocked");
    AddFinding(r, v1::FINDING_UDP_BLOCKED, v1::SEVERITY_CRITICAL,
               "Outbound UDP is blocked", "no STUN answer on any port",
               "Allow outbound UDP (at least 3478 and 1024-65535)");
  } else if (profile == Profile::kCgnat && !connector) {
    AddFinding(r, v1::FINDING_CGNAT, v1::SEVERITY_WARNING,
               "Behind carrier-grade NAT (100.64.0.0/10)",
               "gateway external address 100.72.14.3",
               "Expect peer-to-peer to depend on the carrier's NAT");
    AddFinding(r, v1::FINDING_DOUBLE_NAT, v1::SEVERITY_INFO, "Double NAT",
               "two private hops before the public address",
               "Bridge the inner router if peer-to-peer fails");
  } else if (profile == Profile::kPublic && connector) {
    r->set_mapping_behavior(v1::MAPPING_NO_NAT);
    r->set_filtering_behavior(v1::FILTERING_ENDPOINT_INDEPENDENT);
    r->set_classic_nat_type("open internet");
  }
  // Off-profile agents: a laptop on a hotel network, a filtered port.
  if (h % 23 == 0 && r->udp_reachable()) {
    r->set_mapping_behavior(v1::MAPPING_ADDRESS_DEPENDENT);
    r->set_classic_nat_type("symmetric");
  }
  if (h % 31 == 0) {
    AddFinding(r, v1::FINDING_OUTBOUND_PORTS_RESTRICTED, v1::SEVERITY_WARNING,
               "Some outbound UDP ports are blocked", "port 19302 unanswered",
               "Allow outbound UDP to any port");
  }
}

}  // namespace

v1::AgentIdentity FleetAgentOf(const FleetOptions& options, int index) {
  int site = index;
  bool connector = true;
  if (index >= options.sites) {
    site = index < 2 * options.sites
               ? index - options.sites
               : static_cast<int>(Mix(index, 1) % options.sites);
    connector = index >= 2 * options.sites && Mix(index, 2) % 6 == 0;
  }
  v1::AgentIdentity agent;
  agent.set_agent_id(absl::StrFormat("fleet-agent-%06d", index));
  agent.set_site(absl::StrFormat("fleet-site-%05d", site));
  agent.set_role(connector ? v1::ROLE_CONNECTOR : v1::ROLE_CLIENT);
  agent.set_hostname(
      absl::StrFormat("%s-%06d", connector ? "gw" : "laptop", index));
  agent.set_version("0.1.0");
  return agent;
}

ProbeReport FleetReportOf(const v1::AgentIdentity& agent, int index,
                          absl::Time time) {
  const uint64_t h = Mix(index, 3);
  const bool connector = agent.role() == v1::ROLE_CONNECTOR;
  ProbeReport r;
  *r.mutable_time() = ToProtoTime(time);
  r.set_duration_micros(350000 + static_cast<int64_t>(h % 200000));
  r.set_local_address(absl::StrFormat("192.168.%d.%d:%d", (h >> 8) % 250,
                                      (h >> 16) % 250 + 2, 40000 + h % 20000));
  const std::string mapped =
      absl::StrFormat("203.0.%d.%d:%d", (h >> 24) % 250, (h >> 32) % 250 + 1,
                      1024 + (h >> 40) % 60000);
  Behave(ProfileOf(agent.site()), connector, h, &r);
  if (r.udp_reachable()) {
    r.set_public_address(mapped);
    r.set_quic_reachable(true);
    r.set_port_preserved(h % 3 == 0);
  } else {
    r.set_quic_reachable(false);
  }
  AddObservation(&r, "I", r.udp_reachable(), mapped, h);
  AddObservation(&r, "II", r.udp_reachable(), mapped, h >> 3);
  AddObservation(&r, "III", r.udp_reachable(), mapped, h >> 5);
  for (int port : {3478, 443, 80, 53, 19302, 50000}) {
    v1::PortCheck* check = r.add_port_checks();
    check->set_port(port);
    check->set_server("198.51.100.10");
    check->set_passed(r.udp_reachable() && !(port == 19302 && h % 31 == 0));
    check->set_rtt_micros(
        check->passed() ? 8000 + static_cast<int64_t>(h % 9000) : 0);
  }
  r.mutable_quic()->set_server("198.51.100.10:443");
  r.mutable_quic()->set_answered(r.quic_reachable());
  return r;
}

absl::StatusOr<FleetCounts> LoadFleet(const FleetOptions& options,
                                      absl::Time now) {
  FleetCounts counts;
  counts.sites = options.sites;
  try {
    pqxx::connection conn(options.postgres);
    pqxx::work tx(conn);
    {
      pqxx::stream_to agents(
          tx, "agents",
          std::vector<std::string>{"agent_id", "site", "role", "hostname",
                                   "version", "credential_hash"});
      for (int i = 0; i < options.agents; ++i) {
        const v1::AgentIdentity a = FleetAgentOf(options, i);
        // Unique like a real SHA-256, and matching no credential.
        const std::string hash =
            absl::StrFormat("%016x%016x", Mix(i, 5), Mix(i, 6)) +
            absl::StrFormat("%032x", i);
        agents << std::make_tuple(a.agent_id(), a.site(),
                                  static_cast<int>(a.role()), a.hostname(),
                                  a.version(), hash);
        (a.role() == v1::ROLE_CONNECTOR ? counts.connectors : counts.clients)++;
      }
      agents.complete();
    }
    {
      pqxx::stream_to state(
          tx, "agent_state",
          std::vector<std::string>{
              "site", "agent_id", "last_seen", "stun_nat_type",
              "stun_nat_type_time", "probe_time", "mapping", "filtering",
              "udp_reachable", "public_address", "probe_report"});
      for (int i = 0; i < options.agents; ++i) {
        const v1::AgentIdentity a = FleetAgentOf(options, i);
        // Most agents reported minutes ago; a few are stale or silent.
        const uint64_t h = Mix(i, 4);
        absl::Duration age = absl::Seconds(h % 600);
        if (h % 50 == 0) age = absl::Hours(2);
        if (h % 200 == 0) age = absl::Hours(72);
        const absl::Time seen = now - age;
        const ProbeReport report =
            FleetReportOf(a, i, seen - absl::Seconds(30));
        const std::string bytes = report.SerializeAsString();
        counts.report_bytes += static_cast<int64_t>(bytes.size());
        const std::string hex =
            absl::StrCat("\\x", absl::BytesToHexString(bytes));
        const std::string seen_text = absl::FormatTime(
            "%Y-%m-%d %H:%M:%E6S+00", seen, absl::UTCTimeZone());
        const std::string probe_text =
            absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", seen - absl::Seconds(30),
                             absl::UTCTimeZone());
        const bool independent =
            report.mapping_behavior() == v1::MAPPING_ENDPOINT_INDEPENDENT ||
            report.mapping_behavior() == v1::MAPPING_NO_NAT;
        // Clients' product logs say stun_nat_type; connectors' mostly not.
        const bool logs_nat = a.role() == v1::ROLE_CLIENT || h % 2 == 0;
        const char* nat =
            independent ? "endpoint-independent" : "endpoint-dependent";
        if (logs_nat && report.udp_reachable()) {
          state << std::make_tuple(
              a.site(), a.agent_id(), seen_text, std::string(nat), seen_text,
              probe_text, static_cast<int>(report.mapping_behavior()),
              static_cast<int>(report.filtering_behavior()),
              report.udp_reachable(), report.public_address(), hex);
        } else {
          state << std::make_tuple(
              a.site(), a.agent_id(), seen_text, nullptr, nullptr, probe_text,
              static_cast<int>(report.mapping_behavior()),
              static_cast<int>(report.filtering_behavior()),
              report.udp_reachable(), report.public_address(), hex);
        }
      }
      state.complete();
    }
    tx.exec_params(
        "INSERT INTO site_dirty (site, since) SELECT DISTINCT site, "
        "$1::timestamptz "
        "FROM agents "
        "WHERE agent_id LIKE 'fleet-agent-%' ON CONFLICT DO NOTHING",
        absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", now, absl::UTCTimeZone()));
    tx.commit();
    pqxx::nontransaction analyze(conn);
    analyze.exec("ANALYZE agents");
    analyze.exec("ANALYZE agent_state");
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("loading the fleet into the database failed: ", e.what()));
  }
  return counts;
}

}  // namespace natscope::bench
