// CRC-32C (Castagnoli), the checksum of every spool entry.
//
// A plain table-driven implementation: the spool checksums a few MB per
// second at most, so there is no need for SSE4.2. Thread-safe.
#ifndef NATSCOPE_INGEST_SPOOL_CRC32C_H_
#define NATSCOPE_INGEST_SPOOL_CRC32C_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace natscope::ingest::crc32c {

// CRC-32C of `data` continued from `crc` (0 to start).
uint32_t Extend(uint32_t crc, absl::string_view data);
inline uint32_t Value(absl::string_view data) { return Extend(0, data); }

// A stored CRC is masked so that a CRC of data that itself contains CRCs
// (a frame within a payload) does not checksum to a fixed point; the
// leveldb trick.
inline uint32_t Mask(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}
inline uint32_t Unmask(uint32_t masked) {
  const uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

}  // namespace natscope::ingest::crc32c

#endif  // NATSCOPE_INGEST_SPOOL_CRC32C_H_
