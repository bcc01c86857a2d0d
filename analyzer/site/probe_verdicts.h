// The server's own verdict on a stored probe, beside the agent's. Agents
// decide with the rules and AWS ranges they were built with; the server
// re-decides from the same evidence (observations, port and QUIC checks,
// gateways, hops) with its own, so that a corrected rule or newer ranges
// apply to every stored probe. Where the two differ, the server's wins
// and the difference is shown. Pure and thread-safe.
#ifndef NATSCOPE_ANALYZER_SITE_PROBE_VERDICTS_H_
#define NATSCOPE_ANALYZER_SITE_PROBE_VERDICTS_H_

#include <string>
#include <vector>

#include "analyzer/evidence/aws_ranges.h"
#include "natscope/v1/analysis.pb.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::analyzer {

// `sent` with its verdicts and findings decided again by ClassifyProbe and
// AddPathFindings (`aws_ranges` may be null: no AWS detection). A report
// without observations carries no evidence to re-decide from and comes
// back unchanged.
v1::ProbeReport Reclassify(const v1::ProbeReport& sent,
                           const AwsRanges* aws_ranges);

// What the views show of a probe: its time, verdicts and findings.
v1::ProbeSummary SummarizeProbe(const v1::ProbeReport& report);

// One line per verdict on which `agent` and `server` differ, in a fixed
// order: UDP, mapping, filtering, QUIC, public address, then each finding
// code only one of them has, e.g. "mapping: agent said
// endpoint-independent, server says address-and-port-dependent" or
// "finding aws-nat-gateway: server only". Empty when they agree.
std::vector<std::string> VerdictDifferences(const v1::ProbeSummary& agent,
                                            const v1::ProbeSummary& server);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_SITE_PROBE_VERDICTS_H_
