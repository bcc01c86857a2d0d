#!/usr/bin/env bash
# Syslog intake fed by the real log shippers, with the snippets of
# deploy/intake/ exactly as docs/intake.md shows them (placeholders filled
# with sed): rsyslog over TLS (RFC 5425) into one natscope-server, syslog-ng
# over plain TCP on loopback into another, both sharing a PostgreSQL
# cluster the test owns. Each shipper follows a product log file and runs
# with a host name of its own (a UTS namespace: root needed). Lines are
# appended, both servers are restarted (SIGTERM, then again on the same
# syslog port and database) while lines keep coming, and then every
# stun_nat_type line must be in log_events exactly once, no other line at
# all, and each host must show as a log-only agent of its token's site.
# Then the shippers forget their file positions and send everything again:
# the server must drop every line as a duplicate. The writers never pause
# while the servers stop: what the old server had read is committed, and
# the shippers see its FIN before their next write (no TLS close_notify or
# session ticket waits in their sockets to look like data) and send it to
# the new one.
#
# The shippers are staged, not installed, by tools/stage_shippers.sh (run
# as root by tools/setup.sh) under /var/cache/natscope/shippers.
AGENT=$1 SERVER=$2 CLI=$3 RSYSLOG_SNIPPET=$4 SYSLOG_NG_SNIPPET=$5 INTAKE_DOC=$6
source "$(dirname "$0")/lib.sh"
START=$SECONDS

