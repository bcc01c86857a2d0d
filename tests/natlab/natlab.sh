# natlab: NAT topologies built from Linux network namespaces, veth pairs
# and nftables, with real STUN servers (coturn, natscope-server) on a fake
# internet. Source it (as root, outside Bazel's sandbox).
#
# Rules the lab keeps (DESIGN.md, "Real peers for tests"):
# - Every namespace is created here, named "$NL_ID-ROLE" (NL_ID holds this
#   shell's PID, so concurrent runs never collide). Veth pairs are created
#   directly inside lab namespaces and join only lab namespaces.
# - Addresses come only from 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24
#   ("the internet"), 192.168.x.0/24 (LANs) and 100.64.0.0/24 (CGNAT).
#   Nothing is routed to the host; the host namespace, its addresses, routes
#   and nftables are never touched. sysctls are set with `ip netns exec`.
#   The only host file the lab writes is a lab namespace's own
#   /etc/netns/NS/ (nl_etc_file), removed on exit.
# - On exit (success, failure or signal) every process started in a lab
#   namespace is stopped, every namespace deleted, the scratch dir removed.
#
# Functions take short namespace names ("inet", "rtr", "cli"); nl_ns maps
# them to the real ones. The topologies themselves are in topologies.sh.
set -euo pipefail

NL_ID="nl$$"
NL_SCRATCH=$(mktemp -d /tmp/natlab.XXXXXX)
# The embedded PostgreSQL runs as an unprivileged user and must reach it.
chmod 711 "$NL_SCRATCH"
NL_NAMESPACES=()
NL_PIDS=()
NL_ETC_DIRS=()

# The fake internet's servers: coturn on a primary and an alternate IP
# (RFC 5780 needs two), natscope-server likewise, and single-port coturns
# on NL_PORTS_IP that the lab uses to check its own port rules.
NL_COTURN_IP=203.0.113.10
NL_COTURN_ALT_IP=203.0.113.11
NL_PORTS_IP=203.0.113.12
NL_NATSCOPE_IP=203.0.113.20
NL_NATSCOPE_ALT_IP=203.0.113.21
NL_QUIC_IP=203.0.113.22
# Vovida's stund (Debian's stun-server), an RFC 3489-only server, on a
# primary and an alternate IP (started only by topologies with LAB_STUND).
NL_STUND_IP=203.0.113.30
NL_STUND_ALT_IP=203.0.113.31
# IPv6 servers (dual_stack): coturn's primary and alternate addresses.
NL_COTURN6_IP=2001:db8:ff::10
NL_COTURN6_ALT_IP=2001:db8:ff::11
NL_STUN_PORT=3478
NL_STUN_ALT_PORT=3479
# Extra UDP ports natscope-server answers STUN on, for the agent's
# outbound-port checks (the issue's defaults besides 3478).
NL_NATSCOPE_EXTRA_PORTS=443,80,53,19302

