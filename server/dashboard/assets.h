// The web dashboard's static files (index.html, style.css and the scripts in
// this folder: DASHBOARD_FILES in BUILD.bazel), compiled into
// natscope-server at build time: no file is read at run time and nothing is
// fetched from elsewhere. The page calls the JSON API with the token the
// user pastes (docs/dashboard.md).
//
// The HTML has no inline script or style, so the page works under the
// Content-Security-Policy "default-src 'self'" that the HTTP layer sends.
//
//   if (const dashboard::Asset* asset = dashboard::FindAsset(request.path)) {
//     response.content_type = std::string(asset->content_type);
//     response.body = std::string(asset->body);
//   }
//
// Thread-safe; the returned pointers and views live as long as the program.
#ifndef NATSCOPE_SERVER_DASHBOARD_ASSETS_H_
#define NATSCOPE_SERVER_DASHBOARD_ASSETS_H_

#include "absl/strings/string_view.h"

namespace natscope::server::dashboard {

struct Asset {
  // A Content-Type header value with its charset, e.g.
  // "text/javascript; charset=utf-8".
  absl::string_view content_type;
  absl::string_view body;
};

// The asset served at `path`: "/" and "/index.html" are the page, and each
// other file is at "/" + its name ("/app.js", "/charts.js", "/style.css");
// nullptr for anything else. `path` is the decoded path without the query;
// matching is exact and case-sensitive.
const Asset* FindAsset(absl::string_view path);

}  // namespace natscope::server::dashboard

#endif  // NATSCOPE_SERVER_DASHBOARD_ASSETS_H_
