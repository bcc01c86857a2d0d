#include "server/reports/svg_chart.h"

#include "server/reports/escape.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/reports/report_text.h"

namespace natscope::server {
namespace {

constexpr double kWidth = 640, kHeight = 240;
constexpr double kLeft = 48, kRight = 16, kTop = 16, kBottom = 32;
constexpr int kMaxMarkers = 60;  // Beyond this, dots only clutter the line.

std::string Coord(double v) { return absl::StrFormat("%.1f", v); }

// x of point `i` of `n` placed by time from `t0` over `span` seconds.
double XOf(int i, int n, absl::Time t0, double span, absl::Time t) {
  const double plot_w = kWidth - kLeft - kRight;
  if (n == 1) return kLeft + plot_w / 2;
  if (span <= 0) return kLeft + plot_w * i / (n - 1);
  return kLeft + plot_w * std::clamp(absl::ToDoubleSeconds(t - t0) / span, 0.0, 1.0);
}

// Colours told apart by most readers, in the series' order.
constexpr const char* kSeriesColours[] = {"#d62728", "#ff7f0e", "#9467bd",
                                          "#1f77b4", "#8c564b", "#e377c2",
                                          "#2ca02c", "#7f7f7f", "#bcbd22",
                                          "#17becf"};

}  // namespace

std::string TrendChartSvg(
    const google::protobuf::RepeatedPtrField<natscope::v1::TrendPoint>& trend) {
  if (trend.empty()) {
    return "<p class=\"no-trend\">No trend yet: the chart appears once the "
           "share has been measured at least once.</p>\n";
  }
  const double plot_h = kHeight - kTop - kBottom;
  const absl::Time t0 = FromProtoTime(trend.Get(0).time());
  const absl::Time t1 = FromProtoTime(trend.Get(trend.size() - 1).time());
  const double span = absl::ToDoubleSeconds(t1 - t0);
  auto x_of = [&](int i) {
    return XOf(i, trend.size(), t0, span, FromProtoTime(trend.Get(i).time()));
  };
  auto y_of = [&](double share) {
    return kTop + plot_h * (1 - std::clamp(share, 0.0, 1.0));
  };

  std::string svg = absl::StrCat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", kWidth, " ",
      kHeight, "\" width=\"", kWidth, "\" height=\"", kHeight,
      "\" role=\"img\" aria-label=\"Peer-to-peer-capable share over time\">\n"
      "<title>Peer-to-peer-capable share over time</title>\n");
  // Horizontal grid lines with labels at 0, 50 and 100%.
  for (int pct : {0, 50, 100}) {
    const std::string y = Coord(y_of(pct / 100.0));
    absl::StrAppend(&svg, "<line x1=\"", Coord(kLeft), "\" y1=\"", y,
                    "\" x2=\"", Coord(kWidth - kRight), "\" y2=\"", y,
                    "\" stroke=\"#ccc\" stroke-width=\"1\"/>\n", "<text x=\"",
                    Coord(kLeft - 6), "\" y=\"", y,
                    "\" text-anchor=\"end\" dominant-baseline=\"middle\" "
                    "font-size=\"11\">",
                    pct, "%</text>\n");
  }
  std::string points;
  for (int i = 0; i < trend.size(); ++i) {
    absl::StrAppend(&points, i == 0 ? "" : " ", Coord(x_of(i)), ",",
                    Coord(y_of(trend.Get(i).p2p_capable_share())));
  }
  absl::StrAppend(&svg,
                  "<polyline fill=\"none\" stroke=\"#1f6feb\" "
                  "stroke-width=\"2\" points=\"",
                  points, "\"/>\n");
  if (trend.size() <= kMaxMarkers) {
    for (int i = 0; i < trend.size(); ++i) {
      absl::StrAppend(&svg, "<circle cx=\"", Coord(x_of(i)), "\" cy=\"",
                      Coord(y_of(trend.Get(i).p2p_capable_share())),
                      "\" r=\"3\" fill=\"#1f6feb\"><title>",
                      HtmlEscape(FormatReportTime(trend.Get(i).time())), ": ",
                      Percent(trend.Get(i).p2p_capable_share()),
                      "</title></circle>\n");
    }
  }
  // Dates of the first and last points under the x axis.
  const std::string label_y = Coord(kHeight - 10);
  absl::StrAppend(&svg, "<text x=\"", Coord(kLeft), "\" y=\"", label_y,
                  "\" font-size=\"11\">",
                  HtmlEscape(FormatReportTime(trend.Get(0).time())),
                  "</text>\n");
  if (trend.size() > 1) {
    absl::StrAppend(
        &svg, "<text x=\"", Coord(kWidth - kRight), "\" y=\"", label_y,
        "\" text-anchor=\"end\" font-size=\"11\">",
        HtmlEscape(FormatReportTime(trend.Get(trend.size() - 1).time())),
        "</text>\n");
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

std::string FindingTrendChartSvg(
    const google::protobuf::RepeatedPtrField<natscope::v1::FindingTrend>& trends) {
  if (trends.empty() || trends.Get(0).points().empty()) {
    return "<p class=\"no-trend\">No finding recorded over this period.</p>\n";
  }
  const auto& times = trends.Get(0).points();
  const int n = times.size();
  const absl::Time t0 = FromProtoTime(times.Get(0).time());
  const double span = absl::ToDoubleSeconds(FromProtoTime(times.Get(n - 1).time()) - t0);
  uint32_t peak = 1;
  for (const auto& series : trends) {
    for (const auto& point : series.points()) peak = std::max(peak, point.agents());
  }
  const double plot_h = kHeight - kTop - kBottom;
  auto y_of = [&](uint32_t agents) {
    return kTop + plot_h * (1 - static_cast<double>(agents) / peak);
  };
  const double height = kHeight + 16.0 * trends.size();
  std::string svg = absl::StrCat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", kWidth, " ",
      height, "\" width=\"", kWidth, "\" height=\"", height,
      "\" role=\"img\" aria-label=\"Agents per finding over time\">\n"
      "<title>Agents per finding over time</title>\n");
  for (const uint32_t level : {0u, peak}) {
    const std::string y = Coord(y_of(level));
    absl::StrAppend(&svg, "<line x1=\"", Coord(kLeft), "\" y1=\"", y, "\" x2=\"",
                    Coord(kWidth - kRight), "\" y2=\"", y,
                    "\" stroke=\"#ccc\" stroke-width=\"1\"/>\n<text x=\"",
                    Coord(kLeft - 6), "\" y=\"", y,
                    "\" text-anchor=\"end\" dominant-baseline=\"middle\" "
                    "font-size=\"11\">",
                    level, "</text>\n");
  }
  for (int s = 0; s < trends.size(); ++s) {
    const auto& series = trends.Get(s);
    const char* colour = kSeriesColours[s % std::size(kSeriesColours)];
    std::string points;
    for (int i = 0; i < series.points_size() && i < n; ++i) {
      absl::StrAppend(&points, i == 0 ? "" : " ",
                      Coord(XOf(i, n, t0, span, FromProtoTime(times.Get(i).time()))),
                      ",", Coord(y_of(series.points(i).agents())));
    }
    const std::string label = HtmlEscape(FindingLabel(series.code()));
    absl::StrAppend(&svg, "<polyline fill=\"none\" stroke=\"", colour,
                    "\" stroke-width=\"2\" points=\"", points, "\"><title>", label,
                    "</title></polyline>\n");
    if (n == 1) {  // A line of one point is not drawn: a dot instead.
      absl::StrAppend(&svg, "<circle cx=\"", Coord(XOf(0, 1, t0, span, t0)),
                      "\" cy=\"", Coord(y_of(series.points(0).agents())),
                      "\" r=\"3\" fill=\"", colour, "\"/>\n");
    }
    const std::string y = Coord(kHeight + 16.0 * s + 4);
    absl::StrAppend(&svg, "<rect x=\"", Coord(kLeft), "\" y=\"", y,
                    "\" width=\"12\" height=\"10\" fill=\"", colour,
                    "\"/>\n<text x=\"", Coord(kLeft + 18), "\" y=\"",
                    Coord(kHeight + 16.0 * s + 13), "\" font-size=\"11\">", label,
                    "</text>\n");
  }
  const std::string label_y = Coord(kHeight - 10);
  absl::StrAppend(&svg, "<text x=\"", Coord(kLeft), "\" y=\"", label_y,
                  "\" font-size=\"11\">", HtmlEscape(FormatReportTime(times.Get(0).time())),
                  "</text>\n");
  if (n > 1) {
    absl::StrAppend(&svg, "<text x=\"", Coord(kWidth - kRight), "\" y=\"", label_y,
                    "\" text-anchor=\"end\" font-size=\"11\">",
                    HtmlEscape(FormatReportTime(times.Get(n - 1).time())), "</text>\n");
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

}  // namespace natscope::server