log() { echo "[$(date +%H:%M:%S)] $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# nl_ns NAME: the real name of lab namespace NAME.
nl_ns() { echo "$NL_ID-$1"; }

# nl_exec NAME COMMAND...: runs COMMAND inside lab namespace NAME.
nl_exec() { local ns; ns=$(nl_ns "$1"); shift; ip netns exec "$ns" "$@"; }

# nl_spawn NAME LOGFILE COMMAND...: starts COMMAND in the background inside
# namespace NAME, output to LOGFILE; sets NL_LAST_PID. Stopped on exit.
nl_spawn() {
  local ns log_file=$2; ns=$(nl_ns "$1"); shift 2
  ip netns exec "$ns" "$@" >"$log_file" 2>&1 &
  NL_LAST_PID=$!
  NL_PIDS+=("$NL_LAST_PID")
}

# nl_add_ns NAME...: creates lab namespaces with loopback up.
nl_add_ns() {
  local name ns
  for name in "$@"; do
    ns=$(nl_ns "$name")
    ip netns add "$ns" || fail "cannot create network namespace $ns (root, and no sandbox?)"
    NL_NAMESPACES+=("$ns")
    ip -n "$ns" link set lo up
  done
}

# nl_connect UPPER LOWER UPPER_ADDR/LEN LOWER_ADDR/LEN: a veth pair between
# two lab namespaces, "lan" in UPPER (toward the client) and "wan" in LOWER
# (toward the internet); LOWER's default route goes via UPPER_ADDR. One
# downstream link per namespace.
nl_connect() {
  local upper lower; upper=$(nl_ns "$1"); lower=$(nl_ns "$2")
  ip -n "$upper" link add lan type veth peer name wan netns "$lower"
  ip -n "$upper" addr add "$3" dev lan
  ip -n "$lower" addr add "$4" dev wan
  ip -n "$upper" link set lan up
  ip -n "$lower" link set wan up
  ip -n "$lower" route add default via "${3%/*}"
}

# nl_etc_file NAME FILE: writes stdin to /etc/netns/NS/FILE, which ip netns
# exec mounts over /etc/FILE for commands in lab namespace NAME (e.g. a
# hosts file). The directory is removed on exit.
nl_etc_file() {
  local dir; dir="/etc/netns/$(nl_ns "$1")"
  mkdir -p "$dir"
  NL_ETC_DIRS+=("$dir")
  cat >"$dir/$2"
}

# nl_add_v6 UPPER LOWER UPPER_ADDR LOWER_ADDR: IPv6 /64 addresses on the
# veth pair nl_connect made between UPPER ("lan") and LOWER ("wan"), and
# LOWER's IPv6 default route via UPPER_ADDR. nodad: usable at once.
nl_add_v6() {
  local upper lower; upper=$(nl_ns "$1"); lower=$(nl_ns "$2")
  ip -n "$upper" -6 addr add "$3/64" dev lan nodad
  ip -n "$lower" -6 addr add "$4/64" dev wan nodad
  ip -n "$lower" -6 route add default via "$3"
}

# nl_router NAME: turns on IPv4 forwarding inside namespace NAME only.
# Forwarding routers decrement the TTL and send ICMP time-exceeded, which
# the agent's double-NAT evidence relies on; no rule here drops ICMP.
nl_router() { nl_exec "$1" sysctl -qw net.ipv4.ip_forward=1; }

# nl_nft NAME: loads the nftables ruleset on stdin inside namespace NAME.
nl_nft() { nl_exec "$1" nft -f -; }

# nl_masquerade NAME [FLAGS]: source NAT of everything leaving "wan", e.g.
# FLAGS="random,fully-random".
nl_masquerade() {
  nl_nft "$1" <<EOF
table ip natlab_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" masquerade ${2:-}
  }
}
EOF
}

# nl_drop_outbound NAME MATCH: drops forwarded packets from the LAN that
# match the nftables expression MATCH (replies are never dropped).
nl_drop_outbound() {
  nl_nft "$1" <<EOF
table ip natlab_filter {
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "lan" $2 drop
  }
}
EOF
}

# nl_wait_udp NAME IP PORT SECONDS: waits until something listens there.
nl_wait_udp() {
  local deadline=$((SECONDS + $4)) src=$2
  [[ "$src" == *:* ]] && src="[$src]"
  until nl_exec "$1" ss -Huln "src $src and sport = :$3" | grep -q .; do
    [[ $SECONDS -lt $deadline ]] || fail "nothing listens on UDP $2:$3 in $1 after $4 s"
    sleep 0.1
  done
}

# nl_start_coturn NAME IP [ALT_IP] [PORT]: coturn as a STUN-only server.
# With ALT_IP it is a full RFC 5780 server (OTHER-ADDRESS = ALT_IP:PORT+1).
nl_start_coturn() {
  local name=$1 ip=$2 alt=${3:-} port=${4:-$NL_STUN_PORT}
  local tag="coturn-$ip-$port" args=(-L "$ip")
  [[ -n "$alt" ]] && args+=(-L "$alt")
  nl_spawn "$name" "$NL_SCRATCH/$tag.log" turnserver --stun-only -n --no-cli \
    "${args[@]}" --listening-port="$port" --alt-listening-port=$((port + 1)) \
    --no-tls --no-dtls --log-file=stdout --pidfile="$NL_SCRATCH/$tag.pid" \
    --userdb="$NL_SCRATCH/$tag.sqlite"
  nl_wait_udp "$name" "$ip" "$port" 20
  [[ -z "$alt" ]] || nl_wait_udp "$name" "$alt" $((port + 1)) 20
}

# nl_start_stund NAME: Vovida's RFC 3489 server on NL_STUND_IP:3478 with
# its alternate NL_STUND_ALT_IP:3479 (it answers on all four sockets and
# names the alternate in CHANGED-ADDRESS), in namespace NAME.
nl_start_stund() {
  command -v stund >/dev/null || fail "stund is not installed (package stun-server): run tools/setup.sh"
  local ip
  for ip in "$NL_STUND_IP" "$NL_STUND_ALT_IP"; do
    ip -n "$(nl_ns "$1")" addr add "$ip/32" dev lo
  done
  nl_spawn "$1" "$NL_SCRATCH/stund.log" stund -h "$NL_STUND_IP" -a "$NL_STUND_ALT_IP" \
    -p "$NL_STUN_PORT" -o "$NL_STUN_ALT_PORT"
  nl_wait_udp "$1" "$NL_STUND_IP" "$NL_STUN_PORT" 20
  nl_wait_udp "$1" "$NL_STUND_ALT_IP" "$NL_STUN_ALT_PORT" 20
}

