#include "ingest/probe/probe_plan.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/stun/natscope_ports.h"
#include "ingest/probe/binding.h"

namespace natscope::ingest {
namespace {

// When nothing answered test I: UDP may still pass on other ports; give
// them a second.
constexpr RetransmitPolicy kNoAnswerPolicy{absl::Milliseconds(250), 4,
                                           absl::Seconds(1)};

net::SocketAddress Wildcard(const net::SocketAddress& like) {
  return like.is_ipv4() ? net::SocketAddress()
                        : net::SocketAddress::IPv6({}, 0);
}

StunExchange Plain(std::string test, const net::SocketAddress& server) {
  return {std::move(test), server, std::nullopt, server};
}

Rfc5780Plan Rfc5780(const net::SocketAddress& primary,
                    const net::SocketAddress& other) {
  Rfc5780Plan rfc;
  rfc.primary = primary;
  rfc.other = other;
  rfc.mapping = {Plain("mapping-II", other.WithPort(primary.port())),
                 Plain("mapping-III", other)};
  rfc.rebind = Plain("binding", primary);
  rfc.filtering_first = Plain("filtering-I", primary);
  rfc.filtering = {
      {"filtering-II", primary, stun::ChangeRequest{true, true}, other},
      {"filtering-III", primary, stun::ChangeRequest{false, true},
       primary.WithPort(other.port())}};
  return rfc;
}

}  // namespace

RetransmitPolicy AdaptedPolicy(absl::Duration rtt) {
  RetransmitPolicy policy;
  policy.initial_rto =
      std::clamp(rtt * 3, absl::Milliseconds(25), absl::Milliseconds(500));
  policy.max_transmissions = 5;
  policy.timeout = std::clamp(policy.initial_rto * 8, absl::Milliseconds(250),
                              absl::Milliseconds(1500));
  return policy;
}

EvidenceWaits EvidenceWaitsFor(absl::Duration rtt) {
  EvidenceWaits waits;
  waits.gateway_answer =
      std::min(3 * rtt + absl::Milliseconds(100), absl::Milliseconds(400));
  waits.gateway =
      std::min(waits.gateway_answer + 4 * rtt + absl::Milliseconds(50),
               absl::Milliseconds(500));
  waits.trace =
      std::min(3 * rtt + absl::Milliseconds(100), absl::Milliseconds(500));
  waits.reason = absl::StrCat(
      "waits follow the ",
      absl::FormatDuration(absl::Trunc(rtt, absl::Microseconds(1))),
      " STUN round trip");
  return waits;
}

absl::StatusOr<ProbePlan> MakeProbePlan(const ProbeOptions& options,
                                        const ProbeTargets& targets) {
  if (targets.stun_servers.empty()) {
    return absl::InvalidArgumentError(
        "no STUN server to probe: pass --stun=HOST:PORT");
  }
  const net::SocketAddress& primary = targets.stun_servers[0];
  ProbePlan plan;
  plan.bind = Wildcard(primary);
  if (!options.local.empty()) {
    auto local = net::SocketAddress::Parse(options.local);
    if (!local.ok()) return local.status();
    plan.bind = *local;
  }
  for (const net::SocketAddress& server : targets.stun_servers) {
    plan.bindings.push_back(Plain("binding", server));
  }
  plan.policy = options.policy;
  plan.gateways = options.gateways;
  if (options.trace_hops) plan.trace = primary;
  plan.evidence = {absl::Milliseconds(400), absl::Milliseconds(500),
                   absl::Milliseconds(500), ""};
  plan.quic = targets.quic;
  plan.ports = options.ports;
  plan.hairpin = options.hairpin;
  plan.lifetime = options.lifetime;
  plan.firewalk = options.firewalk && options.trace_hops;
  plan.destinations = targets.destinations;
  return plan;
}

FirstExchange SummarizeFirstExchange(
    const std::vector<BindingResult>& results) {
  FirstExchange first;
  for (const BindingResult& r : results) {
    if (!r.observation.answered()) continue;
    const absl::Duration rtt = absl::Microseconds(r.observation.rtt_micros());
    first.rtt = first.rtt ? std::min(*first.rtt, rtt) : rtt;
  }
  if (!results.empty() && results[0].response) {
    const stun::Message& response = *results[0].response;
    first.served_ports =
        stun::NatscopePorts(response).value_or(std::vector<uint16_t>{});
    // An RFC 3489 server (Vovida's stund) names its alternate in
    // CHANGED-ADDRESS and honours CHANGE-REQUEST the same way, so the
    // RFC 5780 tests work against it; it drops RESPONSE-PORT requests.
    first.other_address = response.other_address
                              ? response.other_address
                              : response.changed_address;
    first.classic_server = IsClassicServer(response);
  }
  return first;
}

FollowUpPlan MakeFollowUpPlan(const ProbePlan& plan,
                              const FirstExchange& first) {
  FollowUpPlan next;
  const bool answered = first.rtt.has_value();
  next.policy = answered ? AdaptedPolicy(*first.rtt) : kNoAnswerPolicy;
  if (answered) next.evidence = EvidenceWaitsFor(*first.rtt);
  if (plan.bindings.empty()) return next;
  const net::SocketAddress& primary = plan.bindings[0].server;
  if (answered && first.other_address &&
      first.other_address->IpString() != primary.IpString()) {
    next.rfc5780 = Rfc5780(primary, *first.other_address);
  }
  if (!plan.ports.empty()) {
    next.ports = PortCheckPlan{
        primary,
        plan.ports,
        first.served_ports,
        next.policy.initial_rto,
        next.policy.timeout,
        std::min(4 * next.policy.initial_rto, next.policy.timeout)};
  }
  next.quic = plan.quic;
  if (!answered) next.tcp_stun = TcpStunPlan{primary};
  if (answered && plan.hairpin) next.hairpin = primary;
  if (answered && plan.lifetime > absl::ZeroDuration() &&
      !first.classic_server) {
    next.lifetime = LifetimePlan{primary, plan.lifetime};
  }
  return next;
}

}  // namespace natscope::ingest
