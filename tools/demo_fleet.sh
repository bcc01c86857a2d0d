#!/usr/bin/env bash
# The demo's fleet (tools/demo.sh runs it as root): four sites behind
# real NATs in network namespaces on documentation addresses, built with
# the NAT lab's helpers (tests/natlab/natlab.sh, which also tears it all
# down on exit), around one natscope-server on the lab's internet:
#
#   paris    a home router (masquerade)                  should be fine
#   aws-vpc  an AWS NAT gateway look-alike (fully-random
#            masquerade on 192.0.2.2, an EC2 prefix of
#            the lab's AWS ranges file)                  relay only
#   berlin   two NATs in a row (an ISP box and the
#            user's own router)                          double NAT
#   madrid   a firewall that drops all outbound UDP      UDP blocked
#
# Each site has a client and a connector: a natscope-agent daemon
# enrolled with its site's token (natscope tokens enroll create), with a
# config file, following a product log like those in tests/testdata/ and
# probing the server's two STUN addresses (RFC 5780). The script prints
# the per-site table, the fleet's findings with what to do, the worst
# site's analysis and a screenshot of the dashboard.
#
# Usage (root): tools/demo_fleet.sh AGENT SERVER CLI [--keep]
#   --keep  wait for Enter before tearing down (the dashboard and the CLI
#           work until then; the script prints how to reach them).
# Environment: DEMO_SCREENSHOT=FILE (default /tmp/natscope-demo-dashboard.png;
# empty: no screenshot).
AGENT=$(realpath "$1") SERVER=$(realpath "$2") CLI=$(realpath "$3")
KEEP=false
[[ "${4:-}" == --keep ]] && KEEP=true
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/natlab/natlab.sh
source "$here/../tests/natlab/natlab.sh"

say() { echo "demo: $*"; }
DEMO_START=$SECONDS
# Every natscope address is on the lab's "inet": gRPC and the dashboard
# on the server's primary STUN address (plaintext: nothing leaves the lab).
GRPC="$NL_NATSCOPE_IP:7700"
HTTP="$NL_NATSCOPE_IP:8080"
SCREENSHOT=${DEMO_SCREENSHOT-/tmp/natscope-demo-dashboard.png}

# demo_bridge NS ADDR/LEN...: a bridge "lan" in lab namespace NS with these
# addresses: a LAN segment with room for several hosts (nl_connect links
# one pair). The lab's rules still hold: NAT leaves by "wan", LAN traffic
# enters by "lan".
demo_bridge() {
  local ns; ns=$(nl_ns "$1"); shift
  ip -n "$ns" link add lan type bridge
  local addr
  for addr in "$@"; do ip -n "$ns" addr add "$addr" dev lan; done
  ip -n "$ns" link set lan up
}

# demo_plug UPPER LOWER ADDR/LEN GATEWAY: LOWER's "wan" plugged into
# UPPER's bridge, LOWER's default route via GATEWAY.
demo_plug() {
  local upper lower port="lan-$2"; upper=$(nl_ns "$1"); lower=$(nl_ns "$2")
  port=${port:0:15}
  ip -n "$upper" link add "$port" type veth peer name wan netns "$lower"
  ip -n "$upper" link set "$port" master lan up
  ip -n "$lower" addr add "$3" dev wan
  ip -n "$lower" link set wan up
  ip -n "$lower" route add default via "$4"
}

# demo_site UPPER ROUTER WAN_ADDR GATEWAY LAN_PREFIX: a router on UPPER's
# segment with a LAN LAN_PREFIX.0/24 (router .1) holding SITE-cli (.10)
# and SITE-con (.20), where SITE is ROUTER's prefix before "-".
demo_site() {
  local rtr=$2 site=${2%%-*}
  nl_add_ns "$rtr" "$site-cli" "$site-con"
  demo_plug "$1" "$rtr" "$3/24" "$4"
  nl_router "$rtr"
  demo_bridge "$rtr" "$5.1/24"
  demo_plug "$rtr" "$site-cli" "$5.10/24" "$5.1"
  demo_plug "$rtr" "$site-con" "$5.20/24" "$5.1"
}

# The lab topology (nl_build calls it after making "inet" with the
# servers' addresses). The internet is one segment: 198.51.100.0/24 and,
# for the AWS look-alike, 192.0.2.0/24 (EC2 in the lab's ranges file).
_nl_topology_demo_fleet() {
  demo_bridge inet 198.51.100.1/24 192.0.2.1/24
  demo_site inet paris-rtr 198.51.100.2 198.51.100.1 192.168.1
  nl_masquerade paris-rtr
  demo_site inet aws-natgw 192.0.2.2 192.0.2.1 192.168.2
  nl_masquerade aws-natgw "random,fully-random"
  # berlin: the ISP's box (berlin-isp) and the user's own router
  # (berlin-rtr) behind it, both masquerading.
  nl_add_ns berlin-isp
  demo_plug inet berlin-isp 198.51.100.3/24 198.51.100.1
  nl_router berlin-isp
  demo_bridge berlin-isp 192.168.3.1/24
  demo_site berlin-isp berlin-rtr 192.168.3.2 192.168.3.1 192.168.4
  nl_masquerade berlin-isp && nl_masquerade berlin-rtr
  demo_site inet madrid-fw 198.51.100.4 198.51.100.1 192.168.5
  nl_masquerade madrid-fw
  nl_drop_outbound madrid-fw "meta l4proto udp"
  NL_CLIENT=paris-cli NL_CLIENT_IP="192.168.{1,2,4,5}.{10,20}" NL_STUN_KIND=natscope
  NL_PUBLIC_IP="198.51.100.2 (paris), 192.0.2.2 (aws-vpc), 198.51.100.3 (berlin), 198.51.100.4 (madrid)"
}