# nl_server_has_flag BINARY FLAG: whether BINARY --help lists --FLAG.
# (Not `--help | grep -q`: grep -q stops at the first match, the binary
# then dies of SIGPIPE, and with pipefail a present flag reads as absent.)
nl_server_has_flag() {
  local help
  help=$("$1" --help 2>&1) || true
  [[ "$help" == *"--$2="* ]]
}

# nl_start_natscope_server NAME BINARY: natscope-server's STUN responder
# on NL_NATSCOPE_IP:3478 (alternate NL_NATSCOPE_ALT_IP:3479, extra ports
# NL_NATSCOPE_EXTRA_PORTS) with its embedded PostgreSQL in the scratch dir
# (its Unix socket works in any namespace), and its QUIC responder on
# NL_QUIC_IP:443. Flags the binary does not have yet are left out and
# listed in NL_SERVER_MISSING.
nl_start_natscope_server() {
  local name=$1 bin=$2 flag
  local args=(--data_dir="$NL_SCRATCH/natscope-data" --listen=127.0.0.1:0
    --stun_listen="$NL_NATSCOPE_IP:$NL_STUN_PORT" --port_file="$NL_SCRATCH/natscope.ports")
  NL_SERVER_MISSING=()
  declare -A wanted=([stun_alt_ip]="$NL_NATSCOPE_ALT_IP" [stun_alt_port]="$NL_STUN_ALT_PORT"
    [stun_ports]="$NL_NATSCOPE_EXTRA_PORTS" [quic_listen]="$NL_QUIC_IP:443")
  for flag in stun_alt_ip stun_alt_port stun_ports quic_listen; do
    if nl_server_has_flag "$bin" "$flag"; then
      args+=("--$flag=${wanted[$flag]}")
    else
      NL_SERVER_MISSING+=("--$flag")
    fi
  done
  nl_spawn "$name" "$NL_SCRATCH/natscope-server.log" "$bin" "${args[@]}"
  local pid=$NL_LAST_PID deadline=$((SECONDS + 90))
  until [[ -f "$NL_SCRATCH/natscope.ports" ]]; do
    kill -0 "$pid" 2>/dev/null || fail "natscope-server exited: $(tail -n 20 "$NL_SCRATCH/natscope-server.log")"
    [[ $SECONDS -lt $deadline ]] || fail "natscope-server did not start in 90 s"
    sleep 0.2
  done
  log "natscope-server up on $NL_NATSCOPE_IP:$NL_STUN_PORT ($(tr '\n' ' ' <"$NL_SCRATCH/natscope.ports"))"
}

# nl_natdiscovery NAME LOCAL_IP SERVER_IP [PORT]: coturn's reference client
# `turnutils_natdiscovery -m -f` from namespace NAME. Sets ND_MAPPING and
# ND_FILTERING in natscope's vocabulary (MAPPING_UNKNOWN/FILTERING_UNKNOWN
# when it gave no verdict), ND_SECONDS, and ND_LOG (its full output).
nl_natdiscovery() {
  local name=$1 local_ip=$2 server=$3 port=${4:-$NL_STUN_PORT} start=$EPOCHREALTIME
  ND_LOG="$NL_SCRATCH/natdiscovery-$name-$server-$RANDOM.log"
  nl_exec "$name" timeout 60 turnutils_natdiscovery -m -f -L "$local_ip" -p "$port" \
    "$server" >"$ND_LOG" 2>&1 || true
  ND_SECONDS=$(nl_elapsed "$start")
  local mapping filtering
  mapping=$(sed -n '/Mapping Behavior Discovery/,/Filtering Behavior Discovery/p' "$ND_LOG")
  filtering=$(sed -n '/Filtering Behavior Discovery/,$p' "$ND_LOG")
  ND_MAPPING=MAPPING_UNKNOWN ND_FILTERING=FILTERING_UNKNOWN
  case "$mapping" in
    *"No NAT!"*) ND_MAPPING=MAPPING_NO_NAT ;;
    *"Endpoint Independent Mapping!"*) ND_MAPPING=MAPPING_ENDPOINT_INDEPENDENT ;;
    *"Address Dependent Mapping!"*) ND_MAPPING=MAPPING_ADDRESS_DEPENDENT ;;
    *"Address and Port Dependent Mapping!"*) ND_MAPPING=MAPPING_ADDRESS_AND_PORT_DEPENDENT ;;
  esac
  case "$filtering" in
    *"Endpoint Independent Filtering!"*) ND_FILTERING=FILTERING_ENDPOINT_INDEPENDENT ;;
    *"Address Dependent Filtering!"*) ND_FILTERING=FILTERING_ADDRESS_DEPENDENT ;;
    *"Address and Port Dependent Filtering!"*) ND_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT ;;
  esac
}

