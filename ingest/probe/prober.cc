#include "ingest/probe/prober.h"

#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "analyzer/classify_probe.h"
#include "analyzer/evidence/findings.h"
#include "analyzer/nat_behavior.h"
#include "common/io/udp_socket.h"
#include "common/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "ingest/evidence/default_gateway.h"
#include "ingest/evidence/port_mapping.h"
#include "ingest/evidence/ttl_probe.h"
#include "common/stun/natscope_ports.h"
#include "ingest/probe/binding.h"
#include "ingest/probe/opt_in.h"
#include "ingest/probe/port_check.h"
#include "ingest/probe/quic_check.h"

namespace natscope::ingest {
namespace {

// What the tests after the first exchange need to know.
struct Plan {
  net::SocketAddress primary;
  net::SocketAddress other;  // OTHER-ADDRESS of the primary.
  bool has_other = false;
  RetransmitPolicy policy;
  std::optional<net::SocketAddress> quic;
  // Ports the primary server says it answers STUN on (NATSCOPE-PORTS).
  std::vector<uint16_t> served_ports;
};

// What one concurrent test measured. Each test thread owns exactly one
// output and touches nothing else that another thread can see; Probe reads
// an output only after joining the thread that wrote it. No message is
// shared between threads, so none can be read while another changes it
// (the agent once crashed copying a report that a test thread was adding
// to: issue "Crash", tests/stress/).
struct TestOutput {
  std::vector<v1::StunObservation> observations;
  int ignored = 0;

