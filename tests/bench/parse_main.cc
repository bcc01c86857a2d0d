// `natscope-agent parse` without the rest of the agent: tools/bench.sh
// falls back to it while natscope-agent does not dispatch `parse` yet.
// usage: parse_main FILE...
#include <iostream>
#include <string>
#include <vector>

#include "ingest/agent/parse_command.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> files(argv + 1, argv + argc);
  return natscope::ingest::RunParseCommand(files, {}, std::cout, std::cerr);
}
