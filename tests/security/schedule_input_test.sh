#!/usr/bin/env bash
# Inputs that name files are validated, and viewers do not see webhook
# secrets (docs/security.md), against the real natscope-server:
#  - a schedule's time zone is a zone name, never a path: "../../../../etc/
#    passwd", "/etc/localtime" and a 10 KB name are each refused with
#    INVALID_ARGUMENT and a message under 1 KiB; "Europe/Paris" is accepted;
#  - a viewer listing schedules sees the webhook URL without its userinfo
#    and query string, and no run it can read quotes them; an admin sees
#    the whole URL.
# Usage: schedule_input_test.sh NATSCOPE_AGENT NATSCOPE_SERVER NATSCOPE_CLI
#        SCHEDULE_PROBE
AGENT=$1 SERVER=$2 CLI=$3 PROBE=$4
# Under bazel the helpers are in the runfiles tree; elsewhere beside us.
lib="${TEST_SRCDIR:-/nonexistent}/${TEST_WORKSPACE:-natscope}/tests/e2e/lib.sh"
[[ -f "$lib" ]] || lib="$(dirname "$0")/../e2e/lib.sh"
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh
source "$lib"

start_server input
admin() { "$CLI" --server="127.0.0.1:$GRPC_PORT" --token_file="$TOKEN_FILE" "$@"; }

# probe_zone ZONE: CreateSchedule with time zone ZONE; sets CODE, BYTES, OUT.
probe_zone() {
  printf '%s' "$1" >"$SCRATCH/zone"
  OUT=$("$PROBE" "127.0.0.1:$GRPC_PORT" "$TOKEN_FILE" "$SCRATCH/zone" "$SCRATCH/r") ||
    fail "the probe got no answer: $OUT"
  CODE=$(sed -n 's/^code=\([A-Z_]*\) .*/\1/p' <<<"$OUT")
  BYTES=$(sed -n 's/.* message_bytes=\([0-9]*\) .*/\1/p' <<<"$OUT")
}

log "time zones that are paths, or too long, are refused"
long=$(head -c 10240 /dev/zero | tr '\0' A)
for zone in "../../../../etc/passwd" "/etc/localtime" "$long"; do
  probe_zone "$zone"
  [[ "$CODE" == INVALID_ARGUMENT ]] || fail "time zone ${zone:0:40} (${#zone} bytes): $OUT"
  ((BYTES < 1024)) || fail "a ${BYTES}-byte message for time zone ${zone:0:40}"
  grep -q "time zone" <<<"$OUT" || fail "the message does not name the field: $OUT"
  log "refused ${zone:0:40} (${#zone} bytes): ${OUT:0:160}"
done
admin schedules | grep -q "no report schedules" || fail "a refused schedule was stored: $(admin schedules)"

log "an IANA name is accepted"
probe_zone "Europe/Paris"
[[ "$CODE" == OK ]] || fail "Europe/Paris refused: $OUT"
admin schedules | grep -q "Europe/Paris" || fail "the schedule is not listed: $(admin schedules)"

log "viewers see webhook URLs without their secrets"
hook="http://bot:hunter2@127.0.0.1:9/hook?token=s3cret"
admin schedules create --name=hook --cron='0 8 * * MON' --time_zone=Europe/Paris \
  --format=markdown --webhook="$hook" >/dev/null
tail -n 1 <<<"$(admin tokens api create viewer dashboard)" >"$SCRATCH/viewer"
chmod 600 "$SCRATCH/viewer"
viewer() { "$CLI" --server="127.0.0.1:$GRPC_PORT" --token_file="$SCRATCH/viewer" "$@"; }
# A delivery that fails (nobody listens on port 9) leaves an error in the run.
admin report run hook >/dev/null 2>&1 || true
shown=$(viewer schedules --json; viewer schedules; viewer reports --json; viewer reports)
grep -q "hunter2\|s3cret" <<<"$shown" && fail "a viewer sees a webhook secret: $shown"
grep -qF '"webhookUrl": "http://REDACTED@127.0.0.1:9/hook?REDACTED"' <<<"$shown" ||
  fail "the viewer's listing does not show the redacted URL: $shown"
admin schedules --json | grep -qF "\"webhookUrl\": \"$hook\"" ||
  fail "the admin does not see the whole URL: $(admin schedules --json)"
log "viewer: $(viewer schedules | grep hook)"
echo PASS
