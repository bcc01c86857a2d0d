#include "server/store/ingest_rules.h"

#include <openssl/sha.h>

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace natscope::server {

std::string BatchDigest(const natscope::v1::IngestRequest& batch) {
  SHA256_CTX context;
  SHA256_Init(&context);
  std::string bytes;
  for (const natscope::v1::Record& record : batch.records()) {
    bytes.clear();
    {
      google::protobuf::io::StringOutputStream stream(&bytes);
      google::protobuf::io::CodedOutputStream out(&stream);
      out.SetSerializationDeterministic(true);
      record.SerializePartialToCodedStream(&out);
    }
    const uint64_t size = bytes.size();
    SHA256_Update(&context, &size, sizeof(size));
    SHA256_Update(&context, bytes.data(), bytes.size());
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_Final(digest, &context);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

int64_t ClockSkewMillis(const natscope::v1::IngestRequest& batch,
                        absl::Time received) {
  if (!batch.has_sent()) return 0;
  const absl::Time sent = absl::FromUnixSeconds(batch.sent().seconds()) +
                          absl::Nanoseconds(batch.sent().nanos());
  return absl::ToInt64Milliseconds(sent - received);
}

absl::Time SelfReportTime(const natscope::v1::IngestRequest& batch,
                          absl::Time received) {
  if (!batch.has_sent()) return received;
  const absl::Time sent = absl::FromUnixSeconds(batch.sent().seconds()) +
                          absl::Nanoseconds(batch.sent().nanos());
  return std::min(sent, received);
}

bool HasSelfReport(const natscope::v1::IngestRequest& batch) {
  return batch.has_counters() || !batch.agent().version().empty();
}

bool AnswersProbeRequest(const natscope::v1::IngestRequest& batch,
                         const natscope::v1::ProbeReport& report,
                         absl::Time received, absl::Time requested_at) {
  const absl::Time started =
      report.has_time() ? absl::FromUnixSeconds(report.time().seconds()) +
                              absl::Nanoseconds(report.time().nanos())
                        : received;
  const absl::Time on_server_clock =
      started - absl::Milliseconds(ClockSkewMillis(batch, received));
  return std::min(on_server_clock, received) >= requested_at;
}

absl::Status CheckIntakeBatch(const natscope::v1::IngestRequest& batch,
                              const std::vector<std::string>& digests) {
  if (digests.size() != static_cast<size_t>(batch.records_size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "IngestIntake: ", digests.size(), " digests for ",
        batch.records_size(), " records"));
  }
  for (int i = 0; i < batch.records_size(); ++i) {
    if (!batch.records(i).has_log() || digests[i].empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "IngestIntake: record ", i, " is not a log event with a digest"));
    }
  }
  return absl::OkStatus();
}

absl::Status IntakeOtherSiteError(const natscope::v1::AgentIdentity& host,
                                  const std::string& registered_site) {
  return absl::PermissionDeniedError(absl::StrCat(
      "host ", host.agent_id(), " is registered at site \"", registered_site,
      "\", not \"", host.site(),
      "\": an intake token of one site cannot send for another site's host"));
}

}  // namespace natscope::server