  void Add(std::vector<BindingResult> results, int more_ignored) {
    for (BindingResult& r : results) observations.push_back(std::move(r.observation));
    ignored += more_ignored;
  }
};

// Reports a step through the options' progress callback, if any. Every
// call is made on the thread that runs Probe, before it starts the tests
// that the step names.
void Progress(const ProbeOptions& options, const std::string& step) {
  if (options.progress) options.progress(step);
}

net::SocketAddress Wildcard(const net::SocketAddress& like) {
  return like.is_ipv4() ? net::SocketAddress() : net::SocketAddress::IPv6({}, 0);
}

net::SocketAddress LocalFor(const io::UdpSocket& socket, const net::SocketAddress& to) {
  auto route = io::RouteSourceFor(to);
  return (route.ok() ? *route : socket.local_address())
      .WithPort(socket.local_address().port());
}

// RFC 5780 tests II and III from the socket of test I.
std::vector<BindingResult> MappingTests(io::UdpSocket& socket, const Plan& plan,
                                        const Clock& clock, int* ignored) {
  const net::SocketAddress two = plan.other.WithPort(plan.primary.port());
  std::vector<BindingSpec> specs = {
      {two, NewBindingRequest(), "mapping-II", two},
      {plan.other, NewBindingRequest(), "mapping-III", plan.other}};
  return RunBindings(socket, specs, LocalFor(socket, plan.primary), plan.policy,
                     clock, ignored);
}

// RFC 5780 filtering tests from a fresh socket, so that the mapping tests
// cannot have opened the filter.
absl::StatusOr<std::vector<BindingResult>> FilteringTests(const Plan& plan,
                                                          const Clock& clock,
                                                          int* ignored) {
  ASSIGN_OR_RETURN(io::UdpSocket socket, io::UdpSocket::Bind(Wildcard(plan.primary)));
  const net::SocketAddress local = LocalFor(socket, plan.primary);
  std::vector<BindingResult> results = RunBindings(
      socket, {{plan.primary, NewBindingRequest(), "filtering-I", plan.primary}},
      local, plan.policy, clock, ignored);
  if (!results[0].observation.answered()) return results;
  const net::SocketAddress port_only = plan.primary.WithPort(plan.other.port());
  std::vector<BindingSpec> specs = {
      {plan.primary, NewBindingRequest(stun::ChangeRequest{true, true}),
       "filtering-II", plan.other},
      {plan.primary, NewBindingRequest(stun::ChangeRequest{false, true}),
       "filtering-III", port_only}};
  for (BindingResult& r : RunBindings(socket, specs, local, plan.policy, clock, ignored)) {
    results.push_back(std::move(r));
  }
  return results;
}

// Runs `test` and, when its verdict is inconsistent, once more from a fresh
// port; every observation is kept, the last one counts. `scratch` is this
// thread's own copy of what the verdict is judged on.
template <typename Run, typename Judge>
TestOutput WithOneRepeat(v1::ProbeReport scratch, Run run, Judge judge) {
  TestOutput out;
  for (int attempt = 0; attempt < 2; ++attempt) {
    int ignored = 0;
    std::vector<BindingResult> results = run(&ignored);
    for (const BindingResult& r : results) *scratch.add_observations() = r.observation;
    out.Add(std::move(results), ignored);
    if (judge(scratch)) break;
  }
  return out;
}

// Tests II and III on `socket` (which ran test I); when the verdict is
// inconsistent, tests I-III once more from a fresh port. `first` holds test
// I's observations and stays unchanged while the tests run.
TestOutput MappingTest(io::UdpSocket& socket, const Plan& plan,
                       const v1::ProbeReport& first, const Clock& clock) {
  bool fresh = false;
  return WithOneRepeat(first, [&](int* ignored) {
    if (!fresh) {
      fresh = true;
      return MappingTests(socket, plan, clock, ignored);
    }
    auto again = io::UdpSocket::Bind(Wildcard(plan.primary));
    if (!again.ok()) return std::vector<BindingResult>();
    std::vector<BindingResult> all = RunBindings(
        *again, {{plan.primary, NewBindingRequest(), "binding", plan.primary}},
        LocalFor(*again, plan.primary), plan.policy, clock, ignored);
    if (!all[0].observation.answered()) return all;
    for (BindingResult& r : MappingTests(*again, plan, clock, ignored)) {
      all.push_back(std::move(r));
    }
    return all;
  }, [](const v1::ProbeReport& r) { return analyzer::MappingFrom(r).consistent; });
}

// What the tests after the first exchange measured; each field is written
// by one thread only.
struct AdvancedOutput {
  TestOutput mapping;
  TestOutput filtering;
  std::vector<v1::PortCheck> ports;
  std::optional<v1::QuicCheck> quic;
};

AdvancedOutput AdvancedTests(io::UdpSocket& socket, const Plan& plan,
                             const ProbeOptions& options, const v1::ProbeReport& first,
                             const Clock& clock) {
  AdvancedOutput out;
  std::vector<std::thread> threads;
  if (plan.quic) {
    Progress(options, absl::StrCat("QUIC version negotiation with ", plan.quic->ToString()));
    threads.emplace_back([&] { out.quic = CheckQuic(*plan.quic, plan.policy, clock); });
  }
  if (plan.has_other) {
    Progress(options, absl::StrCat("RFC 5780 mapping and filtering tests with ",
                          plan.primary.ToString(), " and ", plan.other.ToString()));
    threads.emplace_back([&] { out.mapping = MappingTest(socket, plan, first, clock); });
    threads.emplace_back([&] {
      out.filtering = WithOneRepeat(v1::ProbeReport(), [&](int* ignored) {
        auto results = FilteringTests(plan, clock, ignored);
        return results.ok() ? std::move(results).value() : std::vector<BindingResult>();
      }, [](const v1::ProbeReport& r) { return analyzer::FilteringFrom(r).consistent; });
    });
  }
  if (!options.ports.empty()) {
    Progress(options, absl::StrCat("outbound UDP port check to ", plan.primary.IpString()));
    threads.emplace_back([&] {
      out.ports = CheckPorts(plan.primary, options.ports, plan.served_ports,
                             plan.policy.initial_rto, plan.policy.timeout, clock);
    });
  }
  for (std::thread& t : threads) t.join();
  return out;
}

void AddTo(TestOutput output, v1::ProbeReport* report) {
  for (v1::StunObservation& o : output.observations) {
    *report->add_observations() = std::move(o);
  }
  report->set_ignored_responses(report->ignored_responses() + output.ignored);
}

}  // namespace

RetransmitPolicy AdaptedPolicy(absl::Duration rtt) {
  RetransmitPolicy policy;
  policy.initial_rto = std::clamp(rtt * 3, absl::Milliseconds(25), absl::Milliseconds(500));
  policy.max_transmissions = 5;
  policy.timeout =
      std::clamp(policy.initial_rto * 8, absl::Milliseconds(250), absl::Milliseconds(1500));
  return policy;
}

absl::StatusOr<v1::ProbeReport> Probe(const ProbeOptions& options,
                                      const Clock& clock) {
  if (options.stun_servers.empty()) {
    return absl::InvalidArgumentError("no STUN server to probe: pass --stun=HOST:PORT");
  }
  std::vector<net::SocketAddress> servers;
  for (const std::string& text : options.stun_servers) {
    ASSIGN_OR_RETURN(net::SocketAddress server, io::Resolve(text));
    servers.push_back(server);
  }
  std::optional<net::SocketAddress> quic;
  if (!options.quic_server.empty()) {
    ASSIGN_OR_RETURN(quic, io::Resolve(options.quic_server));
  }
  const absl::Time start = clock.Now();

  // Test I against every server from one socket, so mappings compare.
  net::SocketAddress bind_to = Wildcard(servers[0]);
  if (!options.local.empty()) {
    ASSIGN_OR_RETURN(bind_to, net::SocketAddress::Parse(options.local));
  }
  ASSIGN_OR_RETURN(io::UdpSocket socket, io::UdpSocket::Bind(bind_to));

  // Path evidence takes its own time and needs nothing from STUN: start it
  // first, alongside test I. Each thread fills only its own vector.
  std::vector<std::thread> evidence;
  std::vector<v1::GatewayObservation> gateways;
  std::vector<v1::HopObservation> hops;
  if (options.gateways) {
    Progress(options, "asking the default gateway (NAT-PMP, PCP, UPnP IGD; read-only)");
    evidence.emplace_back([&gateways] {
      // A gateway that speaks NAT-PMP or UPnP answers within milliseconds;
      // one that does not should not hold the whole probe up.
      PortMappingOptions gateway_options;
      gateway_options.timeout = absl::Milliseconds(500);
      gateway_options.upnp_discovery = absl::Milliseconds(400);
      auto gateway = DefaultGateway();
      if (gateway.ok()) gateway_options.pmp_server = *gateway;
      gateways = QueryGateways(gateway_options);
    });
  }
  if (options.trace_hops) {
    Progress(options, absl::StrCat("tracing the first hops toward ", servers[0].ToString()));
    evidence.emplace_back([&hops, &clock, destination = servers[0]] {
      TtlProbeOptions trace;
      trace.destination = destination;
      auto traced = TraceHops(trace, clock);
      if (traced.ok()) hops = std::move(traced->hops);
    });
  }

  std::vector<BindingSpec> specs;
  for (const net::SocketAddress& server : servers) {
    specs.push_back({server, NewBindingRequest(), "binding", server});
  }
  const net::SocketAddress local = LocalFor(socket, servers[0]);
  Progress(options, absl::StrCat("STUN binding to ", servers.size(), " server(s) from ",
                        local.ToString()));
  int ignored = 0;
  std::vector<BindingResult> first =
      RunBindings(socket, specs, local, options.policy, clock, &ignored);

  Plan plan{servers[0], {}, false, {}, quic, {}};
  absl::Duration rtt = absl::InfiniteDuration();
  for (const BindingResult& r : first) {
    if (r.observation.answered()) rtt = std::min(rtt, absl::Microseconds(r.observation.rtt_micros()));
  }
  const bool answered = rtt != absl::InfiniteDuration();
  if (first[0].response) {
    plan.served_ports = stun::NatscopePorts(*first[0].response)
                            .value_or(std::vector<uint16_t>{});
  }
  if (first[0].response && first[0].response->other_address) {
    plan.other = *first[0].response->other_address;
    plan.has_other = plan.other.IpString() != plan.primary.IpString();
  }
  // Nothing answered: UDP may still pass on other ports; give them a second.
  plan.policy = answered ? AdaptedPolicy(rtt)
                         : RetransmitPolicy{absl::Milliseconds(250), 4, absl::Seconds(1)};
  if (!answered) plan.has_other = false;

  // The report is written by this thread alone. Test I's part is complete
  // before the later tests start and stays unchanged while they read it.
  v1::ProbeReport report;
  *report.mutable_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(start));
  TestOutput test_one;
  test_one.Add(std::move(first), ignored);
  AddTo(std::move(test_one), &report);
  AdvancedOutput advanced = AdvancedTests(socket, plan, options, report, clock);
  AddTo(std::move(advanced.mapping), &report);
  AddTo(std::move(advanced.filtering), &report);
  for (v1::PortCheck& c : advanced.ports) *report.add_port_checks() = std::move(c);
  if (advanced.quic) *report.mutable_quic() = std::move(*advanced.quic);
  if (answered && options.hairpin) {
    Progress(options, "hairpinning test (sends a packet to this host's public address)");
    const std::optional<bool> hairpin = TestHairpinning(plan.primary, plan.policy, clock);
    if (hairpin) report.set_hairpinning(*hairpin);
  }
  if (answered && options.lifetime > absl::ZeroDuration()) {
    Progress(options, absl::StrCat("binding lifetime test, up to ",
                          absl::FormatDuration(options.lifetime), " idle"));
    const std::optional<int64_t> lifetime =
        TestBindingLifetime(plan.primary, options.lifetime, plan.policy, clock);
    if (lifetime) report.set_binding_lifetime_seconds(*lifetime);
  }
  for (std::thread& t : evidence) t.join();
  for (v1::GatewayObservation& g : gateways) *report.add_gateways() = std::move(g);
  for (v1::HopObservation& h : hops) *report.add_hops() = std::move(h);
  analyzer::ClassifyProbe(&report);
  analyzer::AddPathFindings(options.aws_ranges.get(), &report);
  report.set_duration_micros(absl::ToInt64Microseconds(clock.Now() - start));
  return report;
}

}  // namespace natscope::ingest
