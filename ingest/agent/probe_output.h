// Renders a ProbeReport for people (verdicts first, then evidence, then
// what to do) and for machines (proto3 JSON). Pure.
#ifndef NATSCOPE_INGEST_AGENT_PROBE_OUTPUT_H_
#define NATSCOPE_INGEST_AGENT_PROBE_OUTPUT_H_

#include <string>

#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

std::string FormatProbeReport(const v1::ProbeReport& report);

// proto3 JSON with lowerCamelCase field names and enum names, one object,
// newline-terminated.
std::string ProbeReportJson(const v1::ProbeReport& report);

// Plain-language names of the verdict enums.
std::string DescribeMapping(v1::MappingBehavior mapping);
std::string DescribeFiltering(v1::FilteringBehavior filtering);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_AGENT_PROBE_OUTPUT_H_
