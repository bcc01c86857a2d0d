#include "server/cli/probe_command.h"

#include <algorithm>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analyzer/confidence.h"
#include "analyzer/verdict_names.h"
#include "common/proto_time.h"
#include "natscope/v1/admin.grpc.pb.h"
#include "natscope/v1/query.grpc.pb.h"
#include "server/cli/format.h"

namespace natscope::server {
namespace {

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

std::string Rfc3339(absl::Time t) { return FormatProtoTime(ToProtoTime(t)); }

// The calls of one `natscope probe`.
class ProbeCall {
 public:
  ProbeCall(const std::shared_ptr<grpc::Channel>& channel,
            const std::function<void(grpc::ClientContext*)>& authorize,
            absl::Duration timeout)
      : admin_(v1::AdminService::NewStub(channel)),
        query_(v1::QueryService::NewStub(channel)),
        authorize_(authorize),
        timeout_(timeout) {}

  grpc::Status GetAgent(const std::string& id, v1::AgentState* agent) {
    grpc::ClientContext context;
    Prepare(&context);
    v1::GetAgentRequest request;
    request.set_agent_id(id);
    return query_->GetAgent(&context, request, agent);
  }

  // An agent GetAgent knows is asked alone; anything else is a site.
  grpc::Status Request(const std::string& target,
                       v1::RequestProbeResponse* response) {
    v1::AgentState agent;
    const grpc::Status known = GetAgent(target, &agent);
    if (!known.ok() && known.error_code() != grpc::StatusCode::NOT_FOUND &&
        known.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
      return known;
    }
    v1::RequestProbeRequest request;
    if (known.ok()) {
      request.set_agent_id(target);
    } else {
      request.set_site(target);
    }
    grpc::ClientContext context;
    Prepare(&context);
    return admin_->RequestProbe(&context, request, response);
  }

 private:
  void Prepare(grpc::ClientContext* context) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    authorize_(context);
  }

  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  std::function<void(grpc::ClientContext*)> authorize_;
  absl::Duration timeout_;
};

std::string Asked(const std::string& target,
                  const v1::RequestProbeResponse& asked) {
  const std::string when = Rfc3339(TimeOf(asked.requested_at()));
  if (asked.agent_ids_size() == 1 && asked.agent_ids(0) == target) {
    return absl::StrCat("asked agent ", target,
                        " to probe at its next contact (requested at ", when,
                        ")\n");
  }
  return absl::StrCat("asked ", asked.agent_ids_size(), " agent",
                      asked.agent_ids_size() == 1 ? "" : "s", " of site ",
                      target, " to probe at their next contact (requested at ",
                      when, "): ", absl::StrJoin(asked.agent_ids(), ", "),
                      "\n");
}

// Polls the agents asked until each answered or `flags.wait` is over;
// prints each result as it comes, and progress. Returns the agents still
// awaited.
std::set<std::string> WaitForResults(ProbeCall& call,
                                     const v1::RequestProbeResponse& asked,
                                     const ProbeFlags& flags,
                                     const Clock& clock, bool json,
                                     std::vector<v1::AgentState>* answered,
                                     std::ostream& out, std::ostream& err) {
  std::set<std::string> pending(asked.agent_ids().begin(),
                                asked.agent_ids().end());
  const absl::Time requested_at = TimeOf(asked.requested_at());
  const absl::Time start = clock.Now();
  const absl::Time end = start + flags.wait;
  absl::Time last_progress = start;
  while (!pending.empty()) {
    for (auto id = pending.begin(); id != pending.end();) {
      v1::AgentState agent;
      const grpc::Status status = call.GetAgent(*id, &agent);
      if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
        err << "natscope: agent " << *id << " was removed meanwhile\n";
        id = pending.erase(id);
        continue;
      }
      if (status.ok() && ProbeAnswered(agent, requested_at)) {
        if (!json) out << FormatProbeResult(agent) << std::flush;
        answered->push_back(std::move(agent));
        id = pending.erase(id);
        last_progress = clock.Now();
        continue;
      }
      // A failed look is tried again at the next poll.
      ++id;
    }
    const absl::Time now = clock.Now();
    if (pending.empty() || now >= end) break;
    if (now - last_progress >= absl::Seconds(30)) {
      err << "still waiting for " << pending.size() << " of "
          << asked.agent_ids_size() << " agents ("
          << absl::FormatDuration(absl::Trunc(end - now, absl::Seconds(1)))
          << " left): " << absl::StrJoin(pending, ", ") << "\n";
      last_progress = now;
    }
    clock.SleepUntil(std::min(end, now + flags.poll));
  }
  return pending;
}

}  // namespace

