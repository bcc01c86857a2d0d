#include "ingest/parse/literal_search.h"

#include <cstring>
#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace natscope::ingest {
namespace {

// How common a byte is in log text, 0 (never) to 255 (everywhere); a rough
// ranking in the spirit of ripgrep's byte-frequency table, tuned for
// timestamps, addresses and bracketed prefixes.
int Commonness(unsigned char c) {
  if (c == ' ') return 255;
  if (c >= '0' && c <= '9') return 200;
  if (std::strchr("etaoinsrhlcdu", c) != nullptr && c != 0) return 190;
  if (std::strchr(".:-[]/", c) != nullptr && c != 0) return 170;
  if (c >= 'a' && c <= 'z') return std::strchr("zqxj", c) != nullptr ? 40 : 120;
  if (std::strchr("_,=()\"'", c) != nullptr && c != 0) return 110;
  if (c >= 'A' && c <= 'Z') return 80;
  if (c == '{' || c == '}') return 60;
  if (c >= 0x80) return 30;
  return 50;
}

}  // namespace

LiteralSearch::LiteralSearch(std::vector<std::string> literals)
    : literals_(std::move(literals)) {
  for (const std::string& literal : literals_) {
    Needle needle{literal, 0, 0};
    int best = 1 << 30;
    for (size_t i = 0; i < literal.size(); ++i) {
      for (size_t j = i + 1; j < literal.size(); ++j) {
        const int score = Commonness(literal[i]) + Commonness(literal[j]);
        if (score < best) {
          best = score;
          needle.first = i;
          needle.second = j;
        }
      }
    }
    if (needle.second > max_second_) max_second_ = needle.second;
    needles_.push_back(std::move(needle));
  }
#if defined(__x86_64__)
  use_avx2_ = __builtin_cpu_supports("avx2");
  use_avx512_ = __builtin_cpu_supports("avx512bw");
#endif
}

bool LiteralSearch::MatchesAt(absl::string_view text, size_t pos) const {
  for (const Needle& n : needles_) {
    if (text.size() - pos >= n.text.size() &&
        std::memcmp(text.data() + pos, n.text.data(), n.text.size()) == 0) {
      return true;
    }
  }
  return false;
}

size_t LiteralSearch::FindScalar(absl::string_view text, size_t from) const {
  size_t best = absl::string_view::npos;
  for (const Needle& n : needles_) {
    const size_t at = text.find(n.text, from);
    if (at < best) best = at;
  }
  return best;
}

size_t LiteralSearch::Find(absl::string_view text, size_t from) const {
  if (from >= text.size() || needles_.empty()) return absl::string_view::npos;
#if defined(__x86_64__)
  if (needles_.size() <= kMaxLiterals) {
    if (use_avx512_) return FindAvx512(text, from);
    return use_avx2_ ? FindAvx2(text, from) : FindSse2(text, from);
  }
#endif
  return FindScalar(text, from);
}

#if defined(__x86_64__)

size_t LiteralSearch::FindSse2(absl::string_view text, size_t from) const {
  const char* data = text.data();
  const size_t n = needles_.size();
  __m128i first[kMaxLiterals], second[kMaxLiterals];
  for (size_t k = 0; k < n; ++k) {
    first[k] = _mm_set1_epi8(needles_[k].text[needles_[k].first]);
    second[k] = _mm_set1_epi8(needles_[k].text[needles_[k].second]);
  }
  size_t pos = from;
  // Every load of a block stays inside `text`.
  for (; pos + max_second_ + 16 <= text.size(); pos += 16) {
    unsigned mask = 0;
    for (size_t k = 0; k < n; ++k) {
      const __m128i a = _mm_loadu_si128(
          reinterpret_cast<const __m128i*>(data + pos + needles_[k].first));
      const __m128i b = _mm_loadu_si128(
          reinterpret_cast<const __m128i*>(data + pos + needles_[k].second));
      mask |= static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(
          _mm_cmpeq_epi8(a, first[k]), _mm_cmpeq_epi8(b, second[k]))));
    }
    while (mask != 0) {
      const size_t at = pos + static_cast<size_t>(__builtin_ctz(mask));
      if (MatchesAt(text, at)) return at;
      mask &= mask - 1;
    }
  }
  for (; pos < text.size(); ++pos) {
    if (MatchesAt(text, pos)) return pos;
  }
  return absl::string_view::npos;
}

__attribute__((target("avx2"))) size_t LiteralSearch::FindAvx2(
    absl::string_view text, size_t from) const {
  const char* data = text.data();
  const size_t n = needles_.size();
  __m256i first[kMaxLiterals], second[kMaxLiterals];
  for (size_t k = 0; k < n; ++k) {
    first[k] = _mm256_set1_epi8(needles_[k].text[needles_[k].first]);
    second[k] = _mm256_set1_epi8(needles_[k].text[needles_[k].second]);
  }
  size_t pos = from;
  for (; pos + max_second_ + 32 <= text.size(); pos += 32) {
    uint32_t mask = 0;
    for (size_t k = 0; k < n; ++k) {
      const __m256i a = _mm256_loadu_si256(
          reinterpret_cast<const __m256i*>(data + pos + needles_[k].first));
      const __m256i b = _mm256_loadu_si256(
          reinterpret_cast<const __m256i*>(data + pos + needles_[k].second));
      mask |= static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_and_si256(
          _mm256_cmpeq_epi8(a, first[k]), _mm256_cmpeq_epi8(b, second[k]))));
    }
    while (mask != 0) {
      const size_t at = pos + static_cast<size_t>(__builtin_ctz(mask));
      if (MatchesAt(text, at)) return at;
      mask &= mask - 1;
    }
  }
  return FindSse2(text, pos);
}

__attribute__((target("avx512f,avx512bw"))) size_t LiteralSearch::FindAvx512(
    absl::string_view text, size_t from) const {
  const char* data = text.data();
  const size_t n = needles_.size();
  __m512i first[kMaxLiterals], second[kMaxLiterals];
  for (size_t k = 0; k < n; ++k) {
    first[k] = _mm512_set1_epi8(needles_[k].text[needles_[k].first]);
    second[k] = _mm512_set1_epi8(needles_[k].text[needles_[k].second]);
  }
  size_t pos = from;
  for (; pos + max_second_ + 64 <= text.size(); pos += 64) {
    __mmask64 mask = 0;
    for (size_t k = 0; k < n; ++k) {
      const __m512i a = _mm512_loadu_si512(data + pos + needles_[k].first);
      const __m512i b = _mm512_loadu_si512(data + pos + needles_[k].second);
      mask |= _mm512_mask_cmpeq_epi8_mask(_mm512_cmpeq_epi8_mask(a, first[k]),
                                          b, second[k]);
    }
    uint64_t bits = mask;
    while (bits != 0) {
      const size_t at = pos + static_cast<size_t>(__builtin_ctzll(bits));
      if (MatchesAt(text, at)) return at;
      bits &= bits - 1;
    }
  }
  return FindAvx2(text, pos);
}

#else

size_t LiteralSearch::FindAvx512(absl::string_view text, size_t from) const {
  return FindScalar(text, from);
}
size_t LiteralSearch::FindSse2(absl::string_view text, size_t from) const {
  return FindScalar(text, from);
}
size_t LiteralSearch::FindAvx2(absl::string_view text, size_t from) const {
  return FindScalar(text, from);
}

#endif

}  // namespace natscope::ingest
