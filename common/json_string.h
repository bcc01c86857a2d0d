// Writing JSON string literals fast, for hand-built JSON on hot paths
// (natscope-agent parse) and in the store. Pure.
#ifndef NATSCOPE_COMMON_JSON_STRING_H_
#define NATSCOPE_COMMON_JSON_STRING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace natscope {

// Appends `text` to `*out` as a quoted JSON string: '"', '\\' and control
// characters escaped, everything else copied as is. `text` should be valid
// UTF-8 (see common/utf8.h); invalid bytes are not checked here.
void AppendJsonString(absl::string_view text, std::string* out);

}  // namespace natscope

#endif  // NATSCOPE_COMMON_JSON_STRING_H_
