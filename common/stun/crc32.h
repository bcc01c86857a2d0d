// CRC-32 as used by STUN's FINGERPRINT (ISO 3309 / ITU-T V.42 / zlib:
// reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF).
// Pure and thread-safe.
#ifndef NATSCOPE_COMMON_STUN_CRC32_H_
#define NATSCOPE_COMMON_STUN_CRC32_H_

#include <cstdint>

#include "absl/types/span.h"

namespace natscope::stun {

// Crc32("123456789") == 0xCBF43926.
uint32_t Crc32(absl::Span<const uint8_t> data);

}  // namespace natscope::stun

#endif  // NATSCOPE_COMMON_STUN_CRC32_H_
