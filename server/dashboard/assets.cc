#include "server/dashboard/assets.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "server/dashboard/embedded_files.h"

namespace natscope::server::dashboard {
namespace {

struct Route {
  std::string path;
  Asset asset;
};

// The Content-Type of a file by its extension; empty for one the dashboard
// does not serve.
absl::string_view ContentTypeOf(absl::string_view name) {
  if (absl::EndsWith(name, ".html")) return "text/html; charset=utf-8";
  if (absl::EndsWith(name, ".js")) return "text/javascript; charset=utf-8";
  if (absl::EndsWith(name, ".css")) return "text/css; charset=utf-8";
  return {};
}

// Every embedded file at "/" + its name, and the page also at "/". Built
// once, on first use (thread-safe static initialisation); never freed.
const std::vector<Route>& Routes() {
  static const std::vector<Route>* const routes = [] {
    auto* table = new std::vector<Route>;
    for (int i = 0; i < internal::kEmbeddedFileCount; ++i) {
      const internal::EmbeddedFile& file = internal::kEmbeddedFiles[i];
      const absl::string_view type = ContentTypeOf(file.name);
      if (type.empty()) continue;
      const Asset asset{type, file.body};
      table->push_back(Route{"/" + std::string(file.name), asset});
      if (file.name == "index.html") table->push_back(Route{"/", asset});
    }
    return table;
  }();
  return *routes;
}

}  // namespace

const Asset* FindAsset(absl::string_view path) {
  for (const Route& route : Routes()) {
    if (route.path == path) return &route.asset;
  }
  return nullptr;
}

}  // namespace natscope::server::dashboard
