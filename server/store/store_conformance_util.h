// Builders shared by the conformance suite's files. Test-only.
#ifndef NATSCOPE_SERVER_STORE_STORE_CONFORMANCE_UTIL_H_
#define NATSCOPE_SERVER_STORE_STORE_CONFORMANCE_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/store/store.h"

namespace natscope::server::conformance {

using natscope::v1::AgentIdentity;
using natscope::v1::AgentState;
using natscope::v1::ApiTokenInfo;
using natscope::v1::EnrollmentTokenInfo;
using natscope::v1::IngestRequest;
using natscope::v1::Record;
using natscope::v1::ReportRun;
using natscope::v1::ReportSchedule;
using natscope::v1::SiteSummary;

inline const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

AgentIdentity Agent(const std::string& id, const std::string& site,
                    natscope::v1::Role role);
// paris-1, a client of site paris.
AgentIdentity Paris1();
void SetTime(absl::Time t, google::protobuf::Timestamp* out);
// A stun_nat_type log event at `t`.
Record NatLog(absl::Time t, const std::string& nat_type);
// A log event of a kind the store does not summarise.
Record OtherLog(absl::Time t);
Record Probe(absl::Time t, bool udp, natscope::v1::MappingBehavior mapping,
             natscope::v1::FilteringBehavior filtering =
                 natscope::v1::FILTERING_UNKNOWN);
IngestRequest Batch(uint64_t epoch, uint64_t sequence,
                    std::vector<Record> records);
// Enrolls `agent` with credential hash "hash-<agent_id>" (gtest ASSERT).
void Register(AgentRegistry& registry, const AgentIdentity& agent);
IngestResult MustIngest(FactStore& store, const AgentIdentity& agent,
                        const IngestRequest& batch, absl::Time received);
// The agent's state as ListAgents gives it (a test failure when absent).
AgentState StateOf(FactStore& store, const std::string& agent_id);

ApiTokenInfo Api(const std::string& id, natscope::v1::ApiTokenRole role,
                 absl::Time created);
EnrollmentTokenInfo Enrollment(const std::string& id, const std::string& site,
                               absl::Time created);
// An enabled weekly Markdown schedule of the fleet.
ReportSchedule Schedule(const std::string& id);
SiteSummary Summary(const std::string& site, int64_t severity, int clients,
                    int p2p_clients, int connectors = 1);
// The site names, in order.
std::vector<std::string> Names(const std::vector<SiteSummary>& sites);
std::vector<std::string> Sorted(std::vector<std::string> v);

}  // namespace natscope::server::conformance

#endif  // NATSCOPE_SERVER_STORE_STORE_CONFORMANCE_UTIL_H_
