#!/usr/bin/env bash
# The agent under bad configuration and a hostile host: a malformed config,
# an unreadable log path and a full disk each give a clear message naming
# what to fix, and the agent keeps running on what still works.
AGENT=$1 SERVER=$2
source "$(dirname "$0")/lib.sh"

log "malformed config: the error names the file, line and column"
cat >"$SCRATCH/bad.textproto" <<'CFG'
server: "127.0.0.1:7700"
tls { plaintext: true }
identity { site: "x" role: ROLE_CLIENT
logs { path: "/var/log/a.log" }
CFG
rc=0
out=$("$AGENT" run --config="$SCRATCH/bad.textproto" 2>&1) || rc=$?
echo "$out"
[[ $rc -ne 0 ]] || fail "a malformed config must not start the agent"
grep -qE "bad.textproto.*line [0-9]+" <<<"$out" || fail "no file/line in: $out"

log "invalid config: the error names the field"
cat >"$SCRATCH/invalid.textproto" <<CFG
server: "127.0.0.1:7700"
tls { plaintext: true }
state_dir: "$SCRATCH/s0"
identity { site: "x" role: ROLE_CLIENT }
logs { path: "" }
CFG
rc=0
out=$("$AGENT" run --config="$SCRATCH/invalid.textproto" 2>&1) || rc=$?
echo "$out"
[[ $rc -ne 0 ]] || fail "an invalid config must not start the agent"
grep -q "logs\[0\].path" <<<"$out" || fail "the field is not named in: $out"

start_server srv
log "unreadable log path: named once, the other file keeps flowing"
mkdir -p "$SCRATCH/logs/broken.log"  # A directory where a log file should be.
echo "[INFO] [libsdwan] stun_nat_type: endpoint-independent" >"$SCRATCH/logs/good.log"
cat >"$SCRATCH/two.textproto" <<CFG
server: "127.0.0.1:$GRPC_PORT"
tls { plaintext: true }
state_dir: "$SCRATCH/state-two"
identity { agent_id: "two-logs" site: "errs" role: ROLE_CLIENT }
logs { path: "$SCRATCH/logs/broken.log" from_start: true }
logs { path: "$SCRATCH/logs/good.log" from_start: true }
poll_interval: "50ms"
CFG
spawn "$AGENT" run --nogateways --token="$ENROLL_TOKEN" --config="$SCRATCH/two.textproto" >"$SCRATCH/agent-two.log" 2>&1
has_row() { "$CLI" sites --token_file="$TOKEN_FILE" --server="127.0.0.1:$GRPC_PORT" | grep -qE "$1"; }
CLI=$3
wait_for 30 "the good file's line" has_row '^errs +client +1 +endpoint-independent: 1$'
grep -q "broken.log" "$SCRATCH/agent-two.log" || fail "the unreadable path is not named"
cat "$SCRATCH/agent-two.log"

log "full disk: the spool's disk fills up; the agent says so and carries on"
STATE="$SCRATCH/state-full"
mkdir -p "$STATE"
: >"$SCRATCH/logs/busy.log"
# A 3 MiB disk of the agent's own, in a private mount namespace (unshare
# execs the agent in place, so its pid is the agent's).
spawn unshare -m sh -c "mount -t tmpfs -o size=3m tmpfs '$STATE' && exec '$AGENT' run \
  --nogateways --plaintext --token=$ENROLL_TOKEN --server=127.0.0.1:$GRPC_PORT --site=errs --role=connector \
  --agent_id=full-disk --log_file='$SCRATCH/logs/busy.log' --state_dir='$STATE' \
  --poll_interval=50ms" >"$SCRATCH/agent-full.log" 2>&1
AGENT_FULL=${_pids[-1]}
wait_for 30 "the agent to enroll" grep -q "agent full-disk of site errs" "$SCRATCH/agent-full.log"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true
LINES=30000
for ((i = 1; i <= LINES; i++)); do
  printf '[INFO] [libsdwan] stun_nat_type: endpoint-dependent n=%05d padding-padding-padding\n' "$i"
done >>"$SCRATCH/logs/busy.log"
wait_for 60 "the disk-full message" grep -q "disk nearly full\|disk full" "$SCRATCH/agent-full.log"
grep "disk" "$SCRATCH/agent-full.log" | head -n 2
kill -0 "$AGENT_FULL" || fail "the agent died on a full disk"

log "the server comes back: the spool drains, reading resumes, nothing lost"
"$SERVER" --data_dir="$SCRATCH/srv-data" --listen="127.0.0.1:$GRPC_PORT" --stun_listen= \
  --enrollment_token="$ENROLL_TOKEN" \
  >>"$SCRATCH/srv.log" 2>&1 &
_pids+=($!)
wait_for 120 "reading to resume" grep -q "reading resumed" "$SCRATCH/agent-full.log"
all_shipped() {
  nsenter -t "$AGENT_FULL" -m "$(realpath "$AGENT")" status --state_dir="$STATE" --json >"$SCRATCH/full-status.log" 2>&1
  grep -q "\"records_shipped\":\"$LINES\"" "$SCRATCH/full-status.log"
}
wait_for 180 "all $LINES records shipped" all_shipped
nsenter -t "$AGENT_FULL" -m "$(realpath "$AGENT")" status --state_dir="$STATE"
echo PASS
