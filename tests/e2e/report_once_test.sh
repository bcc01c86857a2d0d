#!/usr/bin/env bash
# Two natscope-server processes on one PostgreSQL database, each running
# the report scheduler: every scheduled report is produced exactly once.
AGENT=$1 SERVER=$2 CLI=$3
source "$(dirname "$0")/lib.sh"

start_postgres pg
start_server a --postgres="$PG_URI" --admin_token_file="$SCRATCH/admin_token" --stun_listen=
PORT_A=$GRPC_PORT PID_A=$SERVER_PID
start_server b --postgres="$PG_URI" --admin_token_file="$SCRATCH/admin_token" --stun_listen=
PORT_B=$GRPC_PORT
admin() { "$CLI" --server="127.0.0.1:$1" --token_file="$SCRATCH/admin_token" "${@:2}"; }

# Eight schedules firing every minute, created through either server.
for i in 1 2 3 4 5 6 7 8; do
  port=$PORT_A; [[ $((i % 2)) -eq 0 ]] && port=$PORT_B
  admin "$port" schedules create --name="race $i" --cron='* * * * *' \
    --output_dir="$SCRATCH/reports" >/dev/null
done
admin "$PORT_B" schedules

# Wait for two firings of every schedule.
runs() { psql_q "SELECT count(DISTINCT (schedule_id, scheduled_for)) FROM report_runs WHERE trigger = 'schedule' AND status = 2"; }
two_each() { [[ $(runs) -ge 16 ]]; }
wait_for 150 "two firings of each of the 8 schedules" two_each
sleep 3  # A late duplicate would show up now.

dupes=$(psql_q "SELECT schedule_id || ' ' || scheduled_for FROM report_runs WHERE trigger = 'schedule' GROUP BY schedule_id, scheduled_for HAVING count(*) > 1")
[[ -z "$dupes" ]] || fail "produced more than once: $dupes"
total=$(psql_q "SELECT count(*) FROM report_runs WHERE trigger = 'schedule'")
files=$(ls "$SCRATCH/reports" | grep -c '\.md$')
log "runs: $total, files: $files, by server: $(psql_q "SELECT claimed_by || '=' || count(*) FROM report_runs GROUP BY claimed_by" | tr '\n' ' ')"
[[ "$files" -eq "$total" ]] || fail "$files report files for $total runs"
ls "$SCRATCH/reports" | grep -v '\.md$' && fail "stray files (unfinished writes?) in the report directory"

# A server killed mid-way leaves no run behind: the other keeps producing.
kill -KILL "$PID_A"
before=$(runs)
more() { [[ $(runs) -ge $((before + 8)) ]]; }
wait_for 90 "server b alone producing the next firing" more
dupes=$(psql_q "SELECT schedule_id FROM report_runs WHERE trigger = 'schedule' GROUP BY schedule_id, scheduled_for HAVING count(*) > 1")
[[ -z "$dupes" ]] || fail "produced more than once after the kill: $dupes"
echo PASS
