#!/usr/bin/env bash
# The one-command enroll (deploy/README.md) against a real natscope-server
# over TLS on loopback: one line writes the config, installs the CA and
# enrolls; the same line again changes nothing and says so; the old
# `enroll --config --token` still works; `natscope-agent run` with the
# written config delivers data the server shows.
AGENT=$1 SERVER=$2 CLI=$3
source "$(dirname "$0")/lib.sh"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$SCRATCH/tls.key" -out "$SCRATCH/tls.crt" >"$SCRATCH/openssl.log" 2>&1 ||
  fail "openssl: $(cat "$SCRATCH/openssl.log")"
start_server srv --tls_cert="$SCRATCH/tls.crt" --tls_key="$SCRATCH/tls.key"

(umask 077 && echo "$ENROLL_TOKEN" >"$SCRATCH/token")
: >"$SCRATCH/product.log"
ETC="$SCRATCH/etc/natscope"
LINE=(enroll --server="localhost:$GRPC_PORT" --site=oneline --token_file="$SCRATCH/token"
  --ca_file="$SCRATCH/tls.crt" --config="$ETC/agent.textproto" --state_dir="$SCRATCH/state"
  --logs="$SCRATCH/product.log" --stun="127.0.0.1:$STUN_PORT" --agent_user=root)
# Never touch this host's real unit: where systemd runs, leave it alone.
[[ -d /run/systemd/system ]] && LINE+=(--no_enable)

enroll_line() { NATSCOPE_ROLE=connector "$AGENT" "${LINE[@]}"; }

log "first run: config, CA, credential"
first=$(enroll_line) || fail "the one-line enroll failed: $first"
echo "$first"
grep -q "^enrolled as .* (site oneline) with localhost:$GRPC_PORT" <<<"$first" || fail "not enrolled: $first"
grep -q "^config: wrote $ETC/agent.textproto$" <<<"$first" || fail "no config written: $first"
grep -q "^CA: wrote $ETC/ca.pem$" <<<"$first" || fail "no CA installed: $first"
grep -q "^done: this host is set up" <<<"$first" || fail "no closing line: $first"
if [[ ! -d /run/systemd/system ]]; then
  grep -q "systemd is not running.*natscope-agent run --config=$ETC/agent.textproto" <<<"$first" ||
    fail "does not say the unit was not enabled: $first"
fi
[[ $(stat -c %a "$ETC/agent.textproto") == 640 ]] || fail "config mode $(stat -c %a "$ETC/agent.textproto")"
[[ $(stat -c %a "$SCRATCH/state/credential") == 600 ]] || fail "credential mode"
cmp -s "$SCRATCH/tls.crt" "$ETC/ca.pem" || fail "ca.pem is not the given CA"
grep -q "role: ROLE_CONNECTOR" "$ETC/agent.textproto" || fail "NATSCOPE_ROLE not applied: $(cat "$ETC/agent.textproto")"
grep -q "ca_file: \"$ETC/ca.pem\"" "$ETC/agent.textproto" || fail "config does not name the installed CA"

snapshot() { (cd "$SCRATCH" && find etc state -type f -printf '%p %m %s %T@\n' | sort && sha256sum etc/natscope/* state/credential); }
before=$(snapshot)
log "second run: nothing changes"
second=$(enroll_line) || fail "the second run failed: $second"
echo "$second"
grep -q "^config: $ETC/agent.textproto unchanged$" <<<"$second" || fail "config not kept: $second"
grep -q "^enrollment: already enrolled as" <<<"$second" || fail "enrolled again: $second"
grep -q "^nothing changed: this host was already set up this way$" <<<"$second" || fail "no no-op line: $second"
[[ "$(snapshot)" == "$before" ]] || fail "the second run changed files: $(diff <(echo "$before") <(snapshot))"

log "a different line is refused without --force, and changes nothing"
rc=0
out=$(NATSCOPE_ROLE=connector "$AGENT" "${LINE[@]}" --site=elsewhere 2>&1) || rc=$?
echo "$out"
[[ $rc -ne 0 ]] || fail "a different config was overwritten without --force"
grep -q "differs.*rerun with --force" <<<"$out" || fail "does not say --force: $out"
[[ "$(snapshot)" == "$before" ]] || fail "the refused run changed files"

log "the old mode: enroll --config --token"
old=$("$AGENT" enroll --config="$ETC/agent.textproto" --token="$ENROLL_TOKEN") || fail "old-mode enroll: $old"
grep -q "^enrolled as .* (site oneline)" <<<"$old" || fail "old mode: $old"

log "run with the written config: the server shows the agent's data"
log "the environment overrides the config's site: this credential is not for it"
cp -a "$SCRATCH/state" "$SCRATCH/state-env"  # Its spool must not reach the real run.
out=$(NATSCOPE_SITE=elsewhere timeout 8 "$AGENT" run --nogateways --config="$ETC/agent.textproto" \
  --state_dir="$SCRATCH/state-env" 2>&1 || true)
grep -q 'site "elsewhere" but the credential belongs to .* site "oneline"' <<<"$out" ||
  fail "NATSCOPE_SITE not applied: $out"
spawn "$AGENT" run --nogateways --config="$ETC/agent.textproto" >"$SCRATCH/agent.log" 2>&1
sites() { "$CLI" sites --token_file="$TOKEN_FILE" --server="localhost:$GRPC_PORT" --ca_file="$SCRATCH/tls.crt"; }
has_row() { sites | grep -qE "$1"; }
# The config follows new lines only: append until the agent has seen the
# file and the server shows the line.
append_and_check() {
  # Stamped now: newer than the agent's first probe, so it wins the row.
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) [INFO] [libsdwan] stun_nat_type: endpoint-dependent" >>"$SCRATCH/product.log"
  sleep 1
  has_row '^oneline +connector +1 +endpoint-dependent: 1( |$)'
}
wait_for 60 "the log line in the connector's row" append_and_check
sites
shipped() { "$AGENT" status --config="$ETC/agent.textproto" --json | grep -qE '"records_shipped":"[1-9]'; }
wait_for 30 "records shipped" shipped
status=$("$AGENT" status --config="$ETC/agent.textproto")
echo "$status"
grep -q "^  identity: *site from config, role from config$" <<<"$status" || fail "status does not say where the site came from"
echo PASS
