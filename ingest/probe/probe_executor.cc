#include "ingest/probe/probe_executor.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analyzer/classify_probe.h"
#include "analyzer/evidence/findings.h"
#include "analyzer/nat_behavior.h"
#include "common/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "ingest/probe/binding.h"
#include "ingest/probe/evidence_run.h"
#include "ingest/probe/firewalk_plan.h"
#include "ingest/probe/firewalk_step.h"
#include "ingest/probe/opt_in.h"
#include "ingest/probe/port_check.h"
#include "ingest/probe/probe_plan.h"
#include "ingest/probe/quic_check.h"

namespace natscope::ingest {
namespace {

// What one test measured. Each test owns exactly one output and touches
// nothing else that another thread can see; the executor reads an output
// only after joining the thread that wrote it. No message is shared
// between threads, so none can be read while another changes it (the
// agent once crashed copying a report that a test thread was adding to:
// issue "Crash", tests/stress/).
struct TestOutput {
  std::vector<v1::StunObservation> observations;
  int ignored = 0;

  void Add(std::vector<BindingResult> results, int more_ignored) {
    for (BindingResult& r : results)
      observations.push_back(std::move(r.observation));
    ignored += more_ignored;
  }
};

// Runs tasks on threads of their own, or at once on the calling thread
// when sequential. Join (or destruction) waits for all of them.
class Tasks {
 public:
  explicit Tasks(bool sequential) : sequential_(sequential) {}
  Tasks(const Tasks&) = delete;
  Tasks& operator=(const Tasks&) = delete;
  ~Tasks() { Join(); }

