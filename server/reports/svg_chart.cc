#include "server/reports/svg_chart.h"

#include "server/reports/escape.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/reports/report_text.h"

namespace natscope::server {
namespace {

constexpr double kWidth = 640, kHeight = 240;
constexpr double kLeft = 48, kRight = 16, kTop = 16, kBottom = 32;
constexpr int kMaxMarkers = 60;  // Beyond this, dots only clutter the line.

std::string Coord(double v) { return absl::StrFormat("%.1f", v); }

}  // namespace

std::string TrendChartSvg(
    const google::protobuf::RepeatedPtrField<natscope::v1::TrendPoint>& trend) {
  if (trend.empty()) {
    return "<p class=\"no-trend\">No trend yet: the chart appears once the "
           "share has been measured at least once.</p>\n";
  }
  const double plot_w = kWidth - kLeft - kRight;
  const double plot_h = kHeight - kTop - kBottom;
  const absl::Time t0 = FromProtoTime(trend.Get(0).time());
  const absl::Time t1 = FromProtoTime(trend.Get(trend.size() - 1).time());
  const double span = absl::ToDoubleSeconds(t1 - t0);
  auto x_of = [&](int i) {
    if (trend.size() == 1) return kLeft + plot_w / 2;
    if (span <= 0) return kLeft + plot_w * i / (trend.size() - 1);
    const double dt =
        absl::ToDoubleSeconds(FromProtoTime(trend.Get(i).time()) - t0);
    return kLeft + plot_w * std::clamp(dt / span, 0.0, 1.0);
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

}  // namespace natscope::server
