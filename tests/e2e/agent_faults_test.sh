#!/usr/bin/env bash
# The agent's delivery guarantee under faults, on real parts: natscope-server
# on a PostgreSQL cluster this test owns, one natscope-agent following a log
# that is appended to and rotated.
#   (a) kill -9 of the agent at random moments, 20 times, while the log
#       grows and is rotated by rename and by copytruncate;
#   (b) the server stopped for a while, then restarted;
#   (c) PostgreSQL restarted mid-stream;
#   (d) corrupted bytes in the agent's spool.
# After each phase every line written is in PostgreSQL exactly once (in
# (d): except, at most, the records the agent reports it dropped).
AGENT=$1 SERVER=$2
source "$(dirname "$0")/lib.sh"

start_postgres faults
GRPC=$(free_udp_port)  # Any free number; TCP collisions are checked at bind.
LOG="$SCRATCH/logs/app.log"
STATE="$SCRATCH/state"
mkdir -p "$SCRATCH/logs"
: >"$LOG"
WRITTEN=0

server_up() {
  "$SERVER" --postgres="$PG_URI" --listen="127.0.0.1:$GRPC" --stun_listen= \
    --enrollment_token="$ENROLL_TOKEN" \
    --port_file="$SCRATCH/server.ports" >>"$SCRATCH/server.log" 2>&1 &
  SERVER_PID=$!
  _pids+=("$SERVER_PID")
  wait_for 30 "natscope-server" test -f "$SCRATCH/server.ports"
  rm -f "$SCRATCH/server.ports"
}
server_down() { kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; }

agent_up() {
  # The glob follows renamed files too; copytruncate copies go elsewhere.
  "$AGENT" run --plaintext --nogateways --token="$ENROLL_TOKEN" --server="127.0.0.1:$GRPC" --site=faults \
    --role=connector --agent_id=faulty-1 --log_file="$SCRATCH/logs/app.log*" \
    --state_dir="$STATE" --poll_interval=50ms >>"$SCRATCH/agent.log" 2>&1 &
  AGENT_PID=$!
  _pids+=("$AGENT_PID")
}
agent_kill9() { kill -KILL "$AGENT_PID" 2>/dev/null || true; wait "$AGENT_PID" 2>/dev/null || true; }

# _emit FIRST N: appends lines FIRST+1..FIRST+N (unique, relevant) and some
# noise to the live log.
_emit() {
  local first=$1 n=$2
  for ((k = 1; k <= n; k++)); do
    printf '2026-11-25T10:00:00Z [INFO] [libsdwan] stun_nat_type: endpoint-independent line=%06d\n' "$((first + k))" >>"$LOG"
    if ((k % 7 == 0)); then printf '[DEBUG] [libsdwan] noise %d\n' "$k" >>"$LOG"; fi
    if ((k % 10 == 0)); then sleep 0.01; fi
  done
}
# write N: appends N lines now; write_bg N: in the background (sets writer).
# The count is kept here, in the test's own shell.
write() { _emit "$WRITTEN" "$1"; WRITTEN=$((WRITTEN + $1)); }
write_bg() { _emit "$WRITTEN" "$1" & writer=$!; WRITTEN=$((WRITTEN + $1)); }
rotate_rename() { mv "$LOG" "$LOG.$1"; : >"$LOG"; }
rotate_copytruncate() { cp "$LOG" "$SCRATCH/logs/copy-$1.old"; : >"$LOG"; }

stored() { psql_q "SELECT count(*) FROM log_events WHERE agent_id = 'faulty-1'"; }
distinct() { psql_q "SELECT count(DISTINCT raw_line) FROM log_events WHERE agent_id = 'faulty-1'"; }
all_stored() { [[ $(stored) -ge $1 ]]; }

# check PHASE EXPECTED: waits for EXPECTED rows, then demands exactly once.
check() {
  local phase=$1 expected=$2
  wait_for 120 "$phase: $expected records in PostgreSQL" all_stored "$expected"
  sleep 1  # Let a duplicate, if any, arrive too.
  local total unique
  total=$(stored)
  unique=$(distinct)
  log "$phase: $total stored, $unique distinct, $expected expected"
  [[ $total -eq $expected && $unique -eq $expected ]] ||
    fail "$phase: $total rows, $unique distinct lines, $expected written: not exactly once"
}

server_up
log "(a) 20 kill -9 of the agent while the log grows and rotates"
for i in $(seq 1 20); do
  agent_up
  if ((i % 5 == 0)); then
    # copytruncate loses whatever was not read before the truncation (its
    # known race, for every shipper): rotate only once the agent caught up.
    write 20
    wait_for 60 "catch-up before copytruncate" all_stored "$WRITTEN"
    rotate_copytruncate "$i"
  fi
  write_bg 40
  if ((i % 3 == 0)); then
    sleep 0.1
    wait "$writer"
    rotate_rename "$i"
    write_bg 20
  fi
  sleep "0.$((RANDOM % 9 + 1))"
  agent_kill9
  wait "$writer"
done
agent_up
check "(a) kill -9" "$WRITTEN"

log "(b) server down for a while"
server_down
write 100
sleep 3
server_up
write 50
check "(b) server restart" "$WRITTEN"

log "(c) PostgreSQL restarted mid-stream"
write_bg 100
sleep 0.3
pg_down
sleep 2
pg_up
wait "$writer"
write 50
check "(c) PostgreSQL restart" "$WRITTEN"

log "(d) corrupted spool"
server_down
write 200
sleep 2  # The agent spools what it reads; nothing can be delivered.
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" || true
segment=$(ls -S "$STATE/spool"/segment-*.log 2>/dev/null | head -n1 || true)
[[ -n "$segment" ]] || fail "no spool segment to corrupt in $STATE/spool: $(ls -la "$STATE/spool")"
size=$(stat -c %s "$segment")
# Three quarters in: among the records not yet delivered.
printf 'XXXXXXXXXXXXXXXX' | dd of="$segment" bs=1 seek=$((size * 3 / 4)) conv=notrunc status=none
log "corrupted 16 bytes three quarters into $segment"
: >"$SCRATCH/agent.log.d"
"$AGENT" run --plaintext --nogateways --token="$ENROLL_TOKEN" --server="127.0.0.1:$GRPC" --site=faults \
  --role=connector --agent_id=faulty-1 --log_file="$SCRATCH/logs/app.log*" \
  --state_dir="$STATE" --poll_interval=50ms >"$SCRATCH/agent.log.d" 2>&1 &
AGENT_PID=$!
_pids+=("$AGENT_PID")
server_up
wait_for 30 "the agent's recovery report" grep -q "spool" "$SCRATCH/agent.log.d"
cat "$SCRATCH/agent.log.d"
grep -q "DAMAGE" "$SCRATCH/agent.log.d" || fail "the agent did not report the damage"
dropped=$(sed -n 's/.*DAMAGE: \([0-9]*\) record.*/\1/p' "$SCRATCH/agent.log.d" | head -n1)
[[ -n "$dropped" && "$dropped" -ge 1 ]] || fail "no dropped-record count in the report"
# The rest arrives once each. A dropped record can come back when it was
# the last spooled line of its file: the agent resumes reading the file
# before it (its position was in the damaged bytes too).
wait_for 120 "(d): the records that survived" all_stored "$((WRITTEN - dropped))"
sleep 1
total=$(stored)
unique=$(distinct)
log "(d) corrupted spool: $dropped dropped, $total stored, $unique distinct, $WRITTEN written"
[[ $total -eq $unique && $total -le $WRITTEN ]] || fail "(d): duplicates after recovery"
echo PASS