# nl_stun_answers NAME SERVER_IP PORT: whether a plain STUN binding from
# namespace NAME to SERVER_IP:PORT is answered (turnutils_stunclient).
nl_stun_answers() {
  local out
  out=$(nl_exec "$1" timeout 3 turnutils_stunclient -p "$3" "$2" 2>&1 || true)
  grep -q "UDP reflexive addr" <<<"$out"
}

# nl_hops NAME DEST MAX_TTL: the sources of ICMP time-exceeded answers to
# UDP packets sent from namespace NAME toward DEST with TTL 1..MAX_TTL
# (at most 30), as "ttl=address" words ("-" when that hop was silent). A
# traceroute made of nftables, so the lab needs no extra tool: an output
# rule sets the TTL by destination port (33433 + TTL), an input rule files
# the sender of each time-exceeded by the port quoted inside it (ICMP
# header 8 bytes + IP header 20 + 2 = bit 240). The table is removed
# afterwards.
nl_hops() {
  local name=$1 dest=$2 max=$3 ttl addr result=() sets="" out="" in=""
  for ((ttl = 1; ttl <= max; ttl++)); do
    sets+="  set hop$ttl { type ipv4_addr; flags dynamic; }"$'\n'
    out+="    ip daddr $dest udp dport $((33433 + ttl)) ip ttl set $ttl"$'\n'
    in+="    icmp type time-exceeded @th,240,16 $((33433 + ttl)) add @hop$ttl { ip saddr }"$'\n'
  done
  nl_nft "$name" <<EOF
table ip natlab_hops {
$sets
  chain out {
    type filter hook output priority mangle; policy accept;
$out
  }
  chain in {
    type filter hook input priority filter; policy accept;
$in
  }
}
EOF
  for ((ttl = 1; ttl <= max; ttl++)); do
    nl_exec "$name" bash -c "echo natlab >/dev/udp/$dest/$((33433 + ttl))" 2>/dev/null || true
  done
  sleep 0.3
  for ((ttl = 1; ttl <= max; ttl++)); do
    addr=$(nl_exec "$name" nft list set ip natlab_hops "hop$ttl" |
      grep -oE '([0-9]+\.){3}[0-9]+' | head -n 1 || true)
    result+=("$ttl=${addr:--}")
  done
  nl_exec "$name" nft delete table ip natlab_hops
  echo "${result[*]}"
}

# nl_setup TOPOLOGY AGENT [SERVER]: builds TOPOLOGY, starts coturn (always:
# it is the lab's reference) and, when the topology's agent probes it,
# natscope-server (binary SERVER). Sets NL_STUN_IP (the server the agent
# probes) and NL_AGENT_ARGS: --stun, the lab's AWS ranges file, --quic when
# natscope-server runs; flags AGENT does not have yet are left out and
# listed in NL_AGENT_MISSING.
nl_setup() {
  local topology=$1 agent=$2 server=${3:-} tool arg extra=()
  for tool in turnserver turnutils_natdiscovery turnutils_stunclient nft ip; do
    command -v "$tool" >/dev/null || fail "$tool is not installed: run tools/setup.sh"
  done
  [[ -x "$agent" ]] || fail "natscope-agent binary not found at $agent"
  nl_build "$topology"
  nl_start_coturn inet "$NL_COTURN_IP" "$NL_COTURN_ALT_IP"
  [[ -z "${NL_DUAL_STACK:-}" ]] || nl_start_coturn inet "$NL_COTURN6_IP" "$NL_COTURN6_ALT_IP"
  NL_STUN_IP=$NL_COTURN_IP
  if [[ "$NL_STUN_KIND" == natscope ]]; then
    [[ -x "$server" ]] || fail "natscope-server binary not found at $server"
    nl_start_natscope_server inet "$server"
    NL_STUN_IP=$NL_NATSCOPE_IP
    [[ " ${NL_SERVER_MISSING[*]} " == *" --quic_listen "* ]] || extra+=(--quic="$NL_QUIC_IP:443")
  fi
  extra+=(--aws_ip_ranges="$NL_AWS_RANGES")
  NL_AGENT_ARGS=(--stun="$NL_STUN_IP:$NL_STUN_PORT") NL_AGENT_MISSING=()
  [[ -z "${NL_DUAL_STACK:-}" ]] || NL_AGENT_ARGS=(--stun="$NL_DUAL_STACK:$NL_STUN_PORT")
  local agent_help
  agent_help=$("$agent" --help 2>&1) || true  # Whole: see nl_server_has_flag.
  for arg in "${extra[@]}"; do
    if [[ "$agent_help" == *"${arg%%=*}="* ]]; then
      NL_AGENT_ARGS+=("$arg")
    else
      NL_AGENT_MISSING+=("${arg%%=*}")
    fi
  done
}

