# STUN clients no one here wrote, run against coturn and against
# natscope-server from the same client namespace: each must reach the same
# verdict against both (and, where the topology's LAB_* says what it must
# be, that verdict). Sourced by case.sh, after natlab.sh.
#
# A topology's test file opts in with, e.g.,
#   LAB_INTEROP_CLIENTS="vovida turnutils_stunclient ccding pion"
# (the clients take 1-2 s each per server behind a filtering NAT, so only
# topologies with distinct verdicts run them; docs/natlab.md lists which).
# coturn's turnutils_natdiscovery is checked against natscope-server by
# case.sh's _nl_check_server_interop itself, in every such topology.
#
# Each nl_interop_CLIENT SERVER_IP[:PORT] runs one client in NL_CLIENT and
# sets IC_VERDICT (its output normalised to "key=value" words, below),
# IC_SECONDS and IC_LOG (its whole output). Vocabulary:
#   mapping    none (no NAT), EIM, ADM, APDM, dependent (ADM or APDM), unknown
#   filtering  EIF, ADF, APDF, dependent (ADF or APDF), unknown
# as in RFC 4787 (natscope's MAPPING_*/FILTERING_* without the prefix).

NL_INTEROP_CLIENTS=(vovida turnutils_stunclient ccding pion)
NL_INTEROP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# _nl_interop_run SECONDS COMMAND...: COMMAND in the client namespace,
# stopped after SECONDS; sets IC_LOG and IC_SECONDS.
_nl_interop_run() {
  local limit=$1 start=$EPOCHREALTIME; shift
  IC_LOG="$NL_SCRATCH/interop-$(basename "$1")-$RANDOM.log"
  nl_exec "$NL_CLIENT" timeout "$limit" "$@" >"$IC_LOG" 2>&1 || true
  IC_SECONDS=$(nl_elapsed "$start")
}

# nl_interop_vovida SERVER[:PORT]: Vovida's RFC 3489 client (stun-client
# 0.97), classic requests without the magic cookie. It always listens for
# about a second (its tests run side by side), then prints
# "Primary: TYPE[, PORTS, HAIRPIN]". Verdict: "mapping=M filtering=F
# ports=preserved|random hairpin=yes|no" (the last two behind a NAT only);
# its "Dependent Mapping" skips the filtering tests (no filtering word);
# "blocked" when nothing answered.
nl_interop_vovida() {
  _nl_interop_run 10 stun "$1" -i "$NL_CLIENT_IP"
  local line type
  line=$(sed -n 's/^Primary: *//p' "$IC_LOG" | head -n 1)
  case "$line" in
    "Open"*) type="mapping=none filtering=EIF" ;;
    "Firewall"*) type="mapping=none filtering=dependent" ;;
    "Independent Mapping, Independent Filter"*) type="mapping=EIM filtering=EIF" ;;
    "Independent Mapping, Address Dependent Filter"*) type="mapping=EIM filtering=ADF" ;;
    "Independent Mapping, Port Dependent Filter"*) type="mapping=EIM filtering=APDF" ;;
    "Dependent Mapping"*) type="mapping=dependent" ;;
    "Blocked"*) IC_VERDICT=blocked; return ;;
    *) IC_VERDICT="unparsed"; return ;;
  esac
  IC_VERDICT=$type
  [[ "$line" != *"preserves ports"* ]] || IC_VERDICT+=" ports=preserved"
  [[ "$line" != *"random port"* ]] || IC_VERDICT+=" ports=random"
  [[ "$line" != *"will hairpin"* ]] || IC_VERDICT+=" hairpin=yes"
  [[ "$line" != *"no hairpin"* ]] || IC_VERDICT+=" hairpin=no"
}