bool ProbeAnswered(const v1::AgentState& agent, absl::Time requested_at) {
  if (!agent.has_latest_probe()) return false;
  if (!agent.has_probe_requested_at()) return true;  // Met and cleared.
  const absl::Time pending = TimeOf(agent.probe_requested_at());
  if (pending <= requested_at) return false;
  // A newer request replaced ours: judge the probe by its own time.
  const absl::Time started = TimeOf(agent.latest_probe().time()) -
                             absl::Seconds(agent.clock_skew_seconds());
  return started >= requested_at;
}

namespace {

// " (confident)", " (likely)", " (uncertain)" or nothing.
std::string Sure(v1::Confidence confidence) {
  const std::string word = analyzer::ConfidenceWord(confidence);
  return word.empty() ? "" : absl::StrCat(" (", word, ")");
}

}  // namespace

std::string FormatProbeResult(const v1::AgentState& agent) {
  std::string line = absl::StrCat(
      agent.identity().agent_id(), "  probed ",
      Rfc3339(TimeOf(agent.latest_probe().time())), "  mapping ",
      analyzer::MappingToken(agent.mapping_behavior()),
      Sure(agent.latest_probe().mapping_confidence()), "  filtering ",
      analyzer::FilteringToken(agent.filtering_behavior()),
      Sure(agent.latest_probe().filtering_confidence()));
  if (!agent.public_address().empty()) {
    absl::StrAppend(&line, "  public ", agent.public_address());
  }
  if (agent.latest_probe().has_ipv6()) {
    const v1::ProbeReport& six = agent.latest_probe().ipv6();
    absl::StrAppend(&line, "  ipv6 mapping ",
                    analyzer::MappingToken(six.mapping_behavior()),
                    Sure(six.mapping_confidence()), " filtering ",
                    analyzer::FilteringToken(six.filtering_behavior()),
                    Sure(six.filtering_confidence()));
  }
  std::vector<std::string> findings;
  for (const v1::Finding& finding : agent.findings()) {
    findings.push_back(analyzer::FindingToken(finding.code()));
  }
  if (!findings.empty()) {
    absl::StrAppend(&line, "  findings ", absl::StrJoin(findings, ","));
  }
  return line + "\n";
}

int ProbeCommand(const std::string& target, const ProbeFlags& flags,
                 const std::shared_ptr<grpc::Channel>& channel,
                 const std::function<void(grpc::ClientContext*)>& authorize,
                 absl::Duration timeout, bool json, const Clock& clock,
                 std::ostream& out, std::ostream& err,
                 const RpcErrorText& describe) {
  ProbeCall call(channel, authorize, timeout);
  v1::RequestProbeResponse asked;
  const grpc::Status requested = call.Request(target, &asked);
  if (!requested.ok()) {
    err << "natscope: " << RpcErrorLine(describe, requested) << "\n";
    return 1;
  }
  if (!json) out << Asked(target, asked) << std::flush;
  if (flags.wait <= absl::ZeroDuration()) {
    if (json) {
      out << ToJson(asked);
    } else {
      out << "each agent hears the request at its next batch or check-in "
             "(every 5 minutes by default when idle); natscope probe "
          << target << " --wait shows the results\n";
    }
    return 0;
  }
  if (!json) {
    err << "waiting up to " << absl::FormatDuration(flags.wait)
        << " for their probes ...\n";
  }
  std::vector<v1::AgentState> answered;
  const std::set<std::string> pending = WaitForResults(
      call, asked, flags, clock, json, &answered, out, err);
  if (json) {
    out << "{\"request\": " << ToJson(asked) << ", \"answered\": [";
    for (size_t i = 0; i < answered.size(); ++i) {
      out << (i == 0 ? "" : ", ") << ToJson(answered[i]);
    }
    out << "]}\n";
  }
  if (pending.empty()) return 0;
  err << "natscope: no probe yet from " << absl::StrJoin(pending, ", ")
      << " after " << absl::FormatDuration(flags.wait)
      << ": an agent hears a request at its next batch or check-in (every "
         "checkin_interval, 5m by default) and takes a few seconds to "
         "probe; check that it runs (natscope agent ID) or wait longer "
         "(--wait=DURATION)\n";
  return 1;
}

}  // namespace natscope::server
