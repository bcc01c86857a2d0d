#include "server/reports/escape.h"

#include "absl/strings/string_view.h"

namespace natscope::server {
namespace {

// The entity of an HTML metacharacter, or nullptr for any other byte.
const char* EntityOf(char c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\'':
      return "&#39;";
    default:
      return nullptr;
  }
}

}  // namespace

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const char* entity = EntityOf(c);
    if (entity != nullptr) {
      out += entity;
    } else {
      out += c;
    }
  }
  return out;
}

std::string MarkdownEscape(absl::string_view text) {
  constexpr absl::string_view kPunctuation = "\\|*_`[]#!";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      out += ' ';
    } else if (kPunctuation.find(c) != absl::string_view::npos) {
      out += '\\';
      out += c;
    } else if (c == '&' || c == '<' || c == '>') {
      out += EntityOf(c);  // Quotes stay as they are in Markdown text.
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace natscope::server
