// The one escaper of report text: for HTML (and SVG) and for Markdown,
// which passes raw HTML through and so needs the same entities. Pure.
#ifndef NATSCOPE_SERVER_REPORTS_ESCAPE_H_
#define NATSCOPE_SERVER_REPORTS_ESCAPE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace natscope::server {

// `text` with &, <, >, " and ' replaced by entities, for HTML and SVG text
// and attribute values.
std::string HtmlEscape(absl::string_view text);

// `text` for a Markdown table cell or heading: &, < and > as HtmlEscape
// gives them, Markdown punctuation (\ | * _ ` [ ] # !) backslash-escaped,
// line breaks as spaces.
std::string MarkdownEscape(absl::string_view text);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_REPORTS_ESCAPE_H_