# cli ARGS...: the natscope CLI as admin, from the lab's internet.
cli() { nl_exec inet "$CLI" --plaintext --server="$GRPC" --token_file="$NL_SCRATCH/data/admin_token" "$@"; }

start_server() {
  say "starting natscope-server on the lab's internet: STUN $NL_NATSCOPE_IP:$NL_STUN_PORT" \
    "and $NL_NATSCOPE_ALT_IP:$NL_STUN_ALT_PORT (RFC 5780), gRPC $GRPC, dashboard http://$HTTP"
  nl_spawn inet "$NL_SCRATCH/natscope-server.log" "$SERVER" --data_dir="$NL_SCRATCH/data" \
    --listen="$GRPC" --http_listen="$HTTP" --plaintext \
    --stun_listen="$NL_NATSCOPE_IP:$NL_STUN_PORT" --stun_alt_ip="$NL_NATSCOPE_ALT_IP" \
    --stun_ports="$NL_NATSCOPE_EXTRA_PORTS" --quic_listen="$NL_QUIC_IP:443" \
    --aws_ip_ranges="$NL_AWS_RANGES" --port_file="$NL_SCRATCH/natscope.ports"
  local pid=$NL_LAST_PID deadline=$((SECONDS + 90))
  until [[ -f "$NL_SCRATCH/natscope.ports" ]]; do
    kill -0 "$pid" 2>/dev/null || fail "natscope-server exited: $(tail -n 20 "$NL_SCRATCH/natscope-server.log")"
    [[ $SECONDS -lt $deadline ]] || fail "natscope-server did not start in 90 s"
    sleep 0.2
  done
  say "natscope-server is up ($((SECONDS - DEMO_START)) s): its embedded PostgreSQL is initialised"
}

# product_log FILE STYLE NAT_TYPE: a product log as the vendor writes it
# (../shared/samples/log-lines.md, tests/testdata/), dated now: the
# analyzer weighs a stun_nat_type line only while it is under a week old.
# STYLE: client (ISO time), connector ([time][Connector]:), syslog
# (journald/syslog prefix of a Linux connector). NAT_TYPE empty: the
# product never found its NAT type (no stun_nat_type line).
product_log() {
  local file=$1 style=$2 nat=$3 prefix lines=()
  case "$style" in
    client) prefix="$(date -u +%Y-%m-%dT%H:%M:%SZ) "
      lines=("[INFO] [client] Starting client 2026.330.0" "[INFO] [libsdwan] sdwan_state: Connecting"
        "[INFO] [libsdwan] sdwan_state: Online") ;;
    connector) prefix="[$(date -u +%Y-%m-%dT%H:%M:%SZ)][Connector]: "
      lines=("[INFO] [connector] State: Starting" "[INFO] [libsdwan] sdwan_state: Online") ;;
    syslog) prefix="$(date -u '+%b %e %H:%M:%S') ip-10-0-1-23 twingate-connector[812]: "
      lines=("[INFO] [connector] State: Starting" "[INFO] [libsdwan] sdwan_state: Online") ;;
  esac
  [[ -z "$nat" ]] || lines+=("[INFO] [libsdwan] stun_nat_type: $nat")
  printf "$prefix%s\n" "${lines[@]}" >"$file"
}

# start_agent SITE ROLE ID STYLE NAT_TYPE: a natscope-agent daemon in
# namespace SITE-cli or SITE-con, from a config file, enrolling itself
# with the site's token on first start.
start_agent() {
  local site=$1 role=$2 id=$3 dir="$NL_SCRATCH/agents/$3" ns="${1%%-*}-${2:0:3}"
  mkdir -p "$dir"
  product_log "$dir/product.log" "$4" "$5"
  cat >"$dir/agent.textproto" <<EOF
server: "$GRPC"
tls { plaintext: true }
state_dir: "$dir/state"
identity { agent_id: "$id" site: "$site" role: ROLE_${role^^} }
enrollment_token_file: "$NL_SCRATCH/tokens/$site"
logs { path: "$dir/product.log" from_start: true }
probe {
  stun_servers: "$NL_NATSCOPE_IP:$NL_STUN_PORT"
  quic_server: "$NL_QUIC_IP:443"
  interval: "1h"
}
poll_interval: "100ms"
EOF
  nl_spawn "$ns" "$dir/agent.log" "$AGENT" run --config="$dir/agent.textproto" \
    --aws_ip_ranges="$NL_AWS_RANGES"
  AGENT_PIDS+=("$NL_LAST_PID:$id")
}
AGENT_PIDS=()

