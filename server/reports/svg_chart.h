// An inline SVG line chart of a report's trend series. Pure.
#ifndef NATSCOPE_SERVER_REPORTS_SVG_CHART_H_
#define NATSCOPE_SERVER_REPORTS_SVG_CHART_H_

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_field.h"
#include "natscope/v1/reports.pb.h"

namespace natscope::server {

// A self-contained <svg> element plotting the peer-to-peer-capable share
// (0-100% on the y axis) against time (x axis, points placed by their
// timestamps; equal timestamps are spread evenly). No scripts, no external
// references. An empty series yields a <p> saying there is no trend yet.
std::string TrendChartSvg(
    const google::protobuf::RepeatedPtrField<natscope::v1::TrendPoint>& trend);

// The same kind of chart for agents per finding code: one coloured line
// per series (y from 0 to the highest count), a legend naming each
// finding under the plot. The series share their times (FindingTrendsOf).
// An empty list yields a <p> saying no finding was recorded.
std::string FindingTrendChartSvg(
    const google::protobuf::RepeatedPtrField<natscope::v1::FindingTrend>&
        trends);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_REPORTS_SVG_CHART_H_