# nl_interop_turnutils_stunclient SERVER[:PORT]: coturn's
# turnutils_stunclient (RFC 5389 binding, then, when OTHER-ADDRESS says
# the server can, RFC 5780 requests with CHANGE-REQUEST). It waits without
# end for an answer a filtering NAT drops, so it is stopped after 1 s
# (answers in the lab take a millisecond). Verdict, from its first answer:
# "reflexive=IP origin=server|IP:PORT|none other-address=present|none
# answers=N" (origin: RESPONSE-ORIGIN is the address asked; N: how many of
# its three requests were answered).
nl_interop_turnutils_stunclient() {
  local server=${1%:*} port=$NL_STUN_PORT
  [[ "$1" == *:* ]] && port=${1##*:}
  _nl_interop_run 1 turnutils_stunclient -L "$NL_CLIENT_IP" -p "$port" "$server"
  IC_VERDICT=$(awk -v asked="$server:$port" '
    /UDP reflexive addr:/ && !reflexive { reflexive = $NF; sub(/:[0-9]+$/, "", reflexive) }
    /UDP reflexive addr:/ { answers++ }
    /Response origin:/ && origin == "" { origin = ($NF == asked) ? "server" : $NF }
    /Other addr:/ { other = "present" }
    END { printf "reflexive=%s origin=%s other-address=%s answers=%d\n",
            reflexive ? reflexive : "none", origin ? origin : "none",
            other ? other : "none", answers }' "$IC_LOG")
}

# nl_interop_ccding SERVER[:PORT]: ccding/go-stun 0.1.3's RFC 3489 NAT
# type discovery (magic cookie, CHANGE-REQUEST, CHANGED- or OTHER-ADDRESS),
# built from go/ccding_nat (the library's own command, but waiting 100 ms
# instead of 9.5 s for each dropped answer). Verdict: "nat=TYPE public=IP",
# TYPE one of open, full-cone, restricted, port-restricted, symmetric,
# symmetric-firewall, blocked, error.
nl_interop_ccding() {
  local server=$1
  [[ "$server" == *:* ]] || server+=":$NL_STUN_PORT"
  _nl_interop_run 20 "$NL_INTEROP_BIN/ccding_nat" -s "$server"
  local type public
  type=$(sed -n 's/^NAT Type: //p' "$IC_LOG")
  public=$(sed -n 's/^External IP: //p' "$IC_LOG")
  case "$type" in
    "Not behind a NAT") type=open ;;
    "Full cone NAT") type="full-cone" ;;
    "Restricted NAT") type=restricted ;;
    "Port restricted NAT") type="port-restricted" ;;
    "Symmetric NAT") type=symmetric ;;
    "Symmetric UDP firewall") type="symmetric-firewall" ;;
    "UDP is blocked") type=blocked ;;
    *) type=error ;;
  esac
  IC_VERDICT="nat=$type public=${public:-none}"
}

# nl_interop_pion SERVER[:PORT]: pion/stun 0.4.0's cmd/stun-nat-behaviour
# (RFC 5780 sections 4.3 and 4.4), -timeout 1 (its shortest: whole
# seconds, one send per test). Verdict: "mapping=M filtering=F", unknown
# where it printed "inconclusive".
nl_interop_pion() {
  local server=$1
  [[ "$server" == *:* ]] || server+=":$NL_STUN_PORT"
  _nl_interop_run 20 "$NL_INTEROP_BIN/stun-nat-behaviour" -server "$server" -timeout 1
  local mapping filtering
  mapping=$(sed -n 's/.*=> NAT mapping behavior: //p' "$IC_LOG")
  filtering=$(sed -n 's/.*=> NAT filtering behavior: //p' "$IC_LOG")
  IC_VERDICT="mapping=$(_nl_interop_rfc4787 "$mapping" M)"
  IC_VERDICT+=" filtering=$(_nl_interop_rfc4787 "$filtering" F)"
}

# _nl_interop_rfc4787 TEXT M|F: pion's words for a behaviour, short.
_nl_interop_rfc4787() {
  case "$1" in
    "endpoint independent"*) echo "EI$2" ;;
    "address dependent") echo "AD$2" ;;
    "address and port dependent") echo "APD$2" ;;
    *) echo unknown ;;
  esac
}

