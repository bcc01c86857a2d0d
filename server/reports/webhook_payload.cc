#include "server/reports/webhook_payload.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "server/reports/report_text.h"

namespace natscope::server {
namespace {

constexpr size_t kSlackSites = 5;       // Worst sites listed.
constexpr size_t kSlackFindings = 3;    // Findings listed per site.
constexpr size_t kSlackNameBytes = 80;  // Longer names and titles are cut.

// Slack's mrkdwn needs only these three escaped; with them escaped no text
// can form a <link>, a <!channel> or a <@user> mention.
std::string SlackEscape(absl::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\n':
      case '\r':
        out += ' ';
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// At most kSlackNameBytes of `text`, cut on a UTF-8 character boundary.
std::string Shorten(absl::string_view text) {
  if (text.size() <= kSlackNameBytes) return std::string(text);
  size_t cut = kSlackNameBytes - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return absl::StrCat(text.substr(0, cut), "...");
}

// "UDP blocked (30), AWS NAT gateway (2)": the most common findings first.
std::string Findings(const v1::ReportSiteRow& row) {
  std::vector<v1::FindingCount> counts;
  for (const v1::FindingCount& c : row.finding_counts()) {
    if (c.agents() > 0) counts.push_back(c);
  }
  std::stable_sort(counts.begin(), counts.end(),
                   [](const v1::FindingCount& a, const v1::FindingCount& b) {
                     return a.agents() > b.agents();
                   });
  std::vector<std::string> parts;
  for (size_t i = 0; i < counts.size() && i < kSlackFindings; ++i) {
    parts.push_back(absl::StrCat(FindingLabel(counts[i].code()), " (",
                                 counts[i].agents(), ")"));
  }
  if (counts.size() > kSlackFindings) parts.push_back("...");
  if (parts.empty() && row.worst_finding() != v1::FINDING_UNSPECIFIED) {
    parts.push_back(FindingLabel(row.worst_finding()));
  }
  return parts.empty() ? "no findings" : absl::StrJoin(parts, ", ");
}

std::string SiteLine(const v1::ReportSiteRow& row) {
  return absl::StrCat(
      "- ", Shorten(row.site()), ": ", Percent(row.p2p_capable_share()),
      " peer-to-peer, ", row.clients(),
      row.clients() == 1 ? " client, " : " clients, ", row.connectors(),
      row.connectors() == 1 ? " connector; " : " connectors; ", Findings(row));
}

// `text` as a JSON string literal. ReportData's strings are UTF-8 (proto3
// checks on parsing), so bytes from 0x80 up pass through.
std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || u == 0x7f) {
      out += absl::StrFormat("\\u%04x", u);
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

}  // namespace

std::string WebhookSignature(absl::string_view secret, int64_t unix_seconds,
                             absl::string_view body) {
  const std::string signed_text = absl::StrCat(unix_seconds, ".", body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()),
       signed_text.size(), mac, &size);
  return absl::StrCat("sha256=",
                      absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(mac), size)));
}

std::string SlackText(const v1::ReportData& data) {
  const std::string title =
      data.title().empty() ? "natscope report" : data.title();
  std::string heading = absl::StrCat("*", SlackEscape(Shorten(title)), "*");
  if (!data.scope_description().empty()) {
    absl::StrAppend(&heading, " (",
                    SlackEscape(Shorten(data.scope_description())), ")");
  }
  if (data.has_generated_at()) {
    absl::StrAppend(&heading, ", ", FormatReportTime(data.generated_at()));
  }
  std::vector<std::string> lines = {heading, SlackEscape(SummaryLine(data))};
  if (HasNoData(data)) return absl::StrJoin(lines, "\n");
  lines.push_back("Worst sites:");
  const std::vector<const v1::ReportSiteRow*> sites = SitesWorstFirst(data);
  for (size_t i = 0; i < sites.size() && i < kSlackSites; ++i) {
    lines.push_back(SlackEscape(SiteLine(*sites[i])));
  }
  if (sites.size() > kSlackSites) {
    const size_t more = sites.size() - kSlackSites;
    lines.push_back(absl::StrCat("and ", more,
                                 more == 1 ? " more site" : " more sites",
                                 " (natscope sites lists them all)"));
  }
  return absl::StrJoin(lines, "\n");
}

std::string SlackPayload(const v1::ReportData& data) {
  return absl::StrCat("{\"text\": ", JsonString(SlackText(data)), "}");
}

WebhookMessage BuildWebhookMessage(v1::WebhookFormat format,
                                   const v1::ReportData& data,
                                   absl::string_view report,
                                   absl::string_view report_content_type,
                                   absl::string_view secret, absl::Time now) {
  WebhookMessage message;
  if (format == v1::WEBHOOK_FORMAT_SLACK) {
    message.content_type = "application/json";
    message.body = SlackPayload(data);
  } else {
    message.content_type = std::string(report_content_type);
    message.body = std::string(report);
  }
  if (!secret.empty()) {
    const int64_t seconds = absl::ToUnixSeconds(now);
    message.headers.emplace_back(kWebhookTimestampHeader,
                                 absl::StrCat(seconds));
    message.headers.emplace_back(
        kWebhookSignatureHeader,
        WebhookSignature(secret, seconds, message.body));
  }
  return message;
}

}  // namespace natscope::server