# docs/intake.md shows the snippets this test runs: every line of each
# but the comments.
for snippet in "$RSYSLOG_SNIPPET" "$SYSLOG_NG_SNIPPET"; do
  while IFS= read -r line; do
    [[ -z "$line" || "$line" =~ ^[[:space:]]*# ]] || grep -Fxq -- "$line" "$INTAKE_DOC" ||
      fail "docs/intake.md no longer shows this line of $(basename "$snippet"): $line"
  done <"$snippet"
done

[[ $(id -u) -eq 0 ]] || fail "run as root: each shipper gets its own host name (unshare --uts)"
unshare --uts true 2>"$SCRATCH/unshare.err" ||
  fail "unshare --uts failed (each shipper needs a host name of its own): $(cat "$SCRATCH/unshare.err")"
SHIPPERS=/var/cache/natscope/shippers
for s in rsyslog syslog-ng; do
  [[ -f "$SHIPPERS/current-$s/ready" ]] ||
    fail "$s is not staged in $SHIPPERS/current-$s: run tools/stage_shippers.sh as root (tools/setup.sh does)"
done
RSYSLOG=$(readlink -f "$SHIPPERS/current-rsyslog")
SYSLOG_NG=$(readlink -f "$SHIPPERS/current-syslog-ng")
RSYSLOG_MODULES="$RSYSLOG/usr/lib/x86_64-linux-gnu/rsyslog"
log "rsyslog: $RSYSLOG; syslog-ng: $SYSLOG_NG"

# A throwaway CA and a server certificate it signs (rsyslog checks the
# chain against the CA and the name against the permitted peer).
ssl() { "$@" >>"$SCRATCH/openssl.log" 2>&1 || fail "openssl: $(cat "$SCRATCH/openssl.log")"; }
ssl openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=natscope-test-ca -keyout "$SCRATCH/ca.key" -out "$SCRATCH/ca.crt"
ssl openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
  -keyout "$SCRATCH/tls.key" -out "$SCRATCH/tls.csr"
echo "subjectAltName=DNS:localhost,IP:127.0.0.1" >"$SCRATCH/san.ext"
ssl openssl x509 -req -in "$SCRATCH/tls.csr" -CA "$SCRATCH/ca.crt" -CAkey "$SCRATCH/ca.key" \
  -CAcreateserial -days 1 -extfile "$SCRATCH/san.ext" -out "$SCRATCH/tls.crt"

start_postgres db
ADMIN="$SCRATCH/admin_token"
# tls_server NAME [flags]: syslog over TLS (rsyslog's); plain_server NAME
# [flags]: plain syslog on loopback (syslog-ng's). Same database, same admin
# token.
tls_server() {
  local name=$1; shift
  start_server "$name" --postgres="$PG_URI" --admin_token_file="$ADMIN" --stun_listen= \
    --http_listen=127.0.0.1:0 --tls_cert="$SCRATCH/tls.crt" --tls_key="$SCRATCH/tls.key" "$@"
  TLS_PID=$SERVER_PID TLS_GRPC=$GRPC_PORT TLS_SYSLOG=$SYSLOG_PORT TLS_HTTP=$HTTP_PORT
}
plain_server() {
  local name=$1; shift
  start_server "$name" --postgres="$PG_URI" --admin_token_file="$ADMIN" --stun_listen= \
    --http_listen=127.0.0.1:0 "$@"
  PLAIN_PID=$SERVER_PID PLAIN_GRPC=$GRPC_PORT PLAIN_SYSLOG=$SYSLOG_PORT PLAIN_HTTP=$HTTP_PORT
}
tls_server tls --syslog_listen=127.0.0.1:0
plain_server plain --syslog_listen=127.0.0.1:0
log "syslog: TLS on $TLS_SYSLOG (rsyslog), plain on $PLAIN_SYSLOG (syslog-ng)"
cli_tls() { "$CLI" --server="localhost:$TLS_GRPC" --ca_file="$SCRATCH/ca.crt" --token_file="$ADMIN" "$@"; }
cli_plain() { "$CLI" --server="127.0.0.1:$PLAIN_GRPC" --token_file="$ADMIN" "$@"; }
# duplicates tls|plain: the server's count of lines dropped as sent again.
duplicates() {
  local page
  if [[ $1 == tls ]]; then
    page=$(curl -sf --cacert "$SCRATCH/ca.crt" "https://localhost:$TLS_HTTP/metrics")
  else
    page=$(curl -sf "http://127.0.0.1:$PLAIN_HTTP/metrics")
  fi || fail "no /metrics from the $1 server"
  sed -n 's/^natscope_intake_messages_total{outcome="duplicate"} //p' <<<"$page" | grep . || echo 0
}

# The sites' intake tokens: the secret is the last line. syslog-ng's site
# names connector as the role of hosts that name none.
RS_TOKEN=$(cli_tls tokens enroll create rs-site --intake | tail -n 1)
NG_TOKEN=$(cli_plain tokens enroll create ng-site --intake --role=connector | tail -n 1)
[[ $RS_TOKEN =~ ^[0-9a-f]{16,}$ && $NG_TOKEN =~ ^[0-9a-f]{16,}$ ]] ||
  fail "no intake token: '$RS_TOKEN' '$NG_TOKEN'"

# fill SNIPPET OUT KEY=VALUE...: the deployed snippet with its @KEY@
# placeholders filled, mode 0600 (it holds the token); none may be left.
fill() {
  local in=$1 out=$2 kv args=()
  shift 2
  for kv in "$@"; do args+=(-e "s|@${kv%%=*}@|${kv#*=}|g"); done
  (umask 077 && sed "${args[@]}" "$in" >"$out")
  ! grep -n '@[A-Z]*@' "$out" || fail "$out: placeholder left unfilled"
}

RS_LOG="$SCRATCH/product/rs.log" NG_LOG="$SCRATCH/product/ng.log"
mkdir -p "$SCRATCH/product"  # Not $SCRATCH/*.log: those are printed on failure.
: >"$RS_LOG"
: >"$NG_LOG"
mkdir -p "$SCRATCH/rsyslog/work" "$SCRATCH/syslog-ng"
fill "$RSYSLOG_SNIPPET" "$SCRATCH/rsyslog/natscope.conf" LOGFILE="$RS_LOG" SERVER=localhost \
  PORT="$TLS_SYSLOG" CA="$SCRATCH/ca.crt" TOKEN="$RS_TOKEN"
fill "$SYSLOG_NG_SNIPPET" "$SCRATCH/syslog-ng/natscope.conf" LOGFILE="$NG_LOG" SERVER=127.0.0.1 \
  PORT="$PLAIN_SYSLOG" TOKEN="$NG_TOKEN"
# The main configs: only private paths (no /dev/log, no /var/run).
cat >"$SCRATCH/rsyslog/rsyslog.conf" <<CONF
global(workDirectory="$SCRATCH/rsyslog/work")
include(file="$SCRATCH/rsyslog/natscope.conf")
CONF
cat >"$SCRATCH/syslog-ng/syslog-ng.conf" <<CONF
@version: 3.38
@include "$SCRATCH/syslog-ng/natscope.conf"
CONF
NG=(env LD_LIBRARY_PATH="$SYSLOG_NG/usr/lib/syslog-ng" "$SYSLOG_NG/usr/sbin/syslog-ng"
  --module-path="$SYSLOG_NG/usr/lib/syslog-ng/3.38" -f "$SCRATCH/syslog-ng/syslog-ng.conf"
  --persist-file="$SCRATCH/syslog-ng/persist" --pidfile="$SCRATCH/syslog-ng/pid"
  --control="$SCRATCH/syslog-ng/ctl" --no-caps)
RS=("$RSYSLOG/usr/sbin/rsyslogd" -M "$RSYSLOG_MODULES" -f "$SCRATCH/rsyslog/rsyslog.conf"
  -i "$SCRATCH/rsyslog/pid")
"${RS[@]}" -N1 >"$SCRATCH/rsyslog-check.log" 2>&1 ||
  fail "rsyslogd rejects the config: $(cat "$SCRATCH/rsyslog-check.log")"
"${NG[@]}" --syntax-only >"$SCRATCH/syslog-ng-check.log" 2>&1 ||
  fail "syslog-ng rejects the config: $(cat "$SCRATCH/syslog-ng-check.log")"

# as_host NAME COMMAND...: COMMAND (exec'd, same pid) with host name NAME.
as_host() { exec unshare --uts sh -c 'hostname "$0" && exec "$@"' "$@"; }
start_shippers() {
  spawn as_host rs-host "${RS[@]}" -n >>"$SCRATCH/rsyslogd.log" 2>&1
  RS_PID=$!
  spawn as_host ng-host "${NG[@]}" -F >>"$SCRATCH/syslog-ng.log" 2>&1
  NG_PID=$!
  log "shippers started"
}
start_shippers

# write FILE SHIPPER FIRST N: appends product lines FIRST+1..FIRST+N, each
# a stun_nat_type line with its own timestamp, with lines no rule matches
# between them (one without a timestamp); 20 ms apart.
write() {
  local file=$1 who=$2 first=$3 n=$4 k ts
  for ((k = first + 1; k <= first + n; k++)); do
    printf -v ts '%(%Y-%m-%dT%H:%M:%SZ)T' -1
    echo "$ts [INFO] [libsdwan] stun_nat_type: endpoint-independent $who=$k" >>"$file"
    ((k % 3)) || echo "$ts [INFO] [libsdwan] heartbeat ok $who=$k" >>"$file"
    ((k % 7)) || echo "unstamped noise $who=$k" >>"$file"
    sleep 0.02
  done
}
export TZ=UTC

stored() { psql_q "SELECT count(*) FROM log_events WHERE site = '$1'"; }
# check SITE HOST FILE PHASE: every stun_nat_type line of FILE exactly once,
# from HOST, and nothing else. Waits for them up to 60 s, or until nothing
# new has arrived for 10 s.
check() {
  local site=$1 host=$2 file=$3 phase=$4 want n last=-1 still=$SECONDS deadline=$((SECONDS + 60))
  want=$(grep -c stun_nat_type "$file")
  while n=$(stored "$site") && [[ $n -lt $want && $SECONDS -lt $deadline ]]; do
    [[ $n -ne $last ]] && last=$n still=$SECONDS
    [[ $((SECONDS - still)) -lt 10 ]] || break
    sleep 0.2
  done
  sleep 1  # A duplicate, if any, arrives too.
  psql_q "SELECT raw_line FROM log_events WHERE site = '$site'" | LC_ALL=C sort >"$SCRATCH/$site.stored"
  grep stun_nat_type "$file" | LC_ALL=C sort >"$SCRATCH/$site.want"
  log "$phase: $site: $(wc -l <"$SCRATCH/$site.stored") stored, $want written"
  diff "$SCRATCH/$site.want" "$SCRATCH/$site.stored" >"$SCRATCH/$site.diff" ||
    fail "$phase: $site: not exactly once; $(grep -c '^<' "$SCRATCH/$site.diff") missing," \
      "$(grep -c '^>' "$SCRATCH/$site.diff") extra or repeated (< missing, > extra):" \
      "$(head -n 20 "$SCRATCH/$site.diff")"
  local others
  others=$(psql_q "SELECT count(*) FROM log_events WHERE site = '$site' AND (agent_id <> '$host' OR kind <> 'stun_nat_type')")
  [[ $others -eq 0 ]] || fail "$phase: $site: $others rows not from $host or not stun_nat_type"
}

log "phase 1: lines before any restart"
write "$RS_LOG" rsyslog 0 40 &
rs_writer=$!
write "$NG_LOG" syslog-ng 0 40
wait "$rs_writer"
check rs-site rs-host "$RS_LOG" "phase 1"
check ng-site ng-host "$NG_LOG" "phase 1"
log "phase 1 done at $((SECONDS - START)) s"

log "phase 2: both servers restarted while lines keep coming"
written() { grep -c stun_nat_type "$RS_LOG"; }
write "$RS_LOG" rsyslog 40 400 &
rs_writer=$!
write "$NG_LOG" syslog-ng 40 400 &
ng_writer=$!
sleep 1
t0=$SECONDS
kill -TERM "$TLS_PID" "$PLAIN_PID"
wait "$TLS_PID" || fail "natscope-server (TLS) exited non-zero on SIGTERM"
wait "$PLAIN_PID" || fail "natscope-server (plain) exited non-zero on SIGTERM"
log "both servers stopped in $((SECONDS - t0)) s; $(written) lines written so far"
sleep 1
tls_server tls-again --syslog_listen="127.0.0.1:$TLS_SYSLOG"
plain_server plain-again --syslog_listen="127.0.0.1:$PLAIN_SYSLOG"
log "both servers up again in $((SECONDS - t0)) s; $(written) lines written so far"
kill -0 "$rs_writer" 2>/dev/null || fail "the writers stopped before the servers were back: write longer"
wait "$rs_writer" "$ng_writer"
log "writers done: $(written) lines each"
check rs-site rs-host "$RS_LOG" "phase 2"
check ng-site ng-host "$NG_LOG" "phase 2"
log "phase 2 done at $((SECONDS - START)) s"

log "phase 3: the shippers forget their positions and send every line again"
rs_dups=$(duplicates tls) ng_dups=$(duplicates plain)
kill -TERM "$RS_PID" "$NG_PID"
wait "$RS_PID" "$NG_PID" || true
rm -f "$SCRATCH/rsyslog/work"/imfile-state:* "$SCRATCH/syslog-ng/persist"*
start_shippers
write "$RS_LOG" rsyslog 440 20 &
rs_writer=$!
write "$NG_LOG" syslog-ng 440 20
wait "$rs_writer"
check rs-site rs-host "$RS_LOG" "phase 3"
check ng-site ng-host "$NG_LOG" "phase 3"
rs_dups=$(($(duplicates tls) - rs_dups)) ng_dups=$(($(duplicates plain) - ng_dups))
log "phase 3: dropped as sent again: $rs_dups from rsyslog, $ng_dups from syslog-ng"
[[ $rs_dups -eq 440 && $ng_dups -eq 440 ]] ||
  fail "phase 3: the 440 lines sent again were not all recognised as duplicates"
log "phase 3 done at $((SECONDS - START)) s"

log "the hosts are log-only agents of their tokens' sites"
rs_agents=$(cli_tls agents rs-site)
echo "$rs_agents"
grep -qE "^rs-host +client +endpoint-independent .* log " <<<"$rs_agents" || fail "agents rs-site: $rs_agents"
ng_agents=$(cli_plain agents ng-site)
echo "$ng_agents"
grep -qE "^ng-host +connector +endpoint-independent .* log " <<<"$ng_agents" || fail "agents ng-site: $ng_agents"

log "done in $((SECONDS - START)) s"
echo PASS
