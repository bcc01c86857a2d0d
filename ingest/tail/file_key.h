// Which file a log line came from, robust to rotation and inode reuse.
#ifndef NATSCOPE_INGEST_TAIL_FILE_KEY_H_
#define NATSCOPE_INGEST_TAIL_FILE_KEY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace natscope::ingest {

// A file's identity: device and inode, plus a hash of its first
// `fingerprint_bytes` bytes (at most the watcher's limit, 256 by default).
// While a file is shorter than the limit the fingerprint covers all of it
// and grows with it; every offset reported under such a key is within the
// fingerprinted bytes, so a file whose first `fingerprint_bytes` bytes hash
// the same is the same file up to that offset. A reused inode with other
// content hashes differently and is a new file.
struct FileKey {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint32_t fingerprint_bytes = 0;
  uint64_t fingerprint = 0;

  // "dev:inode:bytes:hash" (hash in hex), for the spool's checkpoints.
  std::string ToString() const;
  // The inverse of ToString(); nullopt for anything else.
  static std::optional<FileKey> FromString(absl::string_view text);

  friend bool operator==(const FileKey& a, const FileKey& b) {
    return a.device == b.device && a.inode == b.inode &&
           a.fingerprint_bytes == b.fingerprint_bytes &&
           a.fingerprint == b.fingerprint;
  }
  friend bool operator!=(const FileKey& a, const FileKey& b) {
    return !(a == b);
  }
  template <typename H>
  friend H AbslHashValue(H h, const FileKey& k) {
    return H::combine(std::move(h), k.device, k.inode, k.fingerprint_bytes,
                      k.fingerprint);
  }
};

// 64-bit FNV-1a of `bytes`.
uint64_t Fingerprint(absl::string_view bytes);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_TAIL_FILE_KEY_H_