# _nl_interop_build_go_start: starts building the Go clients offline from
# Debian's packaged sources (golang-go, golang-github-ccding-go-stun-dev,
# golang-github-pion-stun-dev) into NL_INTEROP_BIN, in the background
# (about a second, while the other clients run); once per test run.
# _nl_interop_build_go_wait waits for it.
_nl_interop_build_go_start() {
  local src=/usr/share/gocode/src/github.com dir="$NL_SCRATCH/go"
  command -v go >/dev/null ||
    fail "go is not installed (Debian package golang-go): run tools/setup.sh"
  [[ -d "$src/ccding/go-stun/stun" ]] ||
    fail "ccding/go-stun sources are missing (golang-github-ccding-go-stun-dev): run tools/setup.sh"
  [[ -d "$src/pion/stun/cmd/stun-nat-behaviour" ]] ||
    fail "pion/stun sources are missing (golang-github-pion-stun-dev): run tools/setup.sh"
  NL_INTEROP_BIN="$dir/bin"
  mkdir -p "$dir/gopath/src/natlab/ccding_nat" "$NL_INTEROP_BIN"
  cp -L "$NL_INTEROP_DIR/go/ccding_nat/main.go" "$dir/gopath/src/natlab/ccding_nat/"
  # GOPATH mode against Debian's source tree: no module proxy, no network.
  (
    start=$EPOCHREALTIME
    env GOPATH="$dir/gopath:/usr/share/gocode" GO111MODULE=off GOPROXY=off GOFLAGS= GOENV=off \
      GOCACHE="$dir/cache" go build -o "$NL_INTEROP_BIN/" natlab/ccding_nat \
      github.com/pion/stun/cmd/stun-nat-behaviour >"$dir/build.log" 2>&1
    echo "built in $(nl_elapsed "$start")s" >>"$dir/build.log"
  ) &
  NL_INTEROP_BUILD_PID=$!
  NL_PIDS+=("$NL_INTEROP_BUILD_PID")
}

_nl_interop_build_go_wait() {
  [[ -n "${NL_INTEROP_BUILD_PID:-}" ]] || return 0
  wait "$NL_INTEROP_BUILD_PID" ||
    fail "cannot build the Go STUN clients: $(cat "$NL_SCRATCH/go/build.log")"
  log "interop: Go clients $(tail -n 1 "$NL_SCRATCH/go/build.log") (in the background)"
  NL_INTEROP_BUILD_PID=""
}

# The verdict each client must reach against coturn, from LAB_MAPPING and
# LAB_FILTERING ("" where it cannot be told from them). Only the keys
# named here are compared (_nl_interop_pick): Vovida's port preservation
# and hairpinning are facts of the router's implementation, not of its
# RFC 4787 behaviour, so they are compared between the servers only.
_nl_interop_lab_vovida() {
  local m f; m=$(_nl_interop_short "$LAB_MAPPING") f=$(_nl_interop_short "$LAB_FILTERING")
  case "$m" in
    none) echo "mapping=none filtering=$([[ "$f" == EIF ]] && echo EIF || echo dependent)" ;;
    EIM) echo "mapping=EIM filtering=$f" ;;
    ADM | APDM) echo "mapping=dependent" ;;
  esac
}

_nl_interop_lab_turnutils_stunclient() {
  # The second request asks for an answer from the other IP and port.
  local answers=1
  [[ "$LAB_FILTERING" == FILTERING_ENDPOINT_INDEPENDENT ]] && answers=3
  echo "reflexive=$NL_PUBLIC_IP origin=server other-address=present answers=$answers"
}

_nl_interop_lab_ccding() {
  local m f type; m=$(_nl_interop_short "$LAB_MAPPING") f=$(_nl_interop_short "$LAB_FILTERING")
  # RFC 3489's order: test II's answer comes from the other IP and port,
  # test I then goes there. Behind a Linux NAT that drops the answer, its
  # conntrack entry (other IP:port -> public IP:port) makes the NAT map
  # the later send to that address to a new port, so an endpoint-
  # independent mapping reads as symmetric (RFC 5780's order, the other IP
  # with the primary port first, does not meet this).
  case "$m/$f" in
    none/EIF) type=open ;;
    none/*) type=symmetric-firewall ;;
    unknown/*) return ;;
    */EIF) type=full-cone ;;
    *) type=symmetric ;;
  esac
  echo "nat=$type public=$NL_PUBLIC_IP"
}

