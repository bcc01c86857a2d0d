#include "server/reports/render.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "server/reports/report_text.h"

namespace natscope::server {
namespace {

using natscope::v1::ReportData;

constexpr int64_t kMay1 = 1714521600;  // 2024-05-01T00:00:00Z

ReportData SampleData() {
  ReportData data;
  data.set_title("Weekly NAT report");
  data.set_scope_description("all sites");
  data.mutable_generated_at()->set_seconds(kMay1 + 7 * 86400);
  auto* paris = data.add_sites();
  paris->set_site("paris");
  paris->set_clients(40);
  paris->set_connectors(2);
  paris->set_p2p_capable_share(0.9);
  auto* lyon = data.add_sites();
  lyon->set_site("lyon");
  lyon->set_clients(10);
  lyon->set_connectors(1);
  lyon->set_p2p_capable_share(0.2);
  lyon->set_worst_finding(natscope::v1::FINDING_UDP_BLOCKED);
  auto* count = lyon->add_finding_counts();
  count->set_code(natscope::v1::FINDING_UDP_BLOCKED);
  count->set_agents(8);
  data.mutable_totals()->set_sites(2);
  data.mutable_totals()->set_clients(50);
  data.mutable_totals()->set_connectors(3);
  data.mutable_totals()->set_p2p_capable_share(0.76);
  for (int day = 0; day < 8; ++day) {
    auto* point = data.add_trend();
    point->mutable_time()->set_seconds(kMay1 + day * 86400);
    point->set_p2p_capable_share(0.70 + day * 0.01);
  }
  auto* udp = lyon->add_findings();
  udp->set_code(natscope::v1::FINDING_UDP_BLOCKED);
  udp->set_severity(natscope::v1::SEVERITY_CRITICAL);
  udp->set_summary("UDP is blocked on 8 clients");
  auto* host = udp->add_hosts();
  host->set_agent_id("lyon-c1");
  host->set_hostname("pc-17.lyon.example");
  host->set_role(natscope::v1::ROLE_CLIENT);
  udp->set_more_hosts(7);
  udp->add_evidence("lyon-c1: no answer from 192.0.2.1:3478 after 7 transmissions");
  udp->set_more_evidence(12);
  udp->set_remediation("Allow outbound UDP to the STUN servers.");
  udp->set_affected_clients(8);
  auto* series = data.add_finding_trends();
  series->set_code(natscope::v1::FINDING_UDP_BLOCKED);
  for (int day = 0; day < 8; ++day) {
    auto* point = series->add_points();
    point->mutable_time()->set_seconds(kMay1 + day * 86400);
    point->set_agents(day == 3 ? 11 : 5 + day / 4);
  }
  return data;
}

// SampleData with markup and Markdown syntax in every text a host or an
// agent controls.
ReportData HostileFindingData() {
  ReportData data = SampleData();
  auto* finding = data.mutable_sites(1)->mutable_findings(0);
  finding->mutable_hosts(0)->set_hostname("<script>alert(1)</script>");
  finding->mutable_hosts(0)->set_agent_id("a\"><img src=x onerror=alert(2)>");
  finding->set_evidence(0, "x: <iframe src=//evil>|**");
  finding->set_summary("<b>bold</b>");
  finding->set_remediation("</div><script>alert(3)</script>");
  return data;
}

// Checks that every opening tag is closed in order, treating void HTML
// elements and "/>" as self-closing. Returns "" or a description.
std::string UnbalancedTags(absl::string_view html) {
  static const std::set<std::string> kVoid = {"meta", "br",   "hr",
                                              "img",  "link", "input"};
  std::vector<std::string> open;
  for (size_t i = html.find('<'); i != absl::string_view::npos;
       i = html.find('<', i + 1)) {
    const size_t end = html.find('>', i);
    if (end == absl::string_view::npos) return "unterminated tag";
    absl::string_view tag = html.substr(i + 1, end - i - 1);
    if (absl::StartsWith(tag, "!")) continue;
    const bool closing = absl::StartsWith(tag, "/");
    if (closing) tag.remove_prefix(1);
    const bool self_closing = absl::EndsWith(tag, "/");
    const std::string name(tag.substr(0, tag.find_first_of(" /")));
    if (closing) {
      if (open.empty() || open.back() != name) return "</" + name + "> stray";
      open.pop_back();
    } else if (!self_closing && kVoid.count(name) == 0) {
      open.push_back(name);
    }
  }
  return open.empty() ? "" : "<" + open.back() + "> not closed";
}

TEST(RenderHtmlTest, EscapesHostileSiteNames) {
  ReportData data = SampleData();
  data.mutable_sites(0)->set_site("<script>alert('x')</script>");
  data.set_title("\"><img src=x onerror=alert(1)>");
  const std::string html = RenderHtml(data);
  EXPECT_FALSE(absl::StrContains(html, "<script")) << html;
  EXPECT_FALSE(absl::StrContains(html, "<img")) << html;
  EXPECT_TRUE(absl::StrContains(html, "&lt;script&gt;alert(&#39;x&#39;)"));
  EXPECT_EQ(UnbalancedTags(html), "");
}

TEST(RenderHtmlTest, FindingsShowHostsEvidenceAndWhatToDo) {
  const std::string html = RenderHtml(SampleData());
  EXPECT_TRUE(absl::StrContains(html, "<h4>Critical: UDP blocked</h4>")) << html;
  EXPECT_TRUE(absl::StrContains(
      html, "<strong>Affects:</strong> lyon-c1 (pc-17.lyon.example, client) and 7 more"));
  EXPECT_TRUE(absl::StrContains(
      html, "<li>lyon-c1: no answer from 192.0.2.1:3478 after 7 transmissions</li>"));
  EXPECT_TRUE(absl::StrContains(html, "<li>and 12 more evidence lines</li>"));
  EXPECT_TRUE(absl::StrContains(
      html, "<strong>What to do:</strong> Allow outbound UDP to the STUN servers."));
  // The findings' trend: a second chart and its table.
  EXPECT_TRUE(absl::StrContains(html, "<h2>Findings over time</h2>"));
  EXPECT_TRUE(absl::StrContains(html, "aria-label=\"Agents per finding over time\""));
  EXPECT_TRUE(absl::StrContains(
      html, "<tr><td>UDP blocked</td><td>5</td><td>6</td><td>+1</td><td>11</td></tr>"))
      << html;
  EXPECT_EQ(UnbalancedTags(html), "");
}

TEST(RenderHtmlTest, EscapesHostileHostNamesEvidenceAndRemediation) {
  const std::string html = RenderHtml(HostileFindingData());
  for (const char* raw : {"<script", "<img", "<iframe", "<b>", "</div><script"}) {
    EXPECT_FALSE(absl::StrContains(html, raw)) << raw << "\n" << html;
  }
  EXPECT_TRUE(absl::StrContains(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(absl::StrContains(html, "a&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
  EXPECT_TRUE(absl::StrContains(html, "x: &lt;iframe src=//evil&gt;|**"));
  EXPECT_EQ(UnbalancedTags(html), "");
}

TEST(RenderHtmlTest, SinglePointFindingTrendIsDrawnAsADot) {
  ReportData data = SampleData();
  data.mutable_finding_trends(0)->mutable_points()->DeleteSubrange(1, 7);
  const std::string html = RenderHtml(data);
  const size_t chart = html.find("Agents per finding over time");
  ASSERT_NE(chart, std::string::npos);
  EXPECT_NE(html.find("<circle", chart), std::string::npos);
  EXPECT_TRUE(absl::StrContains(html, "<p>Agents per finding, on 2024-05-01.</p>"));
  EXPECT_TRUE(absl::StrContains(html, "<tr><th>Finding</th><th>Agents on 2024-05-01</th></tr>"))
      << html;
  EXPECT_EQ(UnbalancedTags(html), "");
  EXPECT_TRUE(absl::StrContains(RenderMarkdown(data),
                                "| Finding | Agents on 2024-05-01 |\n|---|---:|\n"
                                "| UDP blocked | 5 |\n"));
}

TEST(RenderHtmlTest, IsSelfContainedWithBalancedInlineSvg) {
  const std::string html = RenderHtml(SampleData());
  EXPECT_TRUE(absl::StartsWith(html, "<!DOCTYPE html>"));
  EXPECT_TRUE(absl::StrContains(html, "<svg xmlns="));
  EXPECT_TRUE(absl::StrContains(html, "<polyline"));
  EXPECT_TRUE(absl::StrContains(html, "</svg>"));
  EXPECT_FALSE(absl::StrContains(html, "<script"));
  EXPECT_FALSE(absl::StrContains(html, "src="));
  EXPECT_FALSE(absl::StrContains(html, "href="));
  EXPECT_FALSE(absl::StrContains(html, "url("));
  EXPECT_EQ(UnbalancedTags(html), "");
}

TEST(RenderHtmlTest, SinglePointTrendStillDrawsAChart) {
  ReportData data = SampleData();
  data.mutable_trend()->DeleteSubrange(1, data.trend_size() - 1);
  const std::string html = RenderHtml(data);
  EXPECT_TRUE(absl::StrContains(html, "<circle"));
  EXPECT_EQ(UnbalancedTags(html), "");
}

TEST(RenderHtmlTest, EmptyDataSaysNoDataYet) {
  ReportData data;
  data.set_scope_description("site paris");
  const std::string html = RenderHtml(data);
  EXPECT_TRUE(absl::StrContains(html, "No data yet")) << html;
  EXPECT_TRUE(absl::StrContains(html, "site paris"));
  EXPECT_FALSE(absl::StrContains(html, "<svg"));
  EXPECT_EQ(UnbalancedTags(html), "");
}

TEST(RenderMarkdownTest, SummaryOnTopAndSitesWorstFirst) {
  const std::string md = RenderMarkdown(SampleData());
  EXPECT_TRUE(absl::StartsWith(md,
                               "# Weekly NAT report\n\nAcross 2 sites, "
                               "76% of 50 clients can go peer-to-peer"))
      << md;
  EXPECT_TRUE(absl::StrContains(md, "up 7 points since 2024-05-01")) << md;
  EXPECT_TRUE(absl::StrContains(md, "Worst: lyon (20%, mostly UDP blocked)"));
  EXPECT_LT(md.find("| lyon |"), md.find("| paris |"));
  EXPECT_LT(md.find("### lyon"), md.find("### paris"));
  EXPECT_TRUE(absl::StrContains(md, "| UDP blocked | 8 agents |"));
}

TEST(RenderMarkdownTest, EscapesHostileSiteNames) {
  ReportData data = SampleData();
  data.mutable_sites(0)->set_site("<script>x</script>|**bold**");
  const std::string md = RenderMarkdown(data);
  EXPECT_FALSE(absl::StrContains(md, "<script")) << md;
  EXPECT_TRUE(absl::StrContains(md,
                                "&lt;script&gt;x&lt;/script&gt;\\|"
                                "\\*\\*bold\\*\\*"))
      << md;
}

TEST(RenderMarkdownTest, FindingsSayWhoWhyAndWhatToDo) {
  const std::string md = RenderMarkdown(SampleData());
  EXPECT_TRUE(absl::StrContains(
      md,
      "#### Findings\n\n**Critical: UDP blocked.** UDP is blocked on 8 clients\n\n"
      "- Affects: lyon-c1 (pc-17.lyon.example, client) and 7 more\n"
      "- Evidence: lyon-c1: no answer from 192.0.2.1:3478 after 7 transmissions\n"
      "- Evidence: and 12 more evidence lines\n"
      "- What to do: Allow outbound UDP to the STUN servers.\n"))
      << md;
  EXPECT_TRUE(absl::StrContains(
      md, "## Findings over time\n\nAgents per finding, daily (2024-05-01 to "
          "2024-05-08).\n\n| Finding | 2024-05-01 | 2024-05-08 | Change | Peak |\n"
          "|---|---:|---:|---:|---:|\n| UDP blocked | 5 | 6 | +1 | 11 |\n"))
      << md;
  // The findings come after the site's counts, before the next site.
  EXPECT_LT(md.find("| UDP blocked | 8 agents |"), md.find("#### Findings"));
  EXPECT_LT(md.find("#### Findings"), md.find("### paris"));
}

TEST(RenderMarkdownTest, EscapesHostileHostNamesAndEvidence) {
  const std::string md = RenderMarkdown(HostileFindingData());
  for (const char* raw : {"<script", "<img", "<iframe", "<b>", "|**"}) {
    EXPECT_FALSE(absl::StrContains(md, raw)) << raw << "\n" << md;
  }
  EXPECT_TRUE(absl::StrContains(md, "x: &lt;iframe src=//evil&gt;\\|\\*\\*")) << md;
}

TEST(RenderMarkdownTest, EmptyDataSaysNoDataYet) {
  const std::string md = RenderMarkdown(ReportData());
  EXPECT_TRUE(absl::StrContains(md, "No data yet: no agent in this scope"))
      << md;
  EXPECT_FALSE(absl::StrContains(md, "| Site |"));
}

TEST(RenderJsonTest, RoundTripsAsProto3Json) {
  const ReportData data = SampleData();
  absl::StatusOr<std::string> json = RenderJson(data);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_TRUE(absl::StrContains(*json, "\"p2pCapableShare\""));
  EXPECT_TRUE(absl::StrContains(*json, "\"FINDING_UDP_BLOCKED\""));
  EXPECT_TRUE(absl::StrContains(*json, "\"hostname\": \"pc-17.lyon.example\""));
  EXPECT_TRUE(absl::StrContains(*json, "\"remediation\": "));
  EXPECT_TRUE(absl::StrContains(*json, "\"findingTrends\": ["));
  ReportData parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*json, &parsed).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(data, parsed));
}

TEST(RenderJsonTest, EmptyDataIsValidJsonWithZeroTotals) {
  absl::StatusOr<std::string> json = RenderJson(ReportData());
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_TRUE(absl::StrContains(*json, "\"sites\": []")) << *json;
}

TEST(RenderReportTest, DispatchesOnFormatAndRejectsUnspecified) {
  const ReportData data = SampleData();
  EXPECT_EQ(*RenderReport(data, natscope::v1::REPORT_FORMAT_MARKDOWN),
            RenderMarkdown(data));
  EXPECT_EQ(*RenderReport(data, natscope::v1::REPORT_FORMAT_HTML),
            RenderHtml(data));
  EXPECT_EQ(RenderReport(data, natscope::v1::REPORT_FORMAT_UNSPECIFIED)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_STREQ(ReportFileExtension(natscope::v1::REPORT_FORMAT_HTML), "html");
}

TEST(ReportTextTest, TiesBreakOnFindingsThenName) {
  ReportData data;
  for (const char* name : {"b", "a", "c"}) {
    auto* row = data.add_sites();
    row->set_site(name);
    row->set_p2p_capable_share(0.5);
  }
  data.mutable_sites(2)->set_worst_finding(natscope::v1::FINDING_CGNAT);
  const auto rows = SitesWorstFirst(data);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]->site(), "c");
  EXPECT_EQ(rows[1]->site(), "a");
  EXPECT_EQ(rows[2]->site(), "b");
}

}  // namespace
}  // namespace natscope::server
