// `natscope-agent parse [--config FILE] FILE...`: runs the parser over
// whole files, so an operator can test rules on real logs before shipping.
#ifndef NATSCOPE_INGEST_AGENT_PARSE_COMMAND_H_
#define NATSCOPE_INGEST_AGENT_PARSE_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "ingest/parse/log_parser.h"

namespace natscope::ingest {

// Parses every line of `files` ("-" is standard input) with the built-in
// rules followed by `extra_rules` and writes each record the agent would
// ship to `out`: one LogEvent per line as single-line proto3 JSON. Then
// writes to `err` how many lines each rule matched (zero included), plus
// one line per file that could not be read, naming it and what to fix.
// Lines longer than the agent's limit (64 KiB) are cut there, as the
// agent cuts them; a last line without a newline is parsed too.
// Returns 0 when every file was read, 1 when some could not be, 2 when a
// rule is bad (its name and RE2's error go to `err`) or no file is given.
// Maps a regular file 4 MiB at a time (munmapped before the next window;
// no copy through read()), and reads pipes and other files in 256 KiB
// blocks; either way one SIMD literal scan covers a window or block, so
// memory stays small whatever the file size and lines no rule can match
// cost almost nothing. As with any reader that maps files (ripgrep
// included), truncating a file while it is being parsed can end the
// process with SIGBUS: parse a copy of a log that copytruncate rotates.
int RunParseCommand(const std::vector<std::string>& files,
                    const std::vector<RuleSpec>& extra_rules, std::ostream& out,
                    std::ostream& err);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_AGENT_PARSE_COMMAND_H_
