// Making arbitrary bytes safe to carry as text.
#ifndef NATSCOPE_COMMON_UTF8_H_
#define NATSCOPE_COMMON_UTF8_H_

#include <string>

#include "absl/strings/string_view.h"

namespace natscope {

// `text` with every NUL byte and every invalid UTF-8 sequence (RFC 3629:
// overlong forms, surrogates, values above U+10FFFF, stray bytes) replaced
// by U+FFFD. Valid text comes back unchanged. Log lines pass through here
// before they enter a proto string field or a PostgreSQL text column, both
// of which reject invalid UTF-8: one bad line must never make a batch
// unsendable or unstorable.
std::string SanitizeUtf8(absl::string_view text);

// True when SanitizeUtf8(text) == text, without building a copy.
bool IsCleanUtf8(absl::string_view text);

}  // namespace natscope

#endif  // NATSCOPE_COMMON_UTF8_H_