# nl_agent_probe AGENT [FLAGS...]: `AGENT probe NL_AGENT_ARGS FLAGS --json`
# in the client namespace. Sets AGENT_JSON, AGENT_RC, AGENT_SECONDS; its
# stderr goes to $NL_SCRATCH/agent.log.
nl_agent_probe() {
  local agent=$1 start=$EPOCHREALTIME; shift
  AGENT_RC=0
  AGENT_JSON=$(nl_exec "$NL_CLIENT" "$agent" probe "${NL_AGENT_ARGS[@]}" "$@" --json \
    2>>"$NL_SCRATCH/agent.log") || AGENT_RC=$?
  AGENT_SECONDS=$(nl_elapsed "$start")
}

# json_ipv6 JSON: the report's "ipv6" object, outdented to the top level
# (so json_top and json_findings read it); empty without one.
json_ipv6() {
  awk '/^ "ipv6": \{/ { inside = 1; print "{"; next }
       inside && /^ \}/ { print "}"; exit }
       inside { sub(/^ /, ""); print }' <<<"$1"
}

# json_ipv4 JSON: the report without its "ipv6" object.
json_ipv4() {
  awk '/^ "ipv6": \{/ { skip = 1; next }
       skip && /^ \}/ { skip = 0; next }
       !skip' <<<"$1"
}

# json_top JSON KEY DEFAULT: a top-level scalar of the agent's proto3 JSON
# (printed with one-space indentation; default values are omitted).
json_top() {
  local value
  value=$(sed -n "s/^ \"$2\": \(.*\)\$/\1/p" <<<"$1" | sed 's/,$//; s/^"//; s/"$//')
  echo "${value:-$3}"
}

# json_findings JSON: the sorted, unique findings[].code, space separated.
json_findings() {
  { grep -oE '"code": "FINDING_[A-Z_]+"' <<<"$1" || true; } |
    sed 's/.*"\(FINDING_[A-Z_]*\)"/\1/' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# nl_elapsed START: seconds since START (an $EPOCHREALTIME), e.g. "1.234".
nl_elapsed() {
  local now=$EPOCHREALTIME
  awk -v a="$1" -v b="$now" 'BEGIN { printf "%.3f", b - a }'
}

_nl_teardown() {
  local rc=$? pid ns
  trap - EXIT INT TERM
  for pid in "${NL_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # natscope-server stops its PostgreSQL on SIGTERM; give it time.
  for _ in $(seq 1 50); do
    local alive=0
    for pid in "${NL_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.1
  done
  # Anything still inside a lab namespace was started by this lab (e.g. a
  # PostgreSQL its server failed to stop): a bug, killed and reported.
  for ns in "${NL_NAMESPACES[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      echo "natlab: leftover pid $pid in $ns: $(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)"
      kill -KILL "$pid" 2>/dev/null || true
      rc=1
    done
  done
  for pid in "${NL_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ns in "${NL_NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  local dir
  for dir in "${NL_ETC_DIRS[@]}"; do rm -rf "$dir"; done
  rmdir /etc/netns 2>/dev/null || true
  if ip netns list | grep -q "^$NL_ID-"; then
    echo "natlab: namespaces left behind: $(ip netns list | grep "^$NL_ID-" | tr '\n' ' ')"
    rc=1
  fi
  if [[ $rc -ne 0 ]]; then
    for f in "$NL_SCRATCH"/*.log; do
      [[ -f "$f" ]] && { echo "--- $f"; tail -n 30 "$f"; }
    done
  fi
  rm -rf "$NL_SCRATCH"
  exit "$rc"
}
trap _nl_teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=tests/natlab/topologies.sh
source "$(dirname "${BASH_SOURCE[0]}")/topologies.sh"
