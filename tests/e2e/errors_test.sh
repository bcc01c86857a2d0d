#!/usr/bin/env bash
# Bad input gives one line that says what to do: no stack trace, no hang.
AGENT=$1 SERVER=$2 CLI=$3
source "$(dirname "$0")/lib.sh"

# expect_one_line DESCRIPTION PATTERN COMMAND...: the command fails within
# 60 s and prints exactly one line on stderr, matching PATTERN.
expect_one_line() {
  local what=$1 pattern=$2; shift 2
  local rc=0
  timeout 60 "$@" >"$SCRATCH/out" 2>"$SCRATCH/err" || rc=$?
  [[ $rc -ne 0 ]] || fail "$what: exited 0"
  [[ $rc -ne 124 ]] || fail "$what: hung (killed after 60 s)"
  local lines
  lines=$(wc -l <"$SCRATCH/err")
  echo "$what -> $(cat "$SCRATCH/err")"
  [[ $lines -eq 1 ]] || fail "$what: expected one line on stderr, got $lines: $(cat "$SCRATCH/err")"
  grep -qE "$pattern" "$SCRATCH/err" || fail "$what: message does not match /$pattern/"
}

expect_one_line "server: bad flag" "unknown flag --bogus.*--help" "$SERVER" --bogus
expect_one_line "agent: bad flag" "unknown flag --bogus.*--help" "$AGENT" probe --bogus
expect_one_line "cli: bad flag" "unknown flag --bogus.*--help" "$CLI" sites --bogus
expect_one_line "agent: bad duration" "bad value .* for --timeout" "$AGENT" probe --timeout=soon
expect_one_line "cli: unreachable server" "cannot reach natscope-server at 127.0.0.1:1.*--server" \
  "$CLI" sites --server=127.0.0.1:1 --timeout=3s
expect_one_line "agent: bad STUN address" "not HOST:PORT" "$AGENT" probe --stun=nonsense
expect_one_line "agent: bad firewalking destination" "destinations.*nonsense.*not HOST:PORT" \
  "$AGENT" probe --stun=127.0.0.1:1 --destinations=127.0.0.2:9,nonsense
expect_one_line "agent: too many firewalking destinations" "destinations.*17 given, at most 16" \
  "$AGENT" probe --stun=127.0.0.1:1 --destinations="$(seq -s, -f '127.0.0.2:%g' 1 17)"

touch "$SCRATCH/a-file"
expect_one_line "server: unwritable data directory" "data.*director.*--data_dir" \
  "$SERVER" --data_dir="$SCRATCH/a-file/data" --listen=127.0.0.1:0 --stun_listen=127.0.0.1:0
expect_one_line "server: missing PostgreSQL binaries" "PostgreSQL.*(tools/setup.sh|--postgres)" \
  "$SERVER" --data_dir="$SCRATCH/data" --postgres_bin_dir="$SCRATCH/no-such-dir" \
  --listen=127.0.0.1:0 --stun_listen=127.0.0.1:0
expect_one_line "server: missing AWS ranges file" "cannot read AWS ranges file .*no-such.json" \
  "$SERVER" --aws_ip_ranges="$SCRATCH/no-such.json" --data_dir="$SCRATCH/data" \
  --listen=127.0.0.1:0 --stun_listen=127.0.0.1:0
head -c $((33 << 20)) /dev/zero >"$SCRATCH/huge.json"
expect_one_line "server: oversize AWS ranges file" "huge.json is over 32 MiB" \
  "$SERVER" --aws_ip_ranges="$SCRATCH/huge.json" --data_dir="$SCRATCH/data" \
  --listen=127.0.0.1:0 --stun_listen=127.0.0.1:0
printf '{"nope": 1}' >"$SCRATCH/bad.json"
expect_one_line "server: not AWS's format" "bad.json" \
  "$SERVER" --aws_ip_ranges="$SCRATCH/bad.json" --data_dir="$SCRATCH/data" \
  --listen=127.0.0.1:0 --stun_listen=127.0.0.1:0
expect_one_line "server: unreachable --postgres" "127.0.0.1.*5" \
  "$SERVER" --postgres="host=127.0.0.1 port=5 dbname=x user=x connect_timeout=3" \
  --listen=127.0.0.1:0 --stun_listen=127.0.0.1:0
# The Surfaces issue's flags, refused in one line naming the flag.
RUN=(run --plaintext --server=127.0.0.1:1 --site=x --role=client --stun=127.0.0.1:1
  --state_dir="$SCRATCH/state-refused")
