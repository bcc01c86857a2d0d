#!/usr/bin/env bash
# Item 9 of docs/security.md: secrets stay off command lines.
#  - --enrollment_token_file is read only when it is 0600 and the server's
#    own, and then enrolls agents;
#  - --postgres_passfile open to others is refused;
#  - the agent takes its enrollment token from --token_file;
#  - the CLI refuses to send a token in plaintext to a server that is not
#    on loopback unless --plaintext is given (it fails before connecting).
# Usage: secrets_test.sh AGENT SERVER CLI HOSTILE
common="${TEST_SRCDIR:-/nonexistent}/${TEST_WORKSPACE:-natscope}/tests/security/common.sh"
[[ -f "$common" ]] || common="$(dirname "$0")/common.sh"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$common" "$@"

printf 'file-token\n' >"$SCRATCH/enroll-token"
chmod 644 "$SCRATCH/enroll-token"
if "$SERVER" --data_dir="$SCRATCH/refused-data" --listen=127.0.0.1:0 --stun_listen= \
  --enrollment_token_file="$SCRATCH/enroll-token" >"$SCRATCH/refused.out" 2>&1; then
  fail "natscope-server started with an enrollment token file of mode 644"
fi
grep -q "chmod 600 $SCRATCH/enroll-token" "$SCRATCH/refused.out" ||
  fail "the refusal does not give the chmod: $(cat "$SCRATCH/refused.out")"

printf '*:*:*:*:secret\n' >"$SCRATCH/pgpass"
chmod 640 "$SCRATCH/pgpass"
if "$SERVER" --postgres="host=/nonexistent dbname=x" --postgres_passfile="$SCRATCH/pgpass" \
  --listen=127.0.0.1:0 --stun_listen= >"$SCRATCH/pgpass.out" 2>&1; then
  fail "natscope-server accepted a PostgreSQL password file of mode 640"
fi
grep -q "chmod 600" "$SCRATCH/pgpass.out" || fail "no chmod advice: $(cat "$SCRATCH/pgpass.out")"

chmod 600 "$SCRATCH/enroll-token"
# start_server passes --enrollment_token too: the file form is given alone.
ENROLL_TOKEN='' start_server secrets --enrollment_token_file="$SCRATCH/enroll-token"
out=$(hostile enroll --token=file-token --agent_id=file-1)
expect_code OK "$out" "enrolling with the token from --enrollment_token_file"

# The agent's file form of the enrollment token.
printf 'file-token\n' >"$SCRATCH/agent-token"
chmod 600 "$SCRATCH/agent-token"
run_agent tokenfile --token_file="$SCRATCH/agent-token" --agent_id=tf-1
wait_for 30 "the agent with --token_file to enroll" grep -q "shipping to" "$SCRATCH/tokenfile.log"

# 192.0.2.1 (TEST-NET-1) is never contacted: the CLI refuses first.
out=$("$CLI" --server=192.0.2.1:7700 --token_file="$TOKEN_FILE" --timeout=1s sites 2>&1 || true)
[[ "$out" == *"refusing to send your token in plaintext to 192.0.2.1:7700"* ]] ||
  fail "the CLI would send a token in plaintext off loopback: $out"
out=$(NATSCOPE_TOKEN=x "$CLI" --server=192.0.2.1:7700 --timeout=1s sites 2>&1 || true)
[[ "$out" == *"refusing"* ]] || fail "the CLI would send \$NATSCOPE_TOKEN in plaintext: $out"
admin sites >/dev/null || fail "the CLI refuses loopback"
log "PASS"
