// Path findings from a probe's evidence beyond STUN mapping: carrier-grade
// NAT, double NAT and AWS NAT gateways. Pure and thread-compatible.
#ifndef NATSCOPE_ANALYZER_EVIDENCE_FINDINGS_H_
#define NATSCOPE_ANALYZER_EVIDENCE_FINDINGS_H_

#include <optional>

#include "analyzer/evidence/aws_ranges.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::analyzer {

// Reads report->observations(), public_address(), mapping_behavior(),
// port_preserved(), hops() and gateways() (run ClassifyProbe first) and
// appends to report->findings():
//
// - FINDING_CGNAT (warning) when a STUN-mapped address, a hop, or a
//   gateway's external address is in 100.64.0.0/10.
// - FINDING_DOUBLE_NAT (warning) when a gateway reports a private or CGNAT
//   external address, or a public one other than the STUN-mapped IP; or
//   when two or more distinct private/CGNAT hops precede the first public
//   hop (one such hop is the home router itself; each further one is
//   another NAT layer). The hop rule is skipped when there is no NAT
//   (MAPPING_NO_NAT) and when a gateway's external address equals the
//   mapped IP (the first hop then is the only translation; further private
//   hops are routing, as in enterprise networks).
// - FINDING_AWS_NAT_GATEWAY (critical) when `aws` is set (the public
//   address is in an EC2/AMAZON prefix) and mapping is endpoint-dependent
//   and port_preserved is present and false.
//
// Documentation addresses count as public, so that labs built from them
// behave like the internet. Unanswered hops are skipped. Each finding's
// evidence names the observation that fired it. Sets report->aws to
// `aws` (clears it when unset). Findings of these three codes already in the report are
// replaced, so calling it twice is harmless.
void AddPathFindings(const std::optional<v1::AwsMatch>& aws,
                     v1::ProbeReport* report);

// Same, looking report->public_address() up in `ranges` (may be null: no
// AWS detection), and records which ranges decided: aws_ranges_date (their
// createDate) and aws_ranges_source ("built-in" or the file's path), both
// cleared when `ranges` is null.
void AddPathFindings(const AwsRanges* ranges, v1::ProbeReport* report);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_EVIDENCE_FINDINGS_H_