expect_one_line "agent: --probe_request_gap too short" "probe.request_gap" \
  "$AGENT" "${RUN[@]}" --probe_request_gap=0s
expect_one_line "agent: --probe_request_gap too long" "probe.request_gap" \
  "$AGENT" "${RUN[@]}" --probe_request_gap=2h
expect_one_line "agent: --checkin_interval too short" "checkin_interval" \
  "$AGENT" "${RUN[@]}" --checkin_interval=1s
expect_one_line "agent: plaintext --metrics_listen off loopback" "give --metrics_tls_cert=FILE --metrics_tls_key=FILE, use a loopback address in --metrics_listen$" \
  "$AGENT" "${RUN[@]}" --metrics_listen=0.0.0.0:0
expect_one_line "server: --forget_after too short" "forget_after must be at least 1h" \
  "$SERVER" --forget_after=5m --data_dir="$SCRATCH/data" --listen=127.0.0.1:0
expect_one_line "server: --aws_ip_ranges_check too short" "aws_ip_ranges_check must be 1s to 24h" \
  "$SERVER" --aws_ip_ranges_check=100ms --data_dir="$SCRATCH/data" --listen=127.0.0.1:0
expect_one_line "server: --aws_ip_ranges_check too long" "aws_ip_ranges_check must be 1s to 24h" \
  "$SERVER" --aws_ip_ranges_check=48h --data_dir="$SCRATCH/data" --listen=127.0.0.1:0
expect_one_line "server: --stun_tcp_idle_timeout too short" "stun_tcp_idle_timeout: must be 1s to 1h" \
  "$SERVER" --stun_tcp_idle_timeout=500ms --data_dir="$SCRATCH/data" --listen=127.0.0.1:0
expect_one_line "server: --stun_tcp_max_connections 0" "stun_tcp_max_connections: must be 1 to 65536" \
  "$SERVER" --stun_tcp_max_connections=0 --data_dir="$SCRATCH/data" --listen=127.0.0.1:0
expect_one_line "server: --stun_tcp_max_connections_per_source too big" \
  "stun_tcp_max_connections_per_source: must be 1 to 65536" \
  "$SERVER" --stun_tcp_max_connections_per_source=70000 --data_dir="$SCRATCH/data" --listen=127.0.0.1:0
# Intake: plaintext syslog off loopback, limits, and a bad rules file are
# refused before anything starts.
expect_one_line "server: plaintext syslog on a public address" \
  "syslog_listen=0.0.0.0:6514 is not a loopback address.*syslog_plaintext" \
  "$SERVER" --syslog_listen=0.0.0.0:6514 --data_dir="$SCRATCH/data" --listen=127.0.0.1:0
expect_one_line "server: --syslog_max_connections 0" "syslog_max_connections must be 1 to 65536" \
  "$SERVER" --syslog_max_connections=0 --data_dir="$SCRATCH/data" --listen=127.0.0.1:0
expect_one_line "server: --intake_dedup_window too long" "intake_dedup_window must be 1s to 24h" \
  "$SERVER" --intake_dedup_window=48h --data_dir="$SCRATCH/data" --listen=127.0.0.1:0
printf 'rules { name: "stun_nat_type" pattern: "x" }\n' >"$SCRATCH/rules.textproto"
expect_one_line "server: --intake_rules redefines a built-in rule" \
  "intake_rules: .*rules.textproto: rules\\[0\\].*built-in rule" \
  "$SERVER" --intake_rules="$SCRATCH/rules.textproto" --data_dir="$SCRATCH/data" --listen=127.0.0.1:0
expect_one_line "server: --intake_rules missing" "intake_rules: cannot read" \
  "$SERVER" --intake_rules="$SCRATCH/none.textproto" --data_dir="$SCRATCH/data" --listen=127.0.0.1:0
expect_one_line "server: --http_listen without a port" "http_listen=localhost: no port" \
  "$SERVER" --http_listen=localhost --data_dir="$SCRATCH/data" --listen=127.0.0.1:0

# The one-command enroll refuses bad flags before writing anything.
(umask 077 && echo token >"$SCRATCH/enroll-token")
ONE=(enroll --server=127.0.0.1:1 --config="$SCRATCH/one/agent.textproto"
  --state_dir="$SCRATCH/one/state" --token_file="$SCRATCH/enroll-token" --no_enable)
