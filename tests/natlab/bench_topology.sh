#!/usr/bin/env bash
# Times one NAT-lab topology for `tools/bench.sh probe`: RUNS alternating
# runs of coturn's `turnutils_natdiscovery -m -f` and of `natscope-agent
# probe --json`, both from the client namespace against the same STUN
# server (the one the topology's test uses). Progress goes to stderr; the
# result is one line on stdout:
#   TOPOLOGY ND_MEDIAN_S AGENT_MEDIAN_S ND_VERDICT AGENT_VERDICT
# A verdict is "MAPPING/FILTERING" in short form (none, EI, AD, APD, ?),
# "no-answer" when nothing answered, or "varies" when runs disagreed.
# Usage: bench_topology.sh NATSCOPE_AGENT NATSCOPE_SERVER TOPOLOGY RUNS
AGENT=$(realpath "$1") SERVER=$(realpath "$2") TOPOLOGY=$3 RUNS=$4
source "$(dirname "$0")/natlab.sh"

short() {
  local verdict=$1
  [[ "$verdict" == "MAPPING_UNKNOWN FILTERING_UNKNOWN" ]] && { echo no-answer; return; }
  verdict=${verdict//MAPPING_/} verdict=${verdict//FILTERING_/}
  verdict=${verdict//ADDRESS_AND_PORT_DEPENDENT/APD}
  verdict=${verdict//ADDRESS_DEPENDENT/AD}
  verdict=${verdict//ENDPOINT_INDEPENDENT/EI}
  verdict=${verdict//NO_NAT/none} verdict=${verdict//UNKNOWN/?}
  echo "${verdict/ //}"
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END {
  print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

nl_setup "$TOPOLOGY" "$AGENT" "$SERVER" >&2
[[ ${#NL_AGENT_MISSING[@]} -eq 0 ]] ||
  log "note: natscope-agent lacks ${NL_AGENT_MISSING[*]}; probing without" >&2
nd_times="" agent_times="" nd_verdicts="" agent_verdicts=""
for ((run = 1; run <= RUNS; run++)); do
  nl_natdiscovery "$NL_CLIENT" "$NL_CLIENT_IP" "$NL_STUN_IP"
  nd_times+=" $ND_SECONDS"
  nd_verdicts+=" $(short "$ND_MAPPING $ND_FILTERING")"
  nl_agent_probe "$AGENT"
  [[ $AGENT_RC -eq 0 ]] || fail "natscope-agent exited with $AGENT_RC: $(tail -n 5 "$NL_SCRATCH/agent.log")"
  agent_times+=" $AGENT_SECONDS"
  agent_verdicts+=" $(short "$(json_top "$AGENT_JSON" mappingBehavior MAPPING_UNKNOWN) $(
    json_top "$AGENT_JSON" filteringBehavior FILTERING_UNKNOWN)")"
  log "$TOPOLOGY run $run: natdiscovery ${ND_SECONDS}s, natscope-agent ${AGENT_SECONDS}s" >&2
done

one_verdict() {
  local unique
  unique=$(tr ' ' '\n' <<<"$1" | grep . | sort -u)
  [[ $(wc -l <<<"$unique") -eq 1 ]] && echo "$unique" || echo varies
}
echo "$TOPOLOGY $(median <<<"$nd_times") $(median <<<"$agent_times")" \
  "$(one_verdict "$nd_verdicts") $(one_verdict "$agent_verdicts")"
