#include "ingest/probe/firewalk_plan.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace natscope::ingest {
namespace {

using Kind = FirewalkReply::Kind;

bool Inside(const v1::HopObservation& hop) {
  return hop.address_class() == "private" || hop.address_class() == "cgnat";
}

const v1::HopObservation* HopAt(const std::vector<v1::HopObservation>& hops,
                                int ttl) {
  for (const v1::HopObservation& h : hops) {
    if (h.ttl() == ttl) return &h;
  }
  return nullptr;
}

bool Reached(const std::vector<v1::StunObservation>& observations,
             const net::SocketAddress& to) {
  for (const v1::StunObservation& o : observations) {
    if (!o.answered()) continue;
    auto server = net::SocketAddress::Parse(o.server());
    if (server.ok() && server->IpString() == to.IpString()) return true;
  }
  return false;
}

absl::Duration RoundWait(const v1::HopObservation* hop,
                         const std::optional<absl::Duration>& rtt) {
  absl::Duration trip = absl::Milliseconds(120);  // Unknown: 500 ms.
  if (hop != nullptr && hop->rtt_micros() > 0) {
    trip = absl::Microseconds(hop->rtt_micros());
  } else if (rtt) {
    trip = *rtt;
  }
  return std::clamp(4 * trip + absl::Milliseconds(20), absl::Milliseconds(50),
                    absl::Milliseconds(500));
}

}  // namespace

int FirewalkTtl(const std::vector<v1::HopObservation>& hops) {
  int last_inside = 0;
  for (const v1::HopObservation& h : hops) {
    if (!h.address().empty() && Inside(h)) last_inside = h.ttl();
  }
  int chosen = 0;
  for (const v1::HopObservation& h : hops) {
    if (h.address().empty() || Inside(h)) continue;
    if (last_inside > 0 && h.ttl() > last_inside) return h.ttl();
    if (last_inside == 0) chosen = h.ttl();
  }
  // Hop 1 is the host's own gateway, often the firewall itself: a router
  // answers time exceeded before its forwarding rules run, so a TTL
  // expiring there would pass every datagram.
  return chosen >= 2 ? chosen : 0;
}

std::optional<FirewalkPlan> MakeFirewalkPlan(const FirewalkInputs& in) {
  if (!in.primary_answered) return std::nullopt;
  FirewalkPlan plan;
  plan.ttl = FirewalkTtl(in.hops);
  if (plan.ttl == 0) return std::nullopt;
  plan.sibling = in.primary;
  for (const v1::PortCheck& c : in.port_checks) {
    if (!c.inconclusive()) continue;
    plan.targets.push_back(
        {"port", in.primary.WithPort(static_cast<uint16_t>(c.port()))});
  }
  std::vector<std::string> seen = {in.primary.IpString()};
  for (const net::SocketAddress& d : in.destinations) {
    if (std::find(seen.begin(), seen.end(), d.IpString()) != seen.end() ||
        d.family() != in.primary.family() || Reached(in.observations, d)) {
      continue;
    }
    seen.push_back(d.IpString());
    plan.targets.push_back({"destination", d});
  }
  if (plan.targets.empty()) return std::nullopt;
  plan.wait = RoundWait(HopAt(in.hops, plan.ttl), in.rtt);
  return plan;
}

FirewalkInputs FirewalkInputsOf(
    const v1::ProbeReport& report, const net::SocketAddress& primary,
    const std::vector<net::SocketAddress>& destinations) {
  FirewalkInputs in;
  in.primary = primary;
  in.destinations = destinations;
  const std::string server = primary.ToString();
  for (const v1::StunObservation& o : report.observations()) {
    in.observations.push_back(o);
    if (o.test() != "binding" || o.server() != server || !o.answered()) {
      continue;
    }
    in.primary_answered = true;
    const absl::Duration rtt = absl::Microseconds(o.rtt_micros());
    in.rtt = in.rtt ? std::min(*in.rtt, rtt) : rtt;
    auto other = net::SocketAddress::Parse(o.other_address());
    if (other.ok()) in.destinations.push_back(other->WithPort(primary.port()));
  }
  in.hops.assign(report.hops().begin(), report.hops().end());
  in.port_checks.assign(report.port_checks().begin(),
                        report.port_checks().end());
  return in;
}

FirewalkJudge::FirewalkJudge(FirewalkPlan plan)
    : plan_(std::move(plan)), states_(plan_.targets.size()) {}

std::vector<size_t> FirewalkJudge::NextRound() const {
  std::vector<size_t> next;
  if (rounds_ >= plan_.max_rounds || sibling_silences_ >= 2) return next;
  for (size_t i = 0; i < states_.size(); ++i) {
    if (states_[i].verdict) continue;
    next.push_back(i);
    if (next.size() >= static_cast<size_t>(plan_.per_round)) break;
  }
  return next;
}

void FirewalkJudge::Record(const std::vector<size_t>& sent,
                           const FirewalkRound& round) {
  ++rounds_;
  const Kind s = round.sibling.kind;
  const bool sibling_ok = s == Kind::kTimeExceeded || s == Kind::kAnswered;
  last_sibling_silent_ = !sibling_ok;
  if (sibling_ok) {
    sibling_responder_ = round.sibling.responder.IpString();
  } else {
    ++sibling_silences_;
  }
  for (size_t k = 0; k < sent.size() && k < round.targets.size(); ++k) {
    State& state = states_[sent[k]];
    const FirewalkReply& reply = round.targets[k];
    ++state.transmissions;
    state.sibling_answers += sibling_ok ? 1 : 0;
    v1::FirewalkCheck check;
    switch (reply.kind) {
      case Kind::kTimeExceeded:
      case Kind::kAnswered:
        check.set_verdict(v1::FIREWALK_PASSED);
        break;
      case Kind::kPortUnreachable:
        check.set_verdict(v1::FIREWALK_NOT_LISTENING);
        break;
      case Kind::kUnreachable:
        check.set_verdict(v1::FIREWALK_REJECTED);
        break;
      case Kind::kSilent:
        if (sibling_ok && ++state.confirmed_silences >= 2) {
          check.set_verdict(v1::FIREWALK_DROPPED);
        }
        break;
      case Kind::kLocalError:  // Says nothing about the path.
        break;
    }
    if (check.verdict() == v1::FIREWALK_UNKNOWN) continue;
    if (reply.kind != Kind::kSilent && reply.kind != Kind::kLocalError) {
      check.set_responder(reply.responder.IpString());
      check.set_rtt_micros(absl::ToInt64Microseconds(reply.rtt));
    }
    state.verdict = std::move(check);
  }
}

std::vector<v1::FirewalkCheck> FirewalkJudge::Checks() const {
  std::vector<v1::FirewalkCheck> out;
  for (size_t i = 0; i < states_.size(); ++i) {
    v1::FirewalkCheck check =
        states_[i].verdict ? *states_[i].verdict : v1::FirewalkCheck();
    check.set_kind(plan_.targets[i].kind);
    check.set_destination(plan_.targets[i].destination.ToString());
    check.set_ttl(plan_.ttl);
    check.set_transmissions(states_[i].transmissions);
    // Over the rounds this target was in (a decided target leaves).
    check.set_sibling(absl::StrCat(
        states_[i].sibling_answers, "/", states_[i].transmissions,
        sibling_responder_.empty() ? ""
                                   : absl::StrCat(" from ", sibling_responder_)));
    out.push_back(std::move(check));
  }
  return out;
}

}  // namespace natscope::ingest
