#!/usr/bin/env bash
# Crash evidence (docs/crashes.md): a natscope-agent daemon and a
# natscope-server that receive SIGSEGV print "*** SIGSEGV received" and a
# symbolized stack trace naming natscope's own code to stderr, then die by
# that signal (status 139: the kernel may keep a core); the server's
# embedded PostgreSQL is stopped by its watchdog, not left behind.
AGENT=$1 SERVER=$2
source "$(dirname "$0")/lib.sh"

# check_crash NAME PID LOG: SIGSEGV to PID, then the evidence in LOG.
check_crash() {
  local name=$1 pid=$2 log_file=$3 rc=0
  kill -SEGV "$pid"
  wait "$pid" || rc=$?
  [[ $rc -eq 139 ]] || fail "$name: exit status $rc after SIGSEGV, want 139 (died by the signal)"
  grep -q "^\*\*\* SIGSEGV received" "$log_file" ||
    fail "$name: no '*** SIGSEGV received' line on stderr: $(tail -n 20 "$log_file")"
  # A frame of the code that was running, not only the handler's own.
  local frame='^ +@ +0x[0-9a-f]+ +natscope::(ingest|server)::'
  grep -qE "$frame" "$log_file" ||
    fail "$name: the stack trace names no natscope function: $(sed -n '/SIGSEGV/,$p' "$log_file" | head -n 30)"
  log "$name: $(grep -cE '^ +@ +0x' "$log_file") stack frames, e.g. $(grep -m1 -E "$frame" "$log_file" | sed 's/  */ /g')"
}

# The agent: a daemon that cannot reach its server keeps retrying; crash it
# while it runs its threads.
mkdir -p "$SCRATCH/logs"
: >"$SCRATCH/logs/app.log"
"$AGENT" run --plaintext --nogateways --token=x --server="127.0.0.1:1" --site=crash \
  --role=client --agent_id=crash-1 --log_file="$SCRATCH/logs/app.log" \
  --state_dir="$SCRATCH/state" >"$SCRATCH/agent.log" 2>&1 &
AGENT_PID=$!
_pids+=("$AGENT_PID")
wait_for 30 "the agent's status file" test -f "$SCRATCH/state/status.json"
check_crash natscope-agent "$AGENT_PID" "$SCRATCH/agent.log"

# The server, on its embedded PostgreSQL.
start_server crash --stun_listen=
# "[p]" keeps the pattern from matching the shell that runs pgrep.
pg_dir="$SCRATCH/crash-data/[p]ostgres"
check_crash natscope-server "$SERVER_PID" "$SCRATCH/crash.log"
wait_for 60 "the embedded PostgreSQL to stop after the crash" \
  bash -c "! pgrep -f -- '$pg_dir' >/dev/null"
log "PASS: both binaries leave a stack trace and die by their signal"