_nl_interop_lab_pion() {
  # Its "no NAT" test compares the mapped address with its socket's, which
  # is unbound (0.0.0.0): without NAT it says endpoint independent.
  local m; m=$(_nl_interop_short "$LAB_MAPPING")
  [[ "$m" == none ]] && m=EIM
  echo "mapping=$m filtering=$(_nl_interop_short "$LAB_FILTERING")"
}

# _nl_interop_short MAPPING_*|FILTERING_*: the vocabulary above.
_nl_interop_short() {
  case "$1" in
    MAPPING_NO_NAT) echo none ;;
    *_ENDPOINT_INDEPENDENT) echo "EI${1:0:1}" ;;
    *_ADDRESS_DEPENDENT) echo "AD${1:0:1}" ;;
    *_ADDRESS_AND_PORT_DEPENDENT) echo "APD${1:0:1}" ;;
    *) echo unknown ;;
  esac
}

# _nl_interop_pick WANT GOT: the words of GOT whose keys WANT has.
_nl_interop_pick() {
  local word picked=()
  for word in $2; do
    [[ " $1" == *" ${word%%=*}="* || " $1 " == *" $word "* ]] && picked+=("$word")
  done
  echo "${picked[*]}"
}

# nl_interop_prepare: what nl_interop_clients needs, started early: the
# Go clients' build (in the background) and, in a topology whose agent
# probes coturn, natscope-server.
nl_interop_prepare() {
  local client
  for client in $LAB_INTEROP_CLIENTS; do
    [[ " ${NL_INTEROP_CLIENTS[*]} " == *" $client "* ]] ||
      fail "LAB_INTEROP_CLIENTS: unknown client \"$client\" (known: ${NL_INTEROP_CLIENTS[*]})"
  done
  [[ " $LAB_INTEROP_CLIENTS " == *" vovida "* ]] && ! command -v stun >/dev/null &&
    fail "stun is not installed (Debian package stun-client): run tools/setup.sh"
  [[ " $LAB_INTEROP_CLIENTS " != *" ccding "* && " $LAB_INTEROP_CLIENTS " != *" pion "* ]] ||
    _nl_interop_build_go_start
  [[ "$NL_STUN_KIND" == natscope ]] && return
  [[ -x "${SERVER:-}" ]] || fail "natscope-server binary not found at ${SERVER:-(none)}"
  nl_start_natscope_server inet "$SERVER"
}

# nl_interop_clients: every client of LAB_INTEROP_CLIENTS against coturn,
# then against natscope-server; records "CLIENT vs coturn" against LAB_*
# (where derivable) and "CLIENT vs natscope-server" against coturn's
# verdict.
nl_interop_clients() {
  local client want coturn times=()
  for client in $LAB_INTEROP_CLIENTS; do
    [[ "$client" != ccding && "$client" != pion ]] || _nl_interop_build_go_wait
    "nl_interop_$client" "$NL_COTURN_IP:$NL_STUN_PORT"
    coturn=$IC_VERDICT
    times+=("$client ${IC_SECONDS}s/")
    log "interop: $client against coturn: $coturn (${IC_SECONDS}s)"
    want=$("_nl_interop_lab_$client")
    if [[ -n "$want" ]]; then
      nl_expect "$client vs coturn (from LAB_*)" "$(_nl_interop_pick "$want" "$coturn")" "$want"
      [[ "$(_nl_interop_pick "$want" "$coturn")" == "$want" ]] || cat "$IC_LOG"
    fi
    "nl_interop_$client" "$NL_NATSCOPE_IP:$NL_STUN_PORT"
    times[-1]+="${IC_SECONDS}s"
    log "interop: $client against natscope-server: $IC_VERDICT (${IC_SECONDS}s)"
    nl_expect "$client vs natscope-server" "$IC_VERDICT" "$coturn"
    [[ "$IC_VERDICT" == "$coturn" ]] || cat "$IC_LOG"
  done
  log "interop: seconds against coturn/natscope-server: ${times[*]}"
}
