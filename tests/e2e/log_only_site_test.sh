#!/usr/bin/env bash
# A log-only site on real parts: natscope-server with its embedded
# PostgreSQL, two natscope-agent daemons with probing off (no STUN server
# configured) that only follow the product's log files, and the natscope
# CLI. The connector's log says stun_nat_type endpoint-dependent and shows
# a relay-listener error; the client's says endpoint-independent. Every
# verdict and finding of the site must then come from those lines:
#   - the one pair is RELAY ONLY, resting on the log;
#   - the site's findings are exactly STUN discovery unavailable and
#     endpoint-dependent mapping, both on the connector, both from the log;
#   - every source anywhere in the site's analysis is the log.
AGENT=$1 SERVER=$2 CLI=$3
source "$(dirname "$0")/lib.sh"

start_server srv

# Dated a minute ago: the analyzer weighs a stun_nat_type line while it is
# at most a week old. The connector lines carry the prefix of the
# knowledge-base article, the client's a bare timestamp.
at=$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)
cat >"$SCRATCH/connector.log" <<LOG
[$at][Connector]: [INFO] [connector] State: Starting
[$at][Connector]: [INFO] [libsdwan] stun_nat_type: endpoint-dependent
[$at][Connector]: [ERROR] [libsdwan] listen::channel_event: Failed to preconnect a relay listener "ice://any": 110 (Connection timed out)
LOG
cat >"$SCRATCH/client.log" <<LOG
$at [INFO] [libsdwan] stun_nat_type: endpoint-independent
LOG

# No --stun and no config file: the agent runs no probe at all.
for who in client connector; do
  spawn "$AGENT" run --nogateways --plaintext --token="$ENROLL_TOKEN" \
    --server="127.0.0.1:$GRPC_PORT" --site=harbour --role="$who" \
    --agent_id="harbour-$who-1" --log_file="$SCRATCH/$who.log" \
    --state_dir="$SCRATCH/state-$who" --poll_interval=100ms \
    >"$SCRATCH/agent-$who.log" 2>&1
done

admin() { "$CLI" --server="127.0.0.1:$GRPC_PORT" --token_file="$TOKEN_FILE" "$@"; }
# Both agents' lines have arrived: the connector's two findings and the
# client's NAT type are in the live analysis.
analysed() {
  local json
  json=$(admin site harbour --json 2>/dev/null) || return 1
  grep -q '"FINDING_STUN_DISCOVERY_UNAVAILABLE"' <<<"$json" &&
    grep -q '"FINDING_ENDPOINT_DEPENDENT_MAPPING"' <<<"$json" &&
    grep -q "endpoint-independent (from the product's log)" <<<"$json"
}
wait_for 90 "the site's log lines to be analysed" analysed

json=$(admin site harbour --json)
echo "$json"
# No probe ever ran: nothing here may rest on anything but the log.
sources=$(grep -o 'EVIDENCE_SOURCE_[A-Z_]*' <<<"$json" | sort -u | tr '\n' ' ')
[[ "$sources" == "EVIDENCE_SOURCE_LOG " ]] || fail "sources other than the log: $sources"
verdicts=$(grep -o '"verdict": "[A-Z_]*"' <<<"$json" | tr '\n' ' ')
[[ "$verdicts" == '"verdict": "PAIR_VERDICT_RELAY_ONLY" ' ]] || fail "pair verdicts: $verdicts"
codes=$(grep -o '"code": "FINDING_[A-Z_]*"' <<<"$json" | sed 's/.*"\(FINDING_[A-Z_]*\)"/\1/' | sort | tr '\n' ' ')
[[ "$codes" == "FINDING_ENDPOINT_DEPENDENT_MAPPING FINDING_STUN_DISCOVERY_UNAVAILABLE " ]] ||
  fail "the site's findings: $codes"
grep -q '"p2pCapableClients"' <<<"$json" && fail "a client counted as peer-to-peer capable"

# The same in words, as an operator reads it.
site=$(admin site harbour)
echo "$site"
grep -qE "^  1 endpoint-independent \(from the product's log\) +1 endpoint-dependent \(from the product's log\), STUN discovery unavailable +1 +RELAY ONLY +log +STUN discovery is unavailable on the connector$" <<<"$site" ||
  fail "the pair row: $site"
grep -q "^  harbour-connector-1: unavailable (log)$" <<<"$site" || fail "the connector's STUN discovery: $site"
grep -q "affects: harbour-connector-1 (log)$" <<<"$site" || fail "the findings' sources: $site"

# Per agent and finding (ListFindings): the exact set, each from the log.
findings=$(admin findings harbour)
echo "$findings"
got=$(sed -n 's|^\[[A-Z]*\] harbour/\([^ ]*\) ([a-z]*): \([a-z-]*\) (\([a-z ]*\)):.*|\1 \2 \3|p' <<<"$findings" | sort | tr '\n' ';')
want="harbour-connector-1 endpoint-dependent-mapping log;harbour-connector-1 stun-discovery-unavailable log;"
[[ "$got" == "$want" ]] || fail "findings per agent: '$got' (want '$want')"

# Each agent's own page says what its class rests on.
connector=$(admin agent harbour-connector-1)
echo "$connector"
grep -qE "^  rests on: log$" <<<"$connector" || fail "the connector's class source: $connector"
grep -q "^STUN discovery: unavailable (log)$" <<<"$connector" || fail "the connector's STUN: $connector"
grep -q "failure(s) to preconnect a relay listener" <<<"$connector" ||
  fail "the relay-listener error is not the evidence: $connector"
grep -q "no probe reports yet" <<<"$connector" || fail "a probe ran: $connector"
client=$(admin agent harbour-client-1)
grep -q "^NAT class: endpoint-independent (from the product's log)$" <<<"$client" || fail "client: $client"
grep -q "^Findings: none$" <<<"$client" || fail "the client has findings: $client"
agents=$(admin agents harbour)
echo "$agents"
grep -qE "^harbour-client-1 +client +endpoint-independent .* log +[0-9TZ:.-]+ " <<<"$agents" ||
  fail "the agents table: $agents"

log "a log-only site rests on the log"
echo PASS