expect_one_line "agent: enroll without a site" "give --site=SITE \(or set NATSCOPE_SITE\)" \
  "$AGENT" "${ONE[@]}" --plaintext
expect_one_line "agent: enroll without a CA" "give --ca_file=FILE .*or --plaintext" \
  "$AGENT" "${ONE[@]}" --site=lab
expect_one_line "agent: enroll with a bad role" "role must be client or connector, not \"server\"" \
  "$AGENT" "${ONE[@]}" --site=lab --plaintext --role=server
expect_one_line "agent: bad NATSCOPE_ROLE" "NATSCOPE_ROLE must be client or connector" \
  env NATSCOPE_ROLE=boss "$AGENT" "${ONE[@]}" --site=lab --plaintext
expect_one_line "agent: enroll with a bad site" "invalid config: .*identity.site" \
  "$AGENT" "${ONE[@]}" --site="a b" --plaintext
expect_one_line "agent: enroll with a relative config" "config must be an absolute path" \
  "$AGENT" "${ONE[@]}" --site=lab --plaintext --config=agent.textproto
expect_one_line "agent: enroll with a missing token file" "no-such-token" \
  "$AGENT" "${ONE[@]}" --site=lab --plaintext --token_file="$SCRATCH/no-such-token"
expect_one_line "agent: enroll with a missing CA file" "ca_file: .*no-such-ca.pem" \
  "$AGENT" "${ONE[@]}" --site=lab --ca_file="$SCRATCH/no-such-ca.pem"
expect_one_line "agent: enroll with a CA that is no PEM" "holds no PEM certificate" \
  "$AGENT" "${ONE[@]}" --site=lab --ca_file="$SCRATCH/enroll-token"
expect_one_line "agent: enroll for a missing user" "no user \"nobody-here\".*useradd" \
  "$AGENT" "${ONE[@]}" --site=lab --plaintext --agent_user=nobody-here
expect_one_line "agent: enroll with a bad logs path" "logs\\[0\\].path" \
  "$AGENT" "${ONE[@]}" --site=lab --plaintext --logs=relative.log
expect_one_line "agent: enroll with a bad server" "server" \
  "$AGENT" enroll --server=nonsense --site=lab --plaintext --no_enable \
  --config="$SCRATCH/one/agent.textproto" --state_dir="$SCRATCH/one/state"
mkdir -p "$SCRATCH/one" && echo "# someone's config" >"$SCRATCH/one/agent.textproto"
expect_one_line "agent: enroll over another config" "differs from the config .*rerun with --force" \
  "$AGENT" "${ONE[@]}" --site=lab --plaintext
[[ $(cat "$SCRATCH/one/agent.textproto") == "# someone's config" ]] || fail "a refused enroll changed the config"
expect_one_line "agent: enroll with an unreachable server" "cannot reach natscope-server at 127.0.0.1:1" \
  "$AGENT" "${ONE[@]}" --site=lab --plaintext --force
[[ $(cat "$SCRATCH/one/agent.textproto") == "# someone's config" ]] || fail "a failed enroll changed the config"

# A TLS server reached without --ca_file: every command says so, in one
# line, instead of asking whether the server runs. Its --http_listen serves
# HTTPS with the same certificate.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$SCRATCH/tls.key" -out "$SCRATCH/tls.crt" >"$SCRATCH/openssl.log" 2>&1 ||
  fail "openssl: $(cat "$SCRATCH/openssl.log")"
start_server tls --tls_cert="$SCRATCH/tls.crt" --tls_key="$SCRATCH/tls.key" --http_listen=127.0.0.1:0
for command in "sites" "site paris" "tokens api list" "schedules" "probe paris" "agents reset x"; do
  # shellcheck disable=SC2086
  expect_one_line "cli: $command against TLS without --ca_file" "speak TLS: pass --ca_file" \
    "$CLI" $command --server="127.0.0.1:$GRPC_PORT" --token_file="$TOKEN_FILE"
done
"$CLI" sites --server="localhost:$GRPC_PORT" --token_file="$TOKEN_FILE" --ca_file="$SCRATCH/tls.crt" ||
  fail "the CLI with --ca_file cannot query the TLS server"
[[ $(curl -s --cacert "$SCRATCH/tls.crt" "https://127.0.0.1:$HTTP_PORT/healthz") == ok ]] ||
  fail "--http_listen does not serve HTTPS with --tls_cert"
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/healthz") != 200 ]] ||
  fail "--http_listen with --tls_cert answered plain HTTP"
echo PASS
