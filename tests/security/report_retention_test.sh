#!/usr/bin/env bash
# Stored reports and run history have a retention (--report_retention,
# default 400 days; docs/security.md), against the real natscope-server on
# its embedded PostgreSQL. Runs dated 500 and 450 days back are put into
# its database directly; after a restart (history maintenance runs at start,
# then hourly):
#  - the old on-demand run and the older of two old scheduled runs are
#    gone, content and all;
#  - a recent run stays, and so does the newest run of a schedule however
#    old (the scheduler's record of the last firing it claimed).
# Usage: report_retention_test.sh NATSCOPE_AGENT NATSCOPE_SERVER NATSCOPE_CLI
AGENT=$1 SERVER=$2 CLI=$3
# Under bazel the helpers are in the runfiles tree; elsewhere beside us.
lib="${TEST_SRCDIR:-/nonexistent}/${TEST_WORKSPACE:-natscope}/tests/e2e/lib.sh"
[[ -f "$lib" ]] || lib="$(dirname "$0")/../e2e/lib.sh"
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh
source "$lib"
unset PGPASSWORD PGPASSFILE PGSERVICE

DATA="$SCRATCH/ret-data"
admin() { "$CLI" --server="127.0.0.1:$GRPC_PORT" --token_file="$TOKEN_FILE" "$@"; }
# sql STATEMENT: runs it in natscope-server's own database, with its password.
sql() {
  local socket
  socket=$(sed -n 5p "$DATA/postgres/postmaster.pid")
  psql -X -w -A -t -q -v ON_ERROR_STOP=1 \
    "host=$socket port=5432 dbname=postgres user=natscope passfile=$DATA/postgres.password" \
    -c "$1"
}
# old_run AGE TRIGGER SCHEDULE: a finished run started AGE ago; prints its id.
old_run() {
  sql "INSERT INTO report_runs (schedule_id, scheduled_for, trigger, started_at,
         finished_at, status, format, content, claimed_by)
       VALUES ('$3', now() - interval '$1', '$2', now() - interval '$1',
         now() - interval '$1' + interval '1 second', 2, 1,
         convert_to('# old report', 'UTF8'), 'retention-test')
       RETURNING run_id" | head -n 1
}
has_run() { admin report show "$1" --json >/dev/null 2>&1; }

start_server ret
admin report run --format=markdown --title="Recent" >/dev/null
recent=$(admin reports --json | sed -n 's/.*"runId": "\([0-9]*\)".*/\1/p' | head -n 1)
[[ -n "$recent" ]] || fail "no recent run: $(admin reports)"
old_demand=$(old_run '500 days' on_demand '')
old_scheduled=$(old_run '500 days' schedule weekly)
last_scheduled=$(old_run '450 days' schedule weekly)
for run in "$old_demand" "$old_scheduled" "$last_scheduled"; do
  has_run "$run" || fail "run $run was not put into the database: the test is broken"
done
log "runs: recent $recent; 500 days old $old_demand (on demand), $old_scheduled" \
  "(scheduled); 450 days old $last_scheduled (the schedule's newest)"

kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "natscope-server did not stop cleanly"
start_server ret
gone() { ! has_run "$old_demand" && ! has_run "$old_scheduled"; }
wait_for 60 "runs past --report_retention to be removed" gone
has_run "$recent" || fail "the recent run $recent was removed"
has_run "$last_scheduled" || fail "the schedule's newest run $last_scheduled was removed"
[[ $(sql "SELECT count(*) FROM report_runs WHERE content = convert_to('# old report', 'UTF8')") \
  == 1 ]] || fail "old content is left in the database"
wait_for 10 "the removal to be logged" grep -q "report runs past retention removed" "$SCRATCH/ret.log"
log "removed $old_demand and $old_scheduled; kept $recent and $last_scheduled"
echo PASS