# check_agents: fails, with its log, if an agent has exited.
check_agents() {
  local entry
  for entry in "${AGENT_PIDS[@]}"; do
    kill -0 "${entry%%:*}" 2>/dev/null ||
      fail "agent ${entry#*:} exited: $(tail -n 5 "$NL_SCRATCH/agents/${entry#*:}/agent.log")"
  done
}

# fleet_ready: every agent has sent a probe report and each problem site
# has been analysed with its finding.
fleet_ready() {
  local agents sites
  agents=$(cli agents --json 2>/dev/null) || return 1
  (($(grep -c '"latestProbe"' <<<"$agents") >= 8)) || return 1
  sites=$(cli findings 2>/dev/null) || return 1
  [[ "$sites" == *aws-vpc* && "$sites" == *berlin* && "$sites" == *madrid* ]]
}

say "building the lab: 4 sites behind their NATs, 14 network namespaces"
nl_build demo_fleet
start_server
mkdir -p "$NL_SCRATCH/tokens"
for site in paris aws-vpc berlin madrid; do
  cli tokens enroll create "$site" --expires=1h | tail -n 1 >"$NL_SCRATCH/tokens/$site"
  chmod 600 "$NL_SCRATCH/tokens/$site"
done
say "created an enrollment token per site (natscope tokens enroll create SITE)"
start_agent paris client paris-laptop-1 client endpoint-independent
start_agent paris connector paris-gw-1 connector endpoint-independent
start_agent aws-vpc client aws-workspace-1 client endpoint-dependent
start_agent aws-vpc connector aws-connector-1 syslog endpoint-dependent
start_agent berlin client berlin-laptop-7 client endpoint-independent
start_agent berlin connector berlin-nas-1 connector endpoint-independent
start_agent madrid client madrid-laptop-3 client ""
start_agent madrid connector madrid-gw-1 syslog ""
say "started 8 agents (a client and a connector per site); waiting for their probes and logs"
deadline=$((SECONDS + 120)) last=-1
until fleet_ready; do
  check_agents
  if [[ $SECONDS -ge $deadline ]]; then
    cli sites || true
    for f in "$NL_SCRATCH"/agents/*/agent.log; do echo "--- $f"; tail -n 5 "$f"; done
    fail "the fleet did not report in 120 s"
  fi
  probed=$(cli agents --json 2>/dev/null | grep -c '"latestProbe"' || true)
  if [[ "$probed" != "$last" ]]; then
    say "  $probed of 8 agents have probed ($((SECONDS - DEMO_START)) s)"
    last=$probed
  fi
  sleep 1
done
say "the fleet has reported ($((SECONDS - DEMO_START)) s). natscope sites:"
echo
cli sites
echo
say "the fleet's findings, with what to do (natscope findings):"
echo
cli findings
echo
worst=$(cli sites --json | grep -m1 '"site":' | sed 's/.*"site": "\([^"]*\)".*/\1/')
say "the worst site analysed (natscope site $worst):"
echo
cli site "$worst"
echo

# The dashboard lives inside the lab; a headless chromium in the lab's
# internet takes a picture of it (the site list) before the teardown.
if [[ -n "$SCREENSHOT" ]] && command -v chromium >/dev/null; then
  profile="$NL_SCRATCH/chromium"
  mkdir -p "$profile"
  if HOME="$profile" nl_exec inet timeout 60 chromium --headless=new --no-sandbox --disable-gpu \
    --no-first-run --disable-background-networking --disable-component-update --disable-sync \
    --disable-extensions --disable-breakpad --no-proxy-server \
    --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE $NL_NATSCOPE_IP" \
    --user-data-dir="$profile/data" --hide-scrollbars --virtual-time-budget=10000 \
    --window-size=1280,900 --screenshot="$SCREENSHOT" \
    "http://$HTTP/#token=$(<"$NL_SCRATCH/data/admin_token")&/sites" >"$profile/log" 2>&1; then
    say "the dashboard (http://$HTTP/, served only inside the lab while the demo runs): screenshot saved to $SCREENSHOT"
  else
    say "could not take the dashboard's screenshot: $(tail -n 2 "$profile/log")"
  fi
else
  say "the dashboard is served at http://$HTTP/ inside the lab only while the demo runs (--keep to look)"
fi

if $KEEP; then
  say "kept running. From another root shell:"
  say "  ip netns exec $(nl_ns inet) $CLI --plaintext --server=$GRPC --token_file=$NL_SCRATCH/data/admin_token sites"
  say "  ip netns exec $(nl_ns inet) curl -H \"Authorization: Bearer \$(cat $NL_SCRATCH/data/admin_token)\" http://$HTTP/v1/sites"
  say "press Enter to tear everything down"
  read -r _ || true
fi
say "run took $((SECONDS - DEMO_START)) s; tearing down the lab (agents, server, PostgreSQL, namespaces)"
