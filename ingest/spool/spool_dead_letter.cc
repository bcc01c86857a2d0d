// Spool::DeadLetter: batches natscope-server refused for good leave the
// spool as JSON lines in <dir>/dead-letter.jsonl (format in README.md).
// Separate from spool.cc because it is a second file with its own format and
// rotation that touches the segments only through the ack after the line,
// and because it is the only part of the spool that needs protobuf's JSON
// printer and the wall clock.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "google/protobuf/util/json_util.h"
#include "ingest/spool/spool.h"

namespace natscope::ingest {
namespace {

constexpr char kDeadLetterFile[] = "dead-letter.jsonl";

std::string JsonQuote(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      absl::StrAppend(&out, "\\u00", absl::Hex(c, absl::kZeroPad2));
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace

absl::Status Spool::DeadLetter(const v1::IngestRequest& batch,
                               absl::string_view reason) {
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(batch, &json, print).ok()) {
    json = "null";
  }
  const std::string line = absl::StrCat(
      "{\"time\":",
      JsonQuote(absl::FormatTime(absl::RFC3339_sec, absl::Now(),
                                 absl::UTCTimeZone())),
      ",\"reason\":", JsonQuote(reason), ",\"batch\":", json, "}\n");
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(WriteDeadLetterLine(line));
  ++counters_.dead_letters;
  return AckLocked(batch.sequence());
}

absl::Status Spool::WriteDeadLetterLine(const std::string& line) {
  const std::string path = absl::StrCat(dir_, "/", kDeadLetterFile);
  auto size = fs_->FileSize(path);
  if (size.ok() && *size + line.size() > options_.dead_letter_max_bytes) {
    RETURN_IF_ERROR(Annotate(fs_->Rename(path, path + ".1")));
  }
  auto file = fs_->OpenAppend(path);
  if (!file.ok()) return Annotate(file.status());
  RETURN_IF_ERROR(Annotate((*file)->Append(line)));
  if (options_.fsync != FsyncPolicy::kNever)
    RETURN_IF_ERROR(Annotate((*file)->Sync()));
  return absl::OkStatus();
}

}  // namespace natscope::ingest
