// Finds the first occurrence of any of a few literals in a block of text,
// fast enough to run over every byte the agent reads.
//
// For each literal two of its bytes are chosen, the rarest in typical log
// text, and compared against 64 (AVX-512BW), 32 (AVX2) or 16 (SSE2)
// positions at a time, whichever the CPU has;
// only positions where both bytes agree are checked in full. This is the
// "generic SIMD" substring search (W. Mula) run for several needles at
// once, the way ripgrep's Teddy pre-filter avoids one pass per literal.
// Immutable after construction; safe to share between threads.
#ifndef NATSCOPE_INGEST_PARSE_LITERAL_SEARCH_H_
#define NATSCOPE_INGEST_PARSE_LITERAL_SEARCH_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace natscope::ingest {

class LiteralSearch {
 public:
  // `literals` must be non-empty strings; at most kMaxLiterals are searched
  // with SIMD, any further ones make every search fall back to scalar code.
  explicit LiteralSearch(std::vector<std::string> literals);

  static constexpr size_t kMaxLiterals = 8;

  // Start of the leftmost occurrence of any literal in `text` at or after
  // `from`, or absl::string_view::npos.
  size_t Find(absl::string_view text, size_t from = 0) const;

  const std::vector<std::string>& literals() const { return literals_; }

 private:
  struct Needle {
    std::string text;
    size_t first = 0;   // Index of the first anchor byte.
    size_t second = 0;  // Index of the second anchor byte (> first, or 0).
  };

  size_t FindScalar(absl::string_view text, size_t from) const;
  size_t FindSse2(absl::string_view text, size_t from) const;
  size_t FindAvx2(absl::string_view text, size_t from) const;
  size_t FindAvx512(absl::string_view text, size_t from) const;
  // The leftmost literal starting exactly at `pos`, checked in full.
  bool MatchesAt(absl::string_view text, size_t pos) const;

  std::vector<std::string> literals_;
  std::vector<Needle> needles_;
  size_t max_second_ = 0;  // Largest `second` over all needles.
  bool use_avx2_ = false;
  bool use_avx512_ = false;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PARSE_LITERAL_SEARCH_H_
