#!/usr/bin/env bash
# The agent's systemd journal source on real parts: a journal directory this
# test owns (journald does not run here), written by systemd-journal-remote
# from the journal export format, with entries of connector.service and of
# another unit. natscope-agent follows connector.service (journal { unit,
# directory }) and delivers to natscope-server; it is killed with SIGKILL
# while entries keep coming, and restarted. Every connector.service entry
# is stored exactly once; the other unit's never.
AGENT=$1 SERVER=$2
source "$(dirname "$0")/lib.sh"

REMOTE=/lib/systemd/systemd-journal-remote
[[ -x "$REMOTE" ]] || fail "$REMOTE missing: run tools/setup.sh (package systemd-journal-remote)"

start_postgres journal
GRPC_PORT=$(free_udp_port)  # Any free number; TCP collisions show at bind.
"$SERVER" --postgres="$PG_URI" --listen="127.0.0.1:$GRPC_PORT" --stun_listen= \
  --enrollment_token="$ENROLL_TOKEN" --port_file="$SCRATCH/server.ports" \
  >>"$SCRATCH/server.log" 2>&1 &
_pids+=($!)
wait_for 30 "natscope-server" test -f "$SCRATCH/server.ports"
JOURNAL_DIR="$SCRATCH/journal"
STATE="$SCRATCH/state"
mkdir -p "$JOURNAL_DIR"
WRITTEN=0
BOOT=0123456789abcdef0123456789abcdef

# _entries FIRST N: export-format entries FIRST+1..FIRST+N of
# connector.service (unique, relevant), a noise entry of the unit every
# 5th, and per relevant one an entry of another unit with the same text
# (it must be ignored).
_entries() {
  local first=$1 n=$2 k t line
  t=$(date +%s%6N)
  for ((k = 1; k <= n; k++)); do
    line=$(printf '2026-11-25T10:00:00Z [INFO] [libsdwan] stun_nat_type: endpoint-independent entry=%06d' "$((first + k))")
    t=$((t + 3))
    printf '__REALTIME_TIMESTAMP=%s\n__MONOTONIC_TIMESTAMP=%s\n_BOOT_ID=%s\n_SYSTEMD_UNIT=connector.service\nSYSLOG_IDENTIFIER=connector\nMESSAGE=%s\n\n' \
      "$t" "$t" "$BOOT" "$line"
    printf '__REALTIME_TIMESTAMP=%s\n__MONOTONIC_TIMESTAMP=%s\n_BOOT_ID=%s\n_SYSTEMD_UNIT=other.service\nSYSLOG_IDENTIFIER=connector\nMESSAGE=%s\n\n' \
      "$((t + 1))" "$((t + 1))" "$BOOT" "$line"
    if (((first + k) % 5 == 0)); then
      printf '__REALTIME_TIMESTAMP=%s\n__MONOTONIC_TIMESTAMP=%s\n_BOOT_ID=%s\n_SYSTEMD_UNIT=connector.service\nMESSAGE=[DEBUG] noise %d\n\n' \
        "$((t + 2))" "$((t + 2))" "$BOOT" "$((first + k))"
    fi
  done
}
# _emit FIRST N: appends them to the test's journal file in chunks of 5
# (one systemd-journal-remote run each), so a kill lands mid-stream.
_emit() {
  local first=$1 n=$2 k
  for ((k = 0; k < n; k += 5)); do
    _entries "$((first + k))" "$((n - k < 5 ? n - k : 5))" |
      "$REMOTE" --output="$JOURNAL_DIR/remote.journal" - >>"$SCRATCH/remote.log" 2>&1 ||
      fail "systemd-journal-remote could not write: $(tail -n 5 "$SCRATCH/remote.log")"
    sleep 0.02
  done
}
# emit N: now; emit_bg N: in the background (sets writer). The count is
# kept here, in the test's own shell.
emit() { _emit "$WRITTEN" "$1"; WRITTEN=$((WRITTEN + $1)); }
emit_bg() { _emit "$WRITTEN" "$1" & writer=$!; WRITTEN=$((WRITTEN + $1)); }

cat >"$SCRATCH/agent.textproto" <<CONFIG
server: "127.0.0.1:$GRPC_PORT"
tls { plaintext: true }
state_dir: "$STATE"
identity { agent_id: "journal-1" site: "journal" role: ROLE_CONNECTOR }
logs {
  journal { unit: "connector.service" directory: "$JOURNAL_DIR" }
  from_start: true
}
poll_interval: "50ms"
CONFIG

agent_up() {
  "$AGENT" run --config="$SCRATCH/agent.textproto" --token="$ENROLL_TOKEN" \
    --nogateways >>"$SCRATCH/agent.log" 2>&1 &
  AGENT_PID=$!
  _pids+=("$AGENT_PID")
}
agent_kill9() { kill -KILL "$AGENT_PID" 2>/dev/null || true; wait "$AGENT_PID" 2>/dev/null || true; }

stored() { psql_q "SELECT count(*) FROM log_events WHERE agent_id = 'journal-1'"; }
distinct() { psql_q "SELECT count(DISTINCT raw_line) FROM log_events WHERE agent_id = 'journal-1'"; }
all_stored() { [[ $(stored) -ge $1 ]]; }

# check PHASE: waits for every entry written, then demands exactly once.
check() {
  local phase=$1 total unique
  wait_for 60 "$phase: $WRITTEN records in PostgreSQL" all_stored "$WRITTEN"
  sleep 1  # Let a duplicate, if any, arrive too.
  total=$(stored)
  unique=$(distinct)
  log "$phase: $total stored, $unique distinct, $WRITTEN written for the unit"
  [[ $total -eq $WRITTEN && $unique -eq $WRITTEN ]] ||
    fail "$phase: $total rows, $unique distinct lines, $WRITTEN written: not exactly once"
}

log "entries before the agent first starts are read (from_start)"
emit 30
agent_up
check "first start"

log "kill -9 of the agent while entries keep coming, 8 times"
for i in $(seq 1 8); do
  emit_bg 40
  sleep "0.$((RANDOM % 5 + 1))"
  agent_kill9
  wait "$writer"
  agent_up
done
emit 25
check "after restarts"

# The cursor is the spool's checkpoint: one for the source, naming the
# journal's last connector.service entry.
last=$(journalctl --file="$JOURNAL_DIR/*.journal" _SYSTEMD_UNIT=connector.service \
  -n 1 --show-cursor -o cat | sed -n 's/^-- cursor: //p')
[[ -n "$last" ]] || fail "journalctl shows no cursor"
wait_for 10 "the spool to checkpoint the last cursor" grep -qaF "$last" "$STATE"/spool/segment-*.log
other=$(psql_q "SELECT count(*) FROM log_events WHERE agent_id = 'journal-1' AND source_file NOT LIKE 'journal unit=connector.service%'")
[[ $other -eq 0 ]] || fail "$other records not from the connector.service journal source"
grep -q "journal unit=connector.service" "$STATE/status.json" ||
  fail "status.json does not name the journal source: $(cat "$STATE/status.json")"

log "the journal vacuumed past the checkpoint while the agent is down"
agent_kill9
rm -f "$JOURNAL_DIR"/*.journal
emit 15
agent_up
check "after the vacuum"
wait_for 10 "the agent to say the cursor is gone" grep -q "rotated or vacuumed" "$SCRATCH/agent.log"
echo PASS
