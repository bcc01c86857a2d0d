#!/usr/bin/env bash
# Two natscope-server processes on one PostgreSQL database, each running
# the report scheduler: every scheduled report is produced exactly once.
# Schedules fire every three seconds (--testonly_report_seconds), so both
# servers race for each firing many times in a few seconds.
AGENT=$1 SERVER=$2 CLI=$3
source "$(dirname "$0")/lib.sh"

start_postgres pg
start_server a --postgres="$PG_URI" --admin_token_file="$SCRATCH/admin_token" --stun_listen= \
  --testonly_report_seconds
PORT_A=$GRPC_PORT PID_A=$SERVER_PID
start_server b --postgres="$PG_URI" --admin_token_file="$SCRATCH/admin_token" --stun_listen= \
  --testonly_report_seconds
PORT_B=$GRPC_PORT PID_B=$SERVER_PID
admin() { "$CLI" --server="127.0.0.1:$1" --token_file="$SCRATCH/admin_token" "${@:2}"; }

# Eight schedules firing at the same instants, created through either server.
for i in 1 2 3 4 5 6 7 8; do
  port=$PORT_A; [[ $((i % 2)) -eq 0 ]] && port=$PORT_B
  admin "$port" schedules create --name="race $i" --cron='*/3 * * * * *' \
    --output_dir="$SCRATCH/reports" >/dev/null
done
admin "$PORT_B" schedules

# Wait for two firings of every schedule.
two_each() {
  [[ $(psql_q "SELECT count(*) FROM (SELECT schedule_id FROM report_runs WHERE trigger = 'schedule' AND status = 2 GROUP BY schedule_id HAVING count(DISTINCT scheduled_for) >= 2) AS s") -eq 8 ]]
}
wait_for 60 "two firings of each of the 8 schedules" two_each
sleep 3  # A late duplicate would show up now.

dupes=$(psql_q "SELECT schedule_id || ' ' || scheduled_for FROM report_runs WHERE trigger = 'schedule' GROUP BY schedule_id, scheduled_for HAVING count(*) > 1")
[[ -z "$dupes" ]] || fail "produced more than once: $dupes"
# Runs and files compared between two firings: the servers keep producing,
# so look when no run is in progress and none starts while looking.
in_progress() { psql_q "SELECT count(*) || ' runs, ' || count(*) FILTER (WHERE status = 1) || ' running' FROM report_runs"; }
settled() {
  local before
  before=$(in_progress)
  [[ "$before" == *" 0 running" ]] || return 1
  total=$(psql_q "SELECT count(*) FROM report_runs WHERE trigger = 'schedule'")
  files=$(ls "$SCRATCH/reports" | grep -c '\.md$')
  stray=$(ls "$SCRATCH/reports" | grep -v '\.md$' || true)
  [[ "$(in_progress)" == "$before" ]]
}
wait_for 60 "a moment between firings" settled
log "runs: $total, files: $files, by server: $(psql_q "SELECT claimed_by || '=' || count(*) FROM report_runs GROUP BY claimed_by" | tr '\n' ' ')"
[[ "$files" -eq "$total" ]] || fail "$files report files for $total runs"
[[ -z "$stray" ]] || fail "stray files (unfinished writes?) in the report directory: $stray"

# A server killed mid-way leaves no run behind: the other keeps producing
# every schedule's next firing (whatever a killed run left RUNNING stays so,
# never produced twice).
kill -KILL "$PID_A"
wait "$PID_A" 2>/dev/null || true
killed_at=$(psql_q "SELECT now()")
since_kill="trigger = 'schedule' AND status = 2 AND scheduled_for > '$killed_at'"
b_alone() { [[ $(psql_q "SELECT count(DISTINCT schedule_id) FROM report_runs WHERE $since_kill") -eq 8 ]]; }
wait_for 60 "server b alone producing the next firing" b_alone
not_b=$(psql_q "SELECT claimed_by FROM report_runs WHERE $since_kill AND claimed_by NOT LIKE '%:$PID_B'")
[[ -z "$not_b" ]] || fail "runs after the kill claimed by another server than b: $not_b"
dupes=$(psql_q "SELECT schedule_id FROM report_runs WHERE trigger = 'schedule' GROUP BY schedule_id, scheduled_for HAVING count(*) > 1")
[[ -z "$dupes" ]] || fail "produced more than once after the kill: $dupes"
echo PASS
