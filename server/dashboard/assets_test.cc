#include "server/dashboard/assets.h"

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace natscope::server::dashboard {
namespace {

// The files of DASHBOARD_FILES (BUILD.bazel), each served at "/" + name.
constexpr absl::string_view kFiles[] = {
    "index.html", "style.css", "app.js",     "agent.js", "api.js",   "charts.js",
    "dom.js",     "fleet.js",  "session.js", "site.js",  "views.js", "words.js",
};

bool IsScript(absl::string_view name) { return absl::EndsWith(name, ".js"); }

// A source file of this folder, from the test's runfiles.
std::string ReadSource(absl::string_view name) {
  std::ifstream in(absl::StrCat("server/dashboard/", name), std::ios::binary);
  std::stringstream body;
  body << in.rdbuf();
  EXPECT_TRUE(in.good()) << "cannot read " << name;
  return body.str();
}

std::string Body(absl::string_view path) {
  const Asset* asset = FindAsset(path);
  if (asset == nullptr) {
    ADD_FAILURE() << "no asset at " << path;
    return "";
  }
  return std::string(asset->body);
}

TEST(AssetsTest, ServesTheSourceFilesByteForByte) {
  for (absl::string_view name : kFiles) {
    EXPECT_EQ(Body(absl::StrCat("/", name)), ReadSource(name)) << name;
  }
}

TEST(AssetsTest, RootIsThePage) {
  ASSERT_NE(FindAsset("/"), nullptr);
  ASSERT_NE(FindAsset("/index.html"), nullptr);
  EXPECT_EQ(FindAsset("/")->body, FindAsset("/index.html")->body);
  EXPECT_EQ(FindAsset("/")->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(FindAsset("/index.html")->content_type, "text/html; charset=utf-8");
}

TEST(AssetsTest, ContentTypesCarryACharset) {
  for (absl::string_view name : kFiles) {
    if (!IsScript(name)) continue;
    const Asset* asset = FindAsset(absl::StrCat("/", name));
    ASSERT_NE(asset, nullptr) << name;
    // A module script must be served with a JavaScript type.
    EXPECT_EQ(asset->content_type, "text/javascript; charset=utf-8") << name;
  }
  EXPECT_EQ(FindAsset("/style.css")->content_type, "text/css; charset=utf-8");
}

TEST(AssetsTest, AnythingElseIsNotAnAsset) {
  for (absl::string_view path :
       {"", "//", "/APP.JS", "/app.js/", "/app.js?x=1", "/index.htm",
        "/../app.js", "/dashboard/app.js", "/v1/sites", "app.js", "charts.js",
        "/charts", "/embed_assets.sh", "/assets.cc", "/BUILD.bazel",
        "/favicon.ico"}) {
    EXPECT_EQ(FindAsset(path), nullptr) << path;
  }
}

// The server sends Content-Security-Policy "default-src 'self'": inline
// scripts, inline styles and event-handler attributes would be blocked.
// The page has one script tag, the module app.js.
TEST(AssetsTest, PageWorksUnderASelfOnlyContentSecurityPolicy) {
  const std::string html = Body("/");
  EXPECT_FALSE(absl::StrContains(html, "<style"));
  EXPECT_FALSE(absl::StrContains(html, "style="));
  EXPECT_TRUE(
      absl::StrContains(html, "<script type=\"module\" src=\"app.js\"></script>"));
  size_t scripts = 0;
  for (size_t at = html.find("<script"); at != std::string::npos;
       at = html.find("<script", at + 1)) {
    ++scripts;
    const absl::string_view tag("<script type=\"module\" src=\"");
    EXPECT_EQ(html.compare(at, tag.size(), std::string(tag)), 0)
        << "inline or classic script at offset " << at;
  }
  EXPECT_EQ(scripts, 1u);
  for (size_t at = html.find(" on"); at != std::string::npos;
       at = html.find(" on", at + 1)) {
    size_t end = at + 3;
    while (end < html.size() && absl::ascii_isalpha(html[end])) ++end;
    EXPECT_FALSE(end > at + 3 && end < html.size() && html[end] == '=')
        << "event-handler attribute at offset " << at;
  }
}

// The scripts are ES modules: each import names another served script, by
// a relative path ("./api.js"), and every script is imported by one (or
// is app.js, which the page loads).
TEST(AssetsTest, EveryImportIsServedAndEveryScriptImported) {
  std::set<std::string> imported = {"app.js"};
  for (absl::string_view name : kFiles) {
    if (!IsScript(name)) continue;
    const std::string js = Body(absl::StrCat("/", name));
    for (size_t at = js.find("from '"); at != std::string::npos;
         at = js.find("from '", at + 1)) {
      const size_t start = at + 6, end = js.find('\'', start);
      ASSERT_NE(end, std::string::npos) << name;
      const std::string target = js.substr(start, end - start);
      ASSERT_TRUE(absl::StartsWith(target, "./")) << name << " imports " << target;
      EXPECT_NE(FindAsset(target.substr(1)), nullptr)
          << name << " imports " << target << ", which is not served";
      imported.insert(target.substr(2));
    }
  }
  for (absl::string_view name : kFiles) {
    if (IsScript(name)) {
      EXPECT_TRUE(imported.count(std::string(name))) << name << " is never loaded";
    }
  }
}

// Data from the server is hostile: the script builds the DOM from text
// nodes and attributes only, and evaluates no strings.
TEST(AssetsTest, ScriptNeverParsesDataAsHtmlOrCode) {
  for (absl::string_view name : kFiles) {
    if (!IsScript(name)) continue;
    const std::string js = Body(absl::StrCat("/", name));
    for (absl::string_view sink :
         {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
          "eval(", "new Function", "setTimeout('", "javascript:", "import("}) {
      EXPECT_FALSE(absl::StrContains(js, sink)) << name << ": " << sink;
    }
  }
}

// No CDN: nothing is loaded from another origin (the SVG namespace is a
// name, not a fetch).
TEST(AssetsTest, NothingComesFromElsewhere) {
  for (absl::string_view name : kFiles) {
    const std::string path = absl::StrCat("/", name);
    const std::string body = Body(path);
    for (size_t at = body.find("//"); at != std::string::npos;
         at = body.find("//", at + 2)) {
      const bool url = at > 0 && body[at - 1] == ':';
      EXPECT_TRUE(!url || body.compare(at, 16, "//www.w3.org/200") == 0)
          << path << " names a URL at offset " << at << ": "
          << body.substr(at > 8 ? at - 8 : 0, 60);
    }
  }
}

}  // namespace
}  // namespace natscope::server::dashboard
