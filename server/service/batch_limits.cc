#include "server/service/batch_limits.h"

#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/reflection.h"

namespace natscope::server {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status TooLong(absl::string_view field, size_t size, size_t limit,
                     absl::string_view unit = "bytes") {
  return absl::InvalidArgumentError(absl::StrCat(
      field, " is ", size, " ", unit, "; the limit is ", limit,
      ": the agent must cut it (see docs/security.md)"));
}

absl::Status CheckLogEvent(const natscope::v1::LogEvent& event,
                           const std::string& at, const FieldLimits& limits) {
  for (const auto& [name, size, limit] :
       {std::make_tuple("raw_line", event.raw_line().size(), limits.raw_line),
        std::make_tuple("source_file", event.source_file().size(),
                        limits.source_file),
        std::make_tuple("component", event.component().size(),
                        limits.component),
        std::make_tuple("kind", event.kind().size(), limits.kind)}) {
    if (size > limit) return TooLong(absl::StrCat(at, name), size, limit);
  }
  if (event.fields_size() > static_cast<int>(limits.fields)) {
    return TooLong(absl::StrCat(at, "fields"), event.fields_size(),
                   limits.fields, "entries");
  }
  for (const auto& [name, value] : event.fields()) {
    if (name.size() > limits.field_name) {
      return TooLong(absl::StrCat(at, "fields key"), name.size(),
                     limits.field_name);
    }
    if (value.size() > limits.field_value) {
      return TooLong(absl::StrCat(at, "fields[", Abbreviate(name, 32), "]"),
                     value.size(), limits.field_value);
    }
  }
  return absl::OkStatus();
}

// Every string and repeated field of `message`, recursively (protobuf
// nesting is bounded by the parser's recursion limit, 100).
absl::Status CheckMessage(const Message& message, const std::string& at,
                          const FieldLimits& limits) {
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const std::string name = absl::StrCat(at, field->name());
    if (field->is_repeated()) {
      const int count = reflection->FieldSize(message, field);
      if (static_cast<size_t>(count) > limits.probe_list) {
        return TooLong(name, count, limits.probe_list, "entries");
      }
      for (int i = 0; i < count; ++i) {
        const std::string item = absl::StrCat(name, "[", i, "]");
        if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          std::string scratch;
          const std::string& value =
              reflection->GetRepeatedStringReference(message, field, i, &scratch);
          if (value.size() > limits.probe_string) {
            return TooLong(item, value.size(), limits.probe_string);
          }
        } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          absl::Status nested = CheckMessage(
              reflection->GetRepeatedMessage(message, field, i),
              absl::StrCat(item, "."), limits);
          if (!nested.ok()) return nested;
        }
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      std::string scratch;
      const std::string& value =
          reflection->GetStringReference(message, field, &scratch);
      if (value.size() > limits.probe_string) {
        return TooLong(name, value.size(), limits.probe_string);
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      absl::Status nested =
          CheckMessage(reflection->GetMessage(message, field),
                       absl::StrCat(name, "."), limits);
      if (!nested.ok()) return nested;
    }
  }
  return absl::OkStatus();
}

absl::Time RecordTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

bool Outside(const google::protobuf::Timestamp& t, absl::Time received,
             const TimeWindow& window) {
  const absl::Time time = RecordTime(t);
  return time < received - window.past || time > received + window.future;
}

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t seconds = absl::ToUnixSeconds(t);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
}

}  // namespace

absl::Status CheckIdentityLimits(const natscope::v1::AgentIdentity& identity,
                                 absl::string_view prefix,
                                 const FieldLimits& limits) {
  // agent_id and site: at most 128 by their pattern (ValidateIdentity), but
  // the claimed identity of a batch is only compared, so bound it here.
  for (const auto& [name, size, limit] :
       {std::make_tuple("agent_id", identity.agent_id().size(), size_t{128}),
        std::make_tuple("site", identity.site().size(), size_t{128}),
        std::make_tuple("hostname", identity.hostname().size(),
                        limits.hostname),
        std::make_tuple("version", identity.version().size(),
                        limits.version)}) {
    if (size > limit) return TooLong(absl::StrCat(prefix, name), size, limit);
  }
  return absl::OkStatus();
}

absl::Status CheckBatchLimits(const natscope::v1::IngestRequest& batch,
                              const FieldLimits& limits) {
  absl::Status identity = CheckIdentityLimits(batch.agent(), "agent.", limits);
  if (!identity.ok()) return identity;
  for (int i = 0; i < batch.records_size(); ++i) {
    const natscope::v1::Record& record = batch.records(i);
    if (record.has_log()) {
      absl::Status s = CheckLogEvent(
          record.log(), absl::StrCat("records[", i, "].log."), limits);
      if (!s.ok()) return s;
    } else if (record.has_probe()) {
      const std::string at = absl::StrCat("records[", i, "].probe");
      const size_t size = record.probe().ByteSizeLong();
      if (size > limits.probe_report) {
        return TooLong(at, size, limits.probe_report);
      }
      absl::Status s =
          CheckMessage(record.probe(), absl::StrCat(at, "."), limits);
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

bool NeedsTimeClamp(const natscope::v1::IngestRequest& batch,
                    absl::Time received, const TimeWindow& window) {
  for (const natscope::v1::Record& record : batch.records()) {
    if (record.has_log() && record.log().has_time() &&
        Outside(record.log().time(), received, window)) {
      return true;
    }
    if (record.has_probe() && record.probe().has_time() &&
        Outside(record.probe().time(), received, window)) {
      return true;
    }
  }
  return false;
}

int ClampRecordTimes(natscope::v1::IngestRequest* batch, absl::Time received,
                     const TimeWindow& window) {
  int clamped = 0;
  for (natscope::v1::Record& record : *batch->mutable_records()) {
    google::protobuf::Timestamp* time = nullptr;
    if (record.has_log() && record.log().has_time()) {
      time = record.mutable_log()->mutable_time();
    } else if (record.has_probe() && record.probe().has_time()) {
      time = record.mutable_probe()->mutable_time();
    }
    if (time != nullptr && Outside(*time, received, window)) {
      SetTime(received, time);
      ++clamped;
    }
  }
  return clamped;
}

std::string Abbreviate(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  // Back up to a UTF-8 lead byte so the result stays valid UTF-8.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return absl::StrCat(text.substr(0, cut), "...(", text.size(), " bytes)");
}

}  // namespace natscope::server
