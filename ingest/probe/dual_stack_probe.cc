// RunProbe: one probe run over both address families (probe_executor.h).
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "analyzer/evidence/address_class.h"
#include "common/status_macros.h"
#include "ingest/probe/probe_executor.h"

namespace natscope::ingest {
namespace {

// The options, split by the family each server, the QUIC endpoint and each
// destination resolves to.
struct Split {
  ProbeOptions v4;
  ProbeOptions v6;
};

absl::StatusOr<Split> SplitByFamily(const ProbeOptions& options,
                                    ProbeNetwork& network) {
  Split split{options, options};
  for (ProbeOptions* o : {&split.v4, &split.v6}) {
    o->stun_servers.clear();
    o->destinations.clear();
    o->quic_server.clear();
  }
  // NAT-PMP, PCP and UPnP IGD describe the IPv4 NAT: asked once.
  split.v6.gateways = false;
  const auto family = [&](const std::string& text) {
    auto address = network.Resolve(text);
    return address.ok() && address->is_ipv6() ? &split.v6 : &split.v4;
  };
  // A name with addresses of both families serves both: the IPv4 run
  // resolves it (IPv4 first), the IPv6 run gets its IPv6 address.
  for (const std::string& s : options.stun_servers) {
    auto all = network.ResolveAll(s);
    if (!all.ok() || all->size() < 2) {  // One family (or the run's error).
      (all.ok() && all->front().is_ipv6() ? split.v6 : split.v4)
          .stun_servers.push_back(s);
      continue;
    }
    bool four = false, six = false;
    for (const net::SocketAddress& a : *all) {
      if (a.is_ipv4() && !four) {
        four = true;
        split.v4.stun_servers.push_back(s);
      } else if (a.is_ipv6() && !six) {
        six = true;
        split.v6.stun_servers.push_back(a.ToString());
      }
    }
  }
  if (!options.quic_server.empty()) {
    family(options.quic_server)->quic_server = options.quic_server;
  }
  for (const std::string& d : options.destinations) {
    family(d)->destinations.push_back(d);
  }
  return split;
}

// Whether this host can reach `server` over IPv6 from a usable source (a
// global or unique-local address; not link-local).
absl::Status Ipv6Usable(ProbeNetwork& network, const std::string& server) {
  ASSIGN_OR_RETURN(net::SocketAddress to, network.Resolve(server));
  auto source = network.RouteSourceFor(to);
  if (!source.ok()) return source.status();
  if (analyzer::ClassifyAddress(*source) == analyzer::AddressClass::kLinkLocal) {
    return absl::UnavailableError(
        absl::StrCat("only a link-local source ", source->IpString()));
  }
  return absl::OkStatus();
}

// Progress of two families at once: one line at a time, the IPv6 ones
// marked.
struct SharedProgress {
  absl::Mutex mu;
  std::function<void(const std::string&)> sink;
  std::function<void(const std::string&)> For(const char* prefix) {
    if (!sink) return nullptr;
    return [this, prefix](const std::string& step) {
      absl::MutexLock lock(&mu);
      sink(absl::StrCat(prefix, step));
    };
  }
};

}  // namespace

absl::StatusOr<v1::ProbeReport> RunProbe(const ProbeOptions& options,
                                         const ProbeEnvironment& env) {
  if (env.network == nullptr || options.stun_servers.empty()) {
    return RunFamilyProbe(options, env);  // Its errors.
  }
  ASSIGN_OR_RETURN(Split split, SplitByFamily(options, *env.network));
  if (!options.local.empty()) {  // One local address: its family only.
    auto local = net::SocketAddress::Parse(options.local);
    if (!local.ok()) return RunFamilyProbe(options, env);  // Names it.
    ProbeOptions& one = local->is_ipv6() ? split.v6 : split.v4;
    if (one.stun_servers.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--local=", options.local, " is IPv", local->is_ipv6() ? "6" : "4",
          " but no STUN server of that family is given"));
    }
    one.gateways = options.gateways;
    return RunFamilyProbe(one, env);
  }
  if (split.v6.stun_servers.empty()) return RunFamilyProbe(split.v4, env);
  if (split.v4.stun_servers.empty()) return RunFamilyProbe(split.v6, env);
  const absl::Status v6 = Ipv6Usable(*env.network, split.v6.stun_servers[0]);
  if (!v6.ok()) {
    if (options.progress) {
      options.progress(absl::StrCat("IPv6 not probed (", v6.message(), ")"));
    }
    return RunFamilyProbe(split.v4, env);
  }
  SharedProgress progress;
  progress.sink = options.progress;
  split.v4.progress = progress.For("");
  split.v6.progress = progress.For("IPv6: ");
  std::optional<absl::StatusOr<v1::ProbeReport>> six;
  std::thread thread;
  if (env.sequential) {
    six = RunFamilyProbe(split.v6, env);
  } else {
    thread = std::thread([&] { six = RunFamilyProbe(split.v6, env); });
  }
  absl::StatusOr<v1::ProbeReport> four = RunFamilyProbe(split.v4, env);
  if (thread.joinable()) thread.join();
  if (!four.ok()) return four.status();
  v1::ProbeReport report = *std::move(four);
  if (six->ok()) {
    report.set_duration_micros(
        std::max(report.duration_micros(), (*six)->duration_micros()));
    *report.mutable_ipv6() = **std::move(six);
  } else if (options.progress) {
    options.progress(absl::StrCat("IPv6 probe failed: ", six->status().message()));
  }
  return report;
}

}  // namespace natscope::ingest
