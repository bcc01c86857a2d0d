#!/usr/bin/env bash
# Agent -> server -> query on loopback, on real parts: natscope-server with
# its embedded PostgreSQL, two natscope-agent daemons following log files
# and probing the server's STUN responder, and the natscope CLI.
AGENT=$1 SERVER=$2 CLI=$3
source "$(dirname "$0")/lib.sh"

start_server srv

cat >"$SCRATCH/client.log" <<'LOG'
2026-11-25T09:00:05Z [INFO] [libsdwan] stun_nat_type: endpoint-dependent
LOG
: >"$SCRATCH/connector.log"

spawn "$AGENT" run --nogateways --plaintext --token="$ENROLL_TOKEN" --server="127.0.0.1:$GRPC_PORT" --stun="127.0.0.1:$STUN_PORT" \
  --site=lyon --role=client --agent_id=lyon-client-1 --log_file="$SCRATCH/client.log" --state_dir="$SCRATCH/state-client" \
  --probe_interval=1h --poll_interval=100ms >"$SCRATCH/agent-client.log" 2>&1
spawn "$AGENT" run --nogateways --plaintext --token="$ENROLL_TOKEN" --server="127.0.0.1:$GRPC_PORT" --stun="127.0.0.1:$STUN_PORT" \
  --site=lyon --role=connector --agent_id=lyon-connector-1 \
  --log_file="$SCRATCH/connector.log" --state_dir="$SCRATCH/state-connector" \
  --probe_interval=1h --poll_interval=100ms \
  >"$SCRATCH/agent-connector.log" 2>&1

sites() { "$CLI" sites --token_file="$TOKEN_FILE" --server="127.0.0.1:$GRPC_PORT"; }
has_row() { sites | grep -qE "$1"; }

# The client's log names its NAT type; the connector has only its probe,
# which over loopback measures no NAT.
wait_for 60 "the client's log line" has_row '^lyon +client +1 +endpoint-dependent: 1$'
wait_for 60 "the connector's probe" has_row '^lyon +connector +1 +no-nat: 1$'

# A line appended later is tailed and wins as the latest NAT type.
echo "2026-11-25T10:00:00Z [INFO] [libsdwan] stun_nat_type: endpoint-independent" >>"$SCRATCH/client.log"
wait_for 60 "the appended log line" has_row '^lyon +client +1 +endpoint-independent: 1$'

# The analysed site: both agents probed loopback (no NAT), so the one
# client reaches the one connector directly.
analysis=$("$CLI" site lyon --token_file="$TOKEN_FILE" --server="127.0.0.1:$GRPC_PORT")
echo "$analysis"
grep -q "Peer-to-peer: 1 of 1 client(s) (100%)" <<<"$analysis" || fail "site analysis: $analysis"
grep -q "direct" <<<"$analysis" || fail "no direct pair in: $analysis"
"$CLI" site nowhere --token_file="$TOKEN_FILE" --server="127.0.0.1:$GRPC_PORT" 2>"$SCRATCH/nosite.err" && fail "an unknown site must fail"
grep -q 'no site "nowhere"' "$SCRATCH/nosite.err" || fail "unclear error: $(cat "$SCRATCH/nosite.err")"

json=$("$CLI" sites --token_file="$TOKEN_FILE" --server="127.0.0.1:$GRPC_PORT" --json)
"$CLI" sites --server="127.0.0.1:$GRPC_PORT" 2>"$SCRATCH/noauth.err" && fail "queries need a token"
grep -q "token" "$SCRATCH/noauth.err" || fail "unclear error without a token: $(cat "$SCRATCH/noauth.err")"
echo "$json"
grep -q '"site": "lyon"' <<<"$json" || fail "no site lyon in JSON"
grep -q '"clients": 1' <<<"$json" || fail "clients != 1"
grep -q '"connectors": 1' <<<"$json" || fail "connectors != 1"

admin() { "$CLI" --server="127.0.0.1:$GRPC_PORT" --token_file="$TOKEN_FILE" "$@"; }

# The agent's own account: records shipped, nothing dropped.
# (status.json is rewritten every status interval, 10 s by default.)
shipped() {
  "$AGENT" status --state_dir="$SCRATCH/state-client" --json | grep -qE '"records_shipped":"[1-9]'
}
wait_for 30 "the status file to show shipped records" shipped
status=$("$AGENT" status --state_dir="$SCRATCH/state-client" --json)
echo "$status"
grep -q '"records_dropped":"0"' <<<"$status" || fail "status shows dropped records"
"$AGENT" status --state_dir="$SCRATCH/state-client" || fail "natscope-agent status failed"

agents=$(admin agents lyon)
echo "$agents"
grep -qE "^lyon-client-1 +client +endpoint-independent +no-nat" <<<"$agents" || fail "agents: $agents"
grep -qE "^lyon-connector-1 +connector +no-nat" <<<"$agents" || fail "agents: $agents"
# Without a site: the fleet, with each agent's site.
fleet=$(admin agents)
echo "$fleet"
grep -qE "^AGENT +SITE +ROLE" <<<"$fleet" || fail "fleet agents: $fleet"
grep -qE "^lyon-client-1 +lyon +client +endpoint-independent" <<<"$fleet" \
  || fail "fleet agents: $fleet"
admin findings | grep -q "no findings" || fail "findings: $(admin findings)"
history=$(admin agent lyon-connector-1)
echo "$history"
grep -qE "^Agent lyon-connector-1 \(connector at site lyon" <<<"$history" || fail "agent: $history"
grep -qE "ok +no-nat +unknown +127\.0\.0\.1:[0-9]+ +-" <<<"$history" || fail "no probe in history: $history"
# The agents' own health: both report, probe and lose nothing.
grep -q "^Health: ok$" <<<"$history" || fail "agent health: $history"
unhealthy=$(admin agents --unhealthy)
echo "$unhealthy"
grep -q "^no unhealthy agents$" <<<"$unhealthy" || fail "agents --unhealthy: $unhealthy"
admin agent lyon-client-1 --json | grep -q '"healthy": true' || fail "no health in agent --json"
admin agent nobody 2>"$SCRATCH/noagent.err" && fail "an unknown agent must fail"
grep -q 'no agent "nobody"' "$SCRATCH/noagent.err" || fail "unclear: $(cat "$SCRATCH/noagent.err")"

# Tokens end to end: an admin creates a site enrollment token and a viewer
# token; the viewer can read but not create tokens.
created=$(admin tokens enroll create lyon)
echo "$created"
grep -q "enrollment token for site lyon" <<<"$created" || fail "no enrollment token: $created"
admin tokens enroll list | grep -q "lyon" || fail "the token is not listed"
tail -n 1 <<<"$(admin tokens api create viewer dashboard)" >"$SCRATCH/viewer"
"$CLI" --server="127.0.0.1:$GRPC_PORT" --token_file="$SCRATCH/viewer" sites | grep -q lyon ||
  fail "a viewer cannot read"
if "$CLI" --server="127.0.0.1:$GRPC_PORT" --token_file="$SCRATCH/viewer" tokens enroll create lyon \
  2>"$SCRATCH/viewer.err"; then
  fail "a viewer created a token"
fi
cat "$SCRATCH/viewer.err"

# Clean shutdown: the server stops its PostgreSQL.
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "natscope-server exited non-zero on SIGTERM"
pgrep -f "$SCRATCH/srv-data" && fail "PostgreSQL still running after the server stopped"
log "server stopped cleanly"
echo PASS