  void Start(std::function<void()> task) {
    if (sequential_) {
      task();
    } else {
      threads_.emplace_back(std::move(task));
    }
  }
  void Join() {
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

 private:
  const bool sequential_;
  std::vector<std::thread> threads_;
};

// What every step runs on.
struct Context {
  const ProbeOptions& options;
  ProbeNetwork& network;
  PathEvidence& evidence;
  const Clock& clock;
  bool sequential;
};

// Reports a step through the options' progress callback, if any. Every
// call is made on the thread that runs the probe, before it starts the
// tests that the step names.
void Progress(const ProbeOptions& options, const std::string& step) {
  if (options.progress) options.progress(step);
}

net::SocketAddress Wildcard(const net::SocketAddress& like) {
  return like.is_ipv4() ? net::SocketAddress()
                        : net::SocketAddress::IPv6({}, 0);
}

// The address `socket` sends to `to` from, as the observations report it
// (the socket may be bound to a wildcard address).
net::SocketAddress LocalFor(ProbeNetwork& network, const DatagramSocket& socket,
                            const net::SocketAddress& to) {
  auto route = network.RouteSourceFor(to);
  return (route.ok() ? *route : socket.local_address())
      .WithPort(socket.local_address().port());
}

// Runs `exchanges` at once on `socket`, each with a fresh transaction id.
std::vector<BindingResult> Exchange(const Context& c, DatagramSocket& socket,
                                    const std::vector<StunExchange>& exchanges,
                                    const net::SocketAddress& local,
                                    const RetransmitPolicy& policy,
                                    int* ignored) {
  std::vector<BindingSpec> specs;
  for (const StunExchange& e : exchanges) {
    specs.push_back(
        {e.server, NewBindingRequest(e.change), e.test, e.expected_source});
  }
  return RunBindings(socket, specs, local, policy, c.clock, ignored);
}

// Runs `run` up to `attempts` times while `judge` finds its verdict
// inconsistent; every observation is kept, the last one counts. `scratch`
// is this test's own copy of what the verdict is judged on.
template <typename Run, typename Judge>
TestOutput WithRepeats(v1::ProbeReport scratch, int attempts, Run run,
                       Judge judge) {
  TestOutput out;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    int ignored = 0;
    std::vector<BindingResult> results = run(&ignored);
    for (const BindingResult& r : results)
      *scratch.add_observations() = r.observation;
    out.Add(std::move(results), ignored);
    if (judge(scratch)) break;
  }
  return out;
}

// Tests II and III on `socket` (which ran test I); a repeat runs tests
// I-III from a fresh port. `first` holds test I's observations and stays
// unchanged while the tests run.
TestOutput MappingTest(const Context& c, DatagramSocket& socket,
                       const Rfc5780Plan& rfc, const RetransmitPolicy& policy,
                       const v1::ProbeReport& first) {
  bool fresh = false;
  return WithRepeats(
      first, rfc.attempts,
      [&](int* ignored) {
        if (!fresh) {
          fresh = true;
          return Exchange(c, socket, rfc.mapping,
                          LocalFor(c.network, socket, rfc.primary), policy,
                          ignored);
        }
        auto again = c.network.Bind(Wildcard(rfc.primary));
        if (!again.ok()) return std::vector<BindingResult>();
        const net::SocketAddress local =
            LocalFor(c.network, **again, rfc.primary);
        std::vector<BindingResult> all =
            Exchange(c, **again, {rfc.rebind}, local, policy, ignored);
        if (!all[0].observation.answered()) return all;
        for (BindingResult& r :
             Exchange(c, **again, rfc.mapping, local, policy, ignored)) {
          all.push_back(std::move(r));
        }
        return all;
      },
      [](const v1::ProbeReport& r) {
        return analyzer::MappingFrom(r).consistent;
      });
}

// Filtering tests from a fresh socket, so that the mapping tests cannot
// have opened the filter; II and III only when I was answered.
std::vector<BindingResult> FilteringTests(const Context& c,
                                          const Rfc5780Plan& rfc,
                                          const RetransmitPolicy& policy,
                                          int* ignored) {
  auto socket = c.network.Bind(Wildcard(rfc.primary));
  if (!socket.ok()) return {};
  const net::SocketAddress local = LocalFor(c.network, **socket, rfc.primary);
  std::vector<BindingResult> results =
      Exchange(c, **socket, {rfc.filtering_first}, local, policy, ignored);
  if (!results[0].observation.answered()) return results;
  for (BindingResult& r :
       Exchange(c, **socket, rfc.filtering, local, policy, ignored)) {
    results.push_back(std::move(r));
  }
  return results;
}

// What the follow-up's concurrent tests measured; each field is written
// by one task only.
struct FollowUpOutput {
  TestOutput mapping;
  TestOutput filtering;
  std::vector<v1::PortCheck> ports;
  std::optional<v1::QuicCheck> quic;
  std::optional<v1::TcpStunObservation> tcp_stun;
};

FollowUpOutput RunFollowUp(const Context& c, DatagramSocket& socket,
                           const FollowUpPlan& plan,
                           const v1::ProbeReport& first) {
  FollowUpOutput out;
  Tasks tasks(c.sequential);
  if (plan.quic) {
    Progress(c.options, absl::StrCat("QUIC version negotiation with ",
                                     plan.quic->ToString()));
    tasks.Start([&] {
      out.quic = CheckQuic(c.network, *plan.quic, plan.policy, c.clock);
    });
  }
  if (plan.rfc5780) {
    const Rfc5780Plan& rfc = *plan.rfc5780;
    Progress(
        c.options,
        absl::StrCat("RFC 5780 mapping and filtering tests with ",
                     rfc.primary.ToString(), " and ", rfc.other.ToString()));
    tasks.Start(
        [&] { out.mapping = MappingTest(c, socket, rfc, plan.policy, first); });
    tasks.Start([&] {
      out.filtering = WithRepeats(
          v1::ProbeReport(), rfc.attempts,
          [&](int* ignored) {
            return FilteringTests(c, rfc, plan.policy, ignored);
          },
          [](const v1::ProbeReport& r) {
            return analyzer::FilteringFrom(r).consistent;
          });
    });
  }
  if (plan.ports) {
    const PortCheckPlan& p = *plan.ports;
    Progress(c.options,
             absl::StrCat("outbound UDP port check to ", p.server.IpString()));
    tasks.Start([&] { out.ports = CheckPorts(c.network, p, c.clock); });
  }
  if (plan.tcp_stun) {
    const TcpStunPlan& tcp = *plan.tcp_stun;
    Progress(c.options, absl::StrCat("no answer over UDP: STUN over TCP to ",
                                     tcp.server.ToString()));
    tasks.Start([&] {
      const Deadline deadline(c.clock.Now() + tcp.wait);
      out.tcp_stun = c.evidence.StunOverTcp({tcp.server, &deadline}, c.clock);
    });
  }
  tasks.Join();
  return out;
}

// The opt-in tests, one after the other.
void RunOptIns(const Context& c, const FollowUpPlan& plan,
               v1::ProbeReport* report) {
  if (plan.hairpin) {
    Progress(c.options,
             "hairpinning test (sends a packet to this host's public address)");
    const std::optional<bool> hairpin =
        TestHairpinning(c.network, *plan.hairpin, plan.policy, c.clock);
    if (hairpin) report->set_hairpinning(*hairpin);
  }
  if (plan.lifetime) {
    Progress(
        c.options,
        absl::StrCat("binding lifetime test, up to ",
                     absl::FormatDuration(plan.lifetime->longest), " idle"));
    const std::optional<int64_t> lifetime =
        TestBindingLifetime(c.network, plan.lifetime->server,
                            plan.lifetime->longest, plan.policy, c.clock);
    if (lifetime) report->set_binding_lifetime_seconds(*lifetime);
  }
}

absl::StatusOr<ProbeTargets> ResolveTargets(const ProbeOptions& options,
                                            ProbeNetwork& network) {
  if (options.stun_servers.empty()) {
    return absl::InvalidArgumentError(
        "no STUN server to probe: pass --stun=HOST:PORT");
  }
  ProbeTargets targets;
  for (const std::string& text : options.stun_servers) {
    ASSIGN_OR_RETURN(net::SocketAddress server, network.Resolve(text));
    targets.stun_servers.push_back(server);
  }
  if (!options.quic_server.empty()) {
    ASSIGN_OR_RETURN(targets.quic, network.Resolve(options.quic_server));
  }
  if (options.destinations.size() > ProbeOptions::kMaxDestinations) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--destinations (probe.destinations): ", options.destinations.size(),
        " given, at most ", ProbeOptions::kMaxDestinations));
  }
  for (const std::string& text : options.destinations) {
    auto destination = network.Resolve(text);
    if (!destination.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--destinations (probe.destinations): ",
                       destination.status().message()));
    }
    targets.destinations.push_back(*destination);
  }
  return targets;
}

