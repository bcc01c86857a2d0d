// Finds the first occurrence of any of a few literals in a block of text,
// fast enough to run over every byte the agent reads.
//
// For each literal two of its bytes are chosen, the rarest in typical log
// text, and compared against 64 (AVX-512BW), 32 (AVX2) or 16 (SSE2)
// positions at a time, whichever the CPU has; only positions where both
// bytes of some literal agree are checked in full, and only against that
// literal. This is the "generic SIMD" substring search (W. Mula) run for
// several needles at once, the way ripgrep's Teddy pre-filter avoids one
// pass per literal. The loop is specialised for each count of literals up
// to kMaxLiterals, so it stays in registers and keeps up with memory.
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
  // The instruction set to search with. kBest is the widest the CPU has;
  // the others exist so tests cover every path on any machine. kAvx2 on a
  // CPU without AVX2 searches with SSE2.
  enum class Isa { kBest, kAvx2, kSse2, kScalar };

  // `literals` must be non-empty strings; at most kMaxLiterals are searched
  // with SIMD, any further ones make every search fall back to scalar code.
  explicit LiteralSearch(std::vector<std::string> literals,
                         Isa isa = Isa::kBest);

  static constexpr size_t kMaxLiterals = 8;

  // Start of the leftmost occurrence of any literal in `text` at or after
  // `from`, or absl::string_view::npos.
  size_t Find(absl::string_view text, size_t from = 0) const {
    if (from >= text.size()) return absl::string_view::npos;
    return find_(*this, text, from);
  }

  const std::vector<std::string>& literals() const { return literals_; }

 private:
  using FindFn = size_t (*)(const LiteralSearch&, absl::string_view, size_t);

  // The search loops for N literals, defined and instantiated in the .cc.
  template <size_t N>
  static size_t FindAvx512(const LiteralSearch& s, absl::string_view text,
                           size_t from);
  template <size_t N>
  static size_t FindAvx2(const LiteralSearch& s, absl::string_view text,
                         size_t from);
  template <size_t N>
  static size_t FindSse2(const LiteralSearch& s, absl::string_view text,
                         size_t from);
  static size_t FindScalar(const LiteralSearch& s, absl::string_view text,
                           size_t from);
  static FindFn Choose(size_t literals, Isa isa);

  std::vector<std::string> literals_;
  // Per literal, the index of its first anchor byte and of its second
  // (greater than the first, or both 0 for a one-byte literal).
  std::vector<size_t> first_;
  std::vector<size_t> second_;
  size_t max_second_ = 0;  // Largest of second_.
  FindFn find_;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PARSE_LITERAL_SEARCH_H_
