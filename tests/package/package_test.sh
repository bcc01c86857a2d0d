#!/usr/bin/env bash
# The Debian packages, installed on this machine and removed again:
# tools/package.sh builds them (lintian included: an error fails), dpkg -i
# installs them, natscope-server and natscope-agent run from the installed
# binaries with the command lines, users and environment of the installed
# units (systemd is not PID 1 in a container: the test plays its part), the
# agent enrolls, its data reaches the server (asked with the installed
# natscope CLI), an upgrade to a rebuilt version keeps the changed
# conffiles and runs the new binaries, and purge leaves nothing in
# /etc/natscope, /var/lib/natscope* or the process table.
#
# Root only (dpkg, system users). Exit 77 (skipped, with the reason) when
# not root or when natscope is already installed or configured here: the
# test never touches an installation it did not make. Run by tools/test.sh
# (its "package" phase) or alone:
#   tests/package/package_test.sh            # fastbuild binaries (quick)
#   NATSCOPE_PACKAGE_OPT=1 tests/package/package_test.sh   # -c opt, as shipped
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

say() { echo "package_test: [$(date +%T)] $*"; }
skip() { say "SKIPPED: $*"; exit 77; }

[[ $(id -u) -eq 0 ]] || skip "needs root (dpkg -i, system users); run as root"
for pkg in natscope-agent natscope-server natscope-cli; do
  if [[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) == installed ]]; then
    skip "$pkg is installed on this machine; the test will not replace it"
  fi
done
for path in /etc/natscope /var/lib/natscope /var/lib/natscope-agent; do
  [[ -e "$path" ]] && skip "$path exists; the test will not touch an existing installation"
done

start_time=$(date +%s)
work=$(mktemp -d /tmp/natscope-package-test.XXXXXX)
chmod 711 "$work"
created_users=()
for user in natscope natscope-agent; do
  getent passwd "$user" >/dev/null || created_users+=("$user")
done
server_pid="" agent_pid=""

