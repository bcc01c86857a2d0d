// The pieces of the Prometheus text exposition format 0.0.4 that
// Registry::RenderText writes: escaping and number formatting. Pure
// functions, thread-safe.
#ifndef NATSCOPE_COMMON_METRICS_TEXT_FORMAT_H_
#define NATSCOPE_COMMON_METRICS_TEXT_FORMAT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace natscope::metrics {

// HELP text: backslash and newline escaped ("\\", "\n").
std::string EscapeHelp(absl::string_view help);
// A label value: backslash, double quote and newline escaped.
std::string EscapeLabelValue(absl::string_view value);
// A sample value or an le bound: "+Inf", "-Inf", "NaN", integers without
// a fraction, otherwise the shortest text that reads back the same double.
std::string FormatValue(double value);
// `{a="x",b="y"}` from parallel names and values (already valid names);
// "" when there are none. `extra_name`/`extra_value`, when not empty, are
// appended last (the histogram's le).
std::string FormatLabels(const std::vector<std::string>& names,
                         const std::vector<std::string>& values,
                         absl::string_view extra_name = "",
                         absl::string_view extra_value = "");

}  // namespace natscope::metrics

#endif  // NATSCOPE_COMMON_METRICS_TEXT_FORMAT_H_