void AddTo(TestOutput output, v1::ProbeReport* report) {
  for (v1::StunObservation& o : output.observations) {
    *report->add_observations() = std::move(o);
  }
  report->set_ignored_responses(report->ignored_responses() + output.ignored);
}

// Test I from socket A into `*report`; returns the plan of what follows.
FollowUpPlan RunTestOne(const Context& c, const ProbePlan& plan,
                        DatagramSocket& socket, v1::ProbeReport* report) {
  const net::SocketAddress local =
      LocalFor(c.network, socket, plan.bindings[0].server);
  Progress(c.options, absl::StrCat("STUN binding to ", plan.bindings.size(),
                                   " server(s) from ", local.ToString()));
  int ignored = 0;
  std::vector<BindingResult> first =
      Exchange(c, socket, plan.bindings, local, plan.policy, &ignored);
  FollowUpPlan next = MakeFollowUpPlan(plan, SummarizeFirstExchange(first));
  TestOutput test_one;
  test_one.Add(std::move(first), ignored);
  AddTo(std::move(test_one), report);
  return next;
}

void AddTo(FollowUpOutput out, v1::ProbeReport* report) {
  AddTo(std::move(out.mapping), report);
  AddTo(std::move(out.filtering), report);
  for (v1::PortCheck& check : out.ports) {
    *report->add_port_checks() = std::move(check);
  }
  if (out.quic) *report->mutable_quic() = std::move(*out.quic);
  if (out.tcp_stun) *report->add_tcp_stun() = std::move(*out.tcp_stun);
}

// Firewalking, once the STUN tests, port checks and hop trace are in
// `*report`.
void RunFirewalkStep(const Context& c, const ProbePlan& plan,
                     v1::ProbeReport* report) {
  const std::optional<FirewalkPlan> walk = MakeFirewalkPlan(FirewalkInputsOf(
      *report, plan.bindings[0].server, plan.destinations));
  if (!walk) return;
  Progress(c.options, absl::StrCat("firewalking ", walk->targets.size(),
                                   " destination(s) with TTL ", walk->ttl));
  for (v1::FirewalkCheck& check : RunFirewalk(c.evidence, *walk, c.clock)) {
    *report->add_firewalk() = std::move(check);
  }
}

void AddTo(EvidenceRun::Output evidence, v1::ProbeReport* report) {
  for (v1::GatewayObservation& g : evidence.gateways) {
    *report->add_gateways() = std::move(g);
  }
  for (v1::HopObservation& h : evidence.hops) {
    *report->add_hops() = std::move(h);
  }
}

}  // namespace

absl::StatusOr<v1::ProbeReport> RunFamilyProbe(const ProbeOptions& options,
                                               const ProbeEnvironment& env) {
  if (env.network == nullptr || env.evidence == nullptr ||
      env.clock == nullptr) {
    return absl::InvalidArgumentError(
        "RunProbe needs a network, path evidence and a clock");
  }
  const Context c{options, *env.network, *env.evidence, *env.clock,
                  env.sequential};
  ASSIGN_OR_RETURN(const ProbeTargets targets,
                   ResolveTargets(options, c.network));
  ASSIGN_OR_RETURN(const ProbePlan plan, MakeProbePlan(options, targets));
  const absl::Time start = c.clock.Now();
  ASSIGN_OR_RETURN(std::unique_ptr<DatagramSocket> socket,
                   c.network.Bind(plan.bind));

  // Path evidence takes its own time and needs nothing from STUN: start it
  // first, alongside test I; its waits then follow test I's round trip.
  EvidenceRun evidence(plan, c.evidence, c.clock, c.sequential,
                       options.progress);

  // The report is written by this thread alone. Test I's part is complete
  // before the later tests start and stays unchanged while they read it.
  v1::ProbeReport report;
  *report.mutable_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
          absl::ToUnixMicros(start));
  const FollowUpPlan next = RunTestOne(c, plan, *socket, &report);
  evidence.Follow(next.evidence);
  AddTo(RunFollowUp(c, *socket, next, report), &report);
  RunOptIns(c, next, &report);
  AddTo(evidence.Finish(), &report);
  if (plan.firewalk) RunFirewalkStep(c, plan, &report);
  analyzer::ClassifyProbe(&report);
  analyzer::AddPathFindings(options.aws_ranges.get(), &report);
  analyzer::SetFindingConfidence(&report);
  report.set_duration_micros(absl::ToInt64Microseconds(c.clock.Now() - start));
  return report;
}

}  // namespace natscope::ingest
