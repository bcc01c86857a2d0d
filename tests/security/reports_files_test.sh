#!/usr/bin/env bash
# Files are written safely (docs/security.md), against the real
# natscope-server on its embedded PostgreSQL:
#  - a report for a world-writable output directory is not written: the run
#    is stored FAILED with the reason and the directory stays empty;
#  - a directory the server creates is 0750, its reports 0640;
#  - symbolic links planted at the next report's name (and at the name plus
#    ".tmp", where an earlier version wrote first) are neither followed nor
#    replaced: their target is untouched, the report takes a new name;
#  - the admin token file is checked on every start: group-readable, or
#    another user's, and the server stops with the chmod/chown to run.
# Usage: reports_files_test.sh NATSCOPE_AGENT NATSCOPE_SERVER NATSCOPE_CLI
AGENT=$1 SERVER=$2 CLI=$3
# Under bazel the helpers are in the runfiles tree; elsewhere beside us.
lib="${TEST_SRCDIR:-/nonexistent}/${TEST_WORKSPACE:-natscope}/tests/e2e/lib.sh"
[[ -f "$lib" ]] || lib="$(dirname "$0")/../e2e/lib.sh"
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh
source "$lib"

admin() { "$CLI" --server="127.0.0.1:$GRPC_PORT" --token_file="$TOKEN_FILE" "$@"; }
# The newest run id so far (0 when none).
last_run_id() {
  admin reports --json | sed -n 's/.*"runId": "\([0-9]*\)".*/\1/p' | sort -n | tail -n 1 |
    grep . || echo 0
}
# JSON field FIELD of run RUN: natscope report show RUN --json.
run_field() {
  admin report show "$2" --json | sed -n "s/^ *\"$1\": \"\\(.*\\)\",\\{0,1\\}\$/\\1/p" | head -n 1
}
stop_server() {
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || fail "natscope-server did not stop cleanly"
}

start_server files

log "1. a world-writable output directory is refused"
open_dir="$SCRATCH/open-reports"
mkdir "$open_dir"
chmod 0777 "$open_dir"
admin schedules create --name=open --cron='0 0 1 1 *' --format=markdown \
  --output_dir="$open_dir" >/dev/null
rc=0
admin report run open >"$SCRATCH/open.out" 2>"$SCRATCH/open.err" || rc=$?
[[ $rc -ne 0 ]] || fail "a report was written into world-writable $open_dir: $(ls -A "$open_dir")"
grep -q "writable by every user" "$SCRATCH/open.err" ||
  fail "the refusal does not say why: $(cat "$SCRATCH/open.err")"
grep -q "chmod o-w $open_dir" "$SCRATCH/open.err" ||
  fail "the refusal does not say what to do: $(cat "$SCRATCH/open.err")"
run=$(last_run_id)
[[ $(run_field status "$run") == REPORT_RUN_STATUS_FAILED ]] ||
  fail "run $run is not stored FAILED: $(admin report show "$run" --json)"
[[ $(run_field error "$run") == *"writable by every user"* ]] ||
  fail "run $run does not keep the reason: $(admin report show "$run" --json)"
[[ -z "$(ls -A "$open_dir")" ]] || fail "files appeared in $open_dir: $(ls -A "$open_dir")"
log "refused: $(cat "$SCRATCH/open.err")"

log "2. a directory the server creates is 0750, reports 0640"
out_dir="$SCRATCH/reports"
admin schedules create --name=safe --cron='0 0 1 1 *' --format=markdown \
  --output_dir="$out_dir" >/dev/null
admin report run safe >/dev/null
[[ $(stat -c %a "$out_dir") == 750 ]] || fail "$out_dir has mode $(stat -c %a "$out_dir"), not 750"
first=$(run_field contentPath "$(last_run_id)")
[[ -f "$first" && $(stat -c %a "$first") == 640 ]] ||
  fail "report $first missing or not 0640: $(ls -l "$out_dir")"

log "3. links planted at the next report's names are not followed"
echo "precious" >"$SCRATCH/precious"
next=$(($(last_run_id) + 1))
now=$(date -u +%s)
# The name holds the second the run starts (on demand) and the run id.
for t in $(seq $((now - 2)) $((now + 20))); do
  stamp=$(date -u -d "@$t" +%Y%m%dT%H%M%SZ)
  ln -s "$SCRATCH/precious" "$out_dir/safe-$stamp-$next.md"
  ln -s "$SCRATCH/precious" "$out_dir/safe-$stamp-$next.md.tmp"
done
admin report run safe >"$SCRATCH/safe.out" || fail "the run failed: $(cat "$SCRATCH/safe.out")"
[[ $(last_run_id) == "$next" ]] || fail "run id $(last_run_id), expected $next: the test is broken"
[[ "$(cat "$SCRATCH/precious")" == precious ]] ||
  fail "a planted link was followed: its target now holds $(head -c 200 "$SCRATCH/precious")"
path=$(run_field contentPath "$next")
[[ "$path" == "$out_dir/safe-"*"-$next-2.md" ]] ||
  fail "the report was not given a new name beside the planted link: $path"
[[ -f "$path" && ! -L "$path" ]] || fail "$path is not a plain file"
cmp -s "$path" "$SCRATCH/safe.out" || fail "$path does not hold the report"
links=$(find "$out_dir" -maxdepth 1 -type l | wc -l)
[[ $links -eq 46 ]] || fail "$links of 46 planted links are left: one was replaced"
log "report written to $path; the planted links and their target are untouched"

log "4. the admin token file is checked on every start"
stop_server
start_refused() {  # start_refused WHAT ADVICE
  local rc=0
  timeout 60 "$SERVER" --data_dir="$SCRATCH/files-data" --listen=127.0.0.1:0 \
    --stun_listen=127.0.0.1:0 --enrollment_token="$ENROLL_TOKEN" \
    >"$SCRATCH/refused.log" 2>&1 || rc=$?
  [[ $rc -ne 0 && $rc -ne 124 ]] || fail "natscope-server started with $1 (exit $rc)"
  grep -qF "$2" "$SCRATCH/refused.log" ||
    fail "no '$2' advice for $1: $(tail -n 5 "$SCRATCH/refused.log")"
  log "refused $1: $(grep -F "$2" "$SCRATCH/refused.log" | tail -n 1)"
}
chmod 640 "$TOKEN_FILE"
start_refused "a group-readable admin token" "chmod 600 $TOKEN_FILE"
chmod 600 "$TOKEN_FILE"
if [[ $(id -u) -eq 0 ]]; then
  chown 65534 "$TOKEN_FILE"
  start_refused "another user's admin token" "chown 0 $TOKEN_FILE"
  chown 0 "$TOKEN_FILE"
else
  log "not root: the other-owner case needs chown (secret_file_test covers it)"
fi
start_server files
admin schedules >/dev/null || fail "the restored token file does not work"
echo PASS