stop() {  # PID: SIGTERM, then SIGKILL after 30 s.
  local pid=$1
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  say "pid $pid did not stop in 30 s: killing it"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Pids of processes run from the installed binaries, or of the installed
# server's PostgreSQL (its data lives in /var/lib/natscope).
leftover_pids() {
  { pgrep -f '^/usr/s?bin/natscope'; pgrep -f 'postgres.* -D /var/lib/natscope/'; } | sort -u || true
}

cleanup() {
  local rc=$?
  trap - EXIT
  set +e  # Clean up all that can be, whatever fails.
  stop "$agent_pid"
  stop "$server_pid"
  # Anything still running from the installation (only this test can have
  # started it: there was none before). Never by user: other tests may run
  # their own PostgreSQL as a user named natscope.
  local left
  left=$(leftover_pids)
  if [[ -n "$left" ]]; then
    say "processes of the installation still running (killing them):"
    ps -o pid=,user=,args= -p ${left//$'\n'/,} || true
    kill -KILL $left 2>/dev/null || true
    rc=1
  fi
  dpkg --purge natscope-agent natscope-server natscope-cli >/dev/null 2>&1 || true
  rm -rf /etc/natscope /var/lib/natscope /var/lib/natscope-agent
  # Debian policy keeps a package's system user on purge; the test removes
  # the ones it made, so the machine is as it was.
  for user in "${created_users[@]}"; do
    # userdel refuses while a process runs as the user (another test's
    # PostgreSQL may: natscope-server picks the user natscope when root).
    userdel "$user" >/dev/null 2>&1 || say "could not remove the user $user (in use?)"
    getent group "$user" >/dev/null && groupdel "$user" >/dev/null 2>&1 || true
  done
  if [[ $rc -ne 0 ]]; then
    for f in "$work"/*.log; do
      [[ -f "$f" ]] && { echo "--- $f"; tail -n 30 "$f"; }
    done
  fi
  rm -rf "$work"
  say "took $(( $(date +%s) - start_time )) s"
  if [[ $rc -eq 0 ]]; then say "PASSED"; else say "FAILED"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { say "FAILED: $*"; exit 1; }

build_flags=(--fastbuild)
[[ "${NATSCOPE_PACKAGE_OPT:-0}" == 1 ]] && build_flags=()

# unit_value UNIT KEY: the value of the unit's first KEY= line.
unit_value() { sed -n "s/^$2=//p" "/lib/systemd/system/$1" | head -n 1; }

# run_unit UNIT LOG: starts the unit's ExecStart as its User, with its
# EnvironmentFile (systemd's syntax: KEY=VALUE lines, the value the rest of
# the line) and WorkingDirectory; unquoted $VARIABLES split into words, as
# systemd splits them. Prints the pid.
run_unit() {
  local unit=$1 log=$2 command user envfile dir groups line vars=()
  command=$(unit_value "$unit" ExecStart)
  user=$(unit_value "$unit" User)
  envfile=$(unit_value "$unit" EnvironmentFile)
  envfile=${envfile#-}
  dir=$(unit_value "$unit" WorkingDirectory)
  [[ -n "$command" && -n "$user" ]] || fail "$unit has no ExecStart or User"
  groups=(--clear-groups)
  line=$(unit_value "$unit" SupplementaryGroups)
  [[ -z "$line" ]] || groups=(--groups="${line// /,}")
  if [[ -n "$envfile" && -f "$envfile" ]]; then
    while IFS= read -r line; do
      [[ "$line" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] && vars+=("$line")
    done <"$envfile"
  fi
  # setpriv execs (runuser would fork, and SIGKILL the daemon 2 s after a
  # SIGTERM): the pid is the daemon's, and SIGTERM a graceful stop.
  setpriv --reuid="$user" --regid="$user" "${groups[@]}" \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="${dir:-/}" "${vars[@]}" \
    bash -c "cd '${dir:-/}' && exec $command" >"$log" 2>&1 &
  echo $!
}

# wait_for SECONDS DESCRIPTION COMMAND...: until COMMAND succeeds.
wait_for() {
  local seconds=$1 what=$2; shift 2
  for _ in $(seq 1 $((seconds * 5))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  fail "$what did not happen in $seconds s"
}

cli() {
  natscope "$@" --token_file=/var/lib/natscope/admin_token --server="127.0.0.1:$grpc_port"
}

start_server() {
  rm -f /var/lib/natscope/ports
  server_pid=$(run_unit natscope-server.service "$work/server-$1.log")
  wait_for 60 "natscope-server $1 writing its ports" test -s /var/lib/natscope/ports
  grpc_port=$(sed -n 's/^grpc=//p' /var/lib/natscope/ports)
  stun_port=$(sed -n 's/^stun=//p' /var/lib/natscope/ports)
  say "natscope-server $1 is up: gRPC 127.0.0.1:$grpc_port, STUN 127.0.0.1:$stun_port"
}

# --- build, lint, install -------------------------------------------------
say "building the packages (tools/package.sh ${build_flags[*]})"
tools/package.sh "${build_flags[@]}" --out="$work/v1" >"$work/package-v1.log" 2>&1 ||
  { cat "$work/package-v1.log"; fail "tools/package.sh (lintian errors are failures)"; }
grep -E '^(E|W): ' "$work/package-v1.log" || true
version1=$(dpkg-deb -f "$work"/v1/natscope-server_*.deb Version)
say "installing $version1 (dpkg -i)"
dpkg -i "$work"/v1/*.deb >"$work/dpkg-v1.log" 2>&1 || fail "dpkg -i (see $work/dpkg-v1.log)"
for user in natscope natscope-agent; do
  getent passwd "$user" >/dev/null || fail "postinst did not create the user $user"
done
for conffile in /etc/natscope/server.env /etc/natscope/agent.textproto.example; do
  grep -qxF "$conffile" /var/lib/dpkg/info/natscope-*.conffiles || fail "$conffile is not a conffile"
done
[[ $(stat -c %U:%a /var/lib/natscope) == natscope:700 ]] || fail "/var/lib/natscope is not natscope's, 0700"
natscope-agent --version | grep -q "^natscope-agent ${version1%-*} (commit [0-9a-f]" ||
  fail "natscope-agent --version: $(natscope-agent --version)"

# --- server, from its unit, with a changed conffile ----------------------
token=pkgtest-$RANDOM$RANDOM
# Fixed for both versions (the agent's config names them): free ports now.
read -r grpc_port stun_port < <(python3 -c '
import socket
socks = [socket.socket(socket.AF_INET, t) for t in (socket.SOCK_STREAM, socket.SOCK_DGRAM)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
cat >> /etc/natscope/server.env <<EOF
# Added by tests/package/package_test.sh: loopback, free ports.
NATSCOPE_SERVER_FLAGS=--listen=127.0.0.1:$grpc_port --stun_listen=127.0.0.1:$stun_port --enrollment_token=$token --port_file=/var/lib/natscope/ports
EOF
start_server "$version1"

# --- agent: enroll, then run from its unit -------------------------------
cp tests/testdata/paris-gateway.log "$work/product.log"
chmod 644 "$work/product.log"
printf '%s\n' "$token" >"$work/token"
chmod 600 "$work/token"
agent_help=$(natscope-agent --help)
if grep -q -- '--no_enable' <<<"$agent_help"; then
  say "enrolling with the one-command flow (natscope-agent enroll --server --site --token_file)"
  # The unit cannot be enabled without systemd as PID 1.
  natscope-agent enroll --server="127.0.0.1:$grpc_port" --site=pkgtest --role=connector \
    --token_file="$work/token" --plaintext --stun="127.0.0.1:$stun_port" \
    --logs="$work/product.log" --no_enable >"$work/enroll.log" 2>&1 ||
    fail "natscope-agent enroll: $(cat "$work/enroll.log")"
else
  say "enrolling with today's flow (config file, then natscope-agent enroll --config --token)"
  cat >/etc/natscope/agent.textproto <<EOF
server: "127.0.0.1:$grpc_port"
tls { plaintext: true }
state_dir: "/var/lib/natscope-agent"
identity { site: "pkgtest" role: ROLE_CONNECTOR }
logs { path: "$work/product.log" from_start: true }
probe { stun_servers: "127.0.0.1:$stun_port" interval: "1h" gateways: false }
EOF
  runuser -u natscope-agent -- natscope-agent enroll --config=/etc/natscope/agent.textproto \
    --token="$token" >"$work/enroll.log" 2>&1 || fail "natscope-agent enroll: $(cat "$work/enroll.log")"
fi
cp /etc/natscope/agent.textproto "$work/agent.textproto.before"
cp /etc/natscope/server.env "$work/server.env.before"
agent_pid=$(run_unit natscope-agent.service "$work/agent-$version1.log")

site_row() {
  local table
  table=$(cli sites) || return 1
  grep -qE '^pkgtest +connector +1 ' <<<"$table"
}
wait_for 90 "the agent's data reaching the server (natscope sites)" site_row
say "the agent's data arrived: $(cli sites | grep '^pkgtest')"

# --- upgrade ---------------------------------------------------------------
stop "$agent_pid"; agent_pid=""
stop "$server_pid"; server_pid=""
v=${version1%-*}
version2=${v%.*}.$(( ${v##*.} + 1 ))
say "building $version2 and upgrading (dpkg -i)"
tools/package.sh "${build_flags[@]}" --nolintian --version="$version2" --out="$work/v2" \
  >"$work/package-v2.log" 2>&1 || { cat "$work/package-v2.log"; fail "tools/package.sh --version"; }
dpkg -i "$work"/v2/*.deb >"$work/dpkg-v2.log" 2>&1 || fail "dpkg -i of the upgrade"
for pkg in natscope-agent natscope-server natscope-cli; do
  [[ $(dpkg-query -W -f='${Version}' "$pkg") == "$version2-1" ]] || fail "$pkg is not $version2-1"
done
cmp -s /etc/natscope/server.env "$work/server.env.before" || fail "the upgrade replaced /etc/natscope/server.env"
cmp -s /etc/natscope/agent.textproto "$work/agent.textproto.before" ||
  fail "the upgrade replaced /etc/natscope/agent.textproto"
for b in natscope-agent natscope-server natscope; do
  "$b" --version | grep -q "^$b $version2 (commit [0-9a-f]" || fail "$b --version: $("$b" --version)"
done
start_server "$version2"
site_row || fail "the server lost its data in the upgrade"
agent_pid=$(run_unit natscope-agent.service "$work/agent-$version2.log")
agent_id=$(cli agents pkgtest 2>/dev/null | awk 'NR > 1 && NF { print $1; exit }')
[[ -n "$agent_id" ]] || fail "natscope agents pkgtest lists no agent"
new_version() {
  local health
  health=$(cli agent "$agent_id") || return 1
  grep -qF "version $version2," <<<"$health"
}
wait_for 90 "the agent reporting $version2 (natscope agent $agent_id)" new_version
say "the upgraded agent reports $version2; config kept"

# --- purge -----------------------------------------------------------------
stop "$agent_pid"; agent_pid=""
stop "$server_pid"; server_pid=""
dpkg --purge natscope-agent natscope-server natscope-cli >"$work/purge.log" 2>&1 ||
  fail "dpkg --purge (see purge.log)"
for path in /etc/natscope /var/lib/natscope /var/lib/natscope-agent \
  /usr/bin/natscope-agent /usr/sbin/natscope-server /usr/bin/natscope \
  /lib/systemd/system/natscope-server.service /lib/systemd/system/natscope-agent.service; do
  [[ -e "$path" ]] && fail "$path is left after purge: $(ls -la "$path" 2>&1 | head -n 5)"
done
left=$(leftover_pids)
[[ -z "$left" ]] || fail "natscope processes run after purge: $(ps -o pid=,args= -p ${left//$'\n'/,})"
say "purged: nothing left in /etc/natscope, /var/lib/natscope*, or the process table"
