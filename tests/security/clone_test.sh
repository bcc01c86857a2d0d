#!/usr/bin/env bash
# Item 2 of docs/security.md: a cloned or restored agent is noticed, not
# silently discarded.
#  - a batch whose (agent, epoch, sequence) was committed with other
#    records is refused with ALREADY_EXISTS, counted on the agent and
#    logged by the server (a resend of the same records is a duplicate);
#  - a real agent whose state directory was cloned sends its own records
#    under a new epoch: both copies' lines are stored, each once, and the
#    clone's status shows the conflict.
# Usage: clone_test.sh AGENT SERVER CLI HOSTILE
common="${TEST_SRCDIR:-/nonexistent}/${TEST_WORKSPACE:-natscope}/tests/security/common.sh"
[[ -f "$common" ]] || common="$(dirname "$0")/common.sh"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$common" "$@"

start_server clone

log "the same key with other records is a conflict, not a duplicate"
credential=$(enroll_agent "$ENROLL_TOKEN" vm-1)
expect_code OK "$(hostile ingest --credential="$credential" --epoch=7 --nat_type=symmetric)" "the first batch"
out=$(hostile ingest --credential="$credential" --epoch=7 --nat_type=symmetric)
[[ "$out" == *"duplicate=1"* ]] || fail "a resent batch is not a duplicate: $out"
out=$(hostile ingest --credential="$credential" --epoch=7 --nat_type=endpoint-independent)
expect_code ALREADY_EXISTS "$out" "the same key with other records"
[[ "$out" == *"cloned or restored"* ]] || fail "the refusal does not say why: $out"
grep -q "batch conflict" "$SCRATCH/clone.log" || fail "the server did not log the conflict"
admin agents lab --json | grep -q '"batchConflicts": "1"' ||
  fail "the conflict is not counted on the agent: $(admin agents lab --json)"

log "a real agent and its clone both keep their records"
LOGFILE="$SCRATCH/app.log"
line() { printf '2026-12-01T10:00:00Z [INFO] [libsdwan] stun_nat_type: endpoint-independent id=%s\n' "$1" >>"$2"; }
stored() { sql clone "SELECT count(*) FROM log_events WHERE agent_id = 'twin-1' AND raw_line LIKE '%id=$1'"; }
has_line() { [[ $(stored "$1") == 1 ]]; }
line first "$LOGFILE"
run_agent twin --token="$ENROLL_TOKEN" --agent_id=twin-1 --log_file="$LOGFILE"
wait_for 30 "the first line" has_line first
kill -TERM "$AGENT_PID"; wait "$AGENT_PID" || true
# The clone: the same state directory (credential, spool, epoch) and, as
# on a cloned disk, the same log file as it was then.
cp -a "$SCRATCH/twin-state" "$SCRATCH/copy-state"
cp "$LOGFILE" "$SCRATCH/at-clone.log"
line original "$LOGFILE"
run_agent twin --token="$ENROLL_TOKEN" --agent_id=twin-1 --log_file="$LOGFILE"
wait_for 30 "the original's line" has_line original
kill -TERM "$AGENT_PID"; wait "$AGENT_PID" || true
# The clone's disk: the log as cloned plus its own line (same file, so the
# same file identity for the agent's resume position).
line copy "$SCRATCH/at-clone.log"
cp "$SCRATCH/at-clone.log" "$LOGFILE"
run_agent copy --token="$ENROLL_TOKEN" --agent_id=twin-1 --log_file="$LOGFILE"
wait_for 30 "the clone's line" has_line copy
sleep 1  # Let a duplicate, if any, arrive.
for id in first original copy; do
  [[ $(stored "$id") == 1 ]] || fail "line $id stored $(stored "$id") times"
done
grep -q "looks cloned or restored" "$SCRATCH/copy.log" ||
  fail "the clone did not report the conflict: $(tail -n 5 "$SCRATCH/copy.log")"
# The status file is rewritten every 10 s (status_interval).
status_shows_conflict() {
  "$AGENT" status --state_dir="$SCRATCH/copy-state" >"$SCRATCH/status.out" 2>&1 || true
  grep -q "conflicts:   1" "$SCRATCH/status.out"
}
wait_for 30 "the clone's status to show the conflict" status_shows_conflict ||
  fail "natscope-agent status does not show the conflict: $(cat "$SCRATCH/status.out")"
log "PASS"
