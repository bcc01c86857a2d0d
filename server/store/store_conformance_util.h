// Builders shared by the conformance suite's files. Test-only.
#ifndef NATSCOPE_SERVER_STORE_STORE_CONFORMANCE_UTIL_H_
#define NATSCOPE_SERVER_STORE_STORE_CONFORMANCE_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/store/store.h"

namespace natscope::server::conformance {

inline const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

natscope::v1::AgentIdentity Agent(const std::string& id, const std::string& site,
                                  natscope::v1::Role role);
void SetTime(absl::Time t, google::protobuf::Timestamp* out);
// A stun_nat_type log event at `t`.
natscope::v1::Record NatLog(absl::Time t, const std::string& nat_type);
natscope::v1::Record Probe(absl::Time t, bool udp,
                           natscope::v1::MappingBehavior mapping,
                           natscope::v1::FilteringBehavior filtering =
                               natscope::v1::FILTERING_UNKNOWN);
natscope::v1::IngestRequest Batch(uint64_t epoch, uint64_t sequence,
                                  std::vector<natscope::v1::Record> records);
// Registers `agent` with credential hash "hash-<agent_id>" (gtest ASSERT).
void Register(Store& store, const natscope::v1::AgentIdentity& agent);
IngestResult MustIngest(Store& store, const natscope::v1::AgentIdentity& agent,
                        const natscope::v1::IngestRequest& batch,
                        absl::Time received);

}  // namespace natscope::server::conformance

#endif  // NATSCOPE_SERVER_STORE_STORE_CONFORMANCE_UTIL_H_
