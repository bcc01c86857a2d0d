#include "ingest/tail/file_key.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace natscope::ingest {

std::string FileKey::ToString() const {
  return absl::StrCat(device, ":", inode, ":", fingerprint_bytes, ":",
                      absl::Hex(fingerprint, absl::kZeroPad16));
}

std::optional<FileKey> FileKey::FromString(absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  FileKey key;
  if (parts.size() != 4 || !absl::SimpleAtoi(parts[0], &key.device) ||
      !absl::SimpleAtoi(parts[1], &key.inode) ||
      !absl::SimpleAtoi(parts[2], &key.fingerprint_bytes) ||
      !absl::SimpleHexAtoi(parts[3], &key.fingerprint)) {
    return std::nullopt;
  }
  return key;
}

uint64_t Fingerprint(absl::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

}  // namespace natscope::ingest
