# One NAT-lab test case: build a topology, prove the lab behaves as
# designed with independent tools, then check natscope-agent's verdict.
# Source it from a test script that sets AGENT and SERVER (binary paths)
# and the expectations below, then calls nl_case TOPOLOGY.
#
# Lab expectations (a miss means the lab is broken; the test stops):
#   LAB_MAPPING, LAB_FILTERING  turnutils_natdiscovery -m -f's verdict
#                               against coturn, in natscope's vocabulary
#   LAB_HOPS        optional: leading "ttl=address" words of nl_hops
#   LAB_PORTS_OPEN, LAB_PORTS_BLOCKED
#                   optional: UDP ports a STUN binding must (not) pass
#   LAB_DESTINATIONS_BLOCKED
#                   optional: addresses a STUN binding to port 3478 must
#                   not reach (coturn is started there when nothing is)
#   LAB_SKIP_INTEROP optional: why natdiscovery against natscope-server
#                   cannot agree with LAB_* in this topology
#   LAB_INTEROP_CLIENTS optional: more STUN clients (interop.sh), each
#                   run against coturn and natscope-server (started for
#                   them in coturn topologies): the same verdict from both
#   LAB_TCP_STUN    optional: "answered" or "silent": what a STUN Binding
#                   over TCP to coturn must get (nl_stun_tcp_answers)
# natscope expectations (every miss is listed, then the test fails):
#   WANT_UDP_REACHABLE  true/false
#   WANT_MAPPING, WANT_FILTERING  mappingBehavior, filteringBehavior
#   WANT_PUBLIC_IP      the IP of publicAddress ("" when nothing answered)
#   WANT_FINDINGS       the exact set of findings[].code, space separated
#   WANT_SAME_PORT      optional "true": publicAddress keeps the local port
#   WANT_PORTS_PASSED, WANT_PORTS_BLOCKED
#                       optional: ports that must be among portChecks that
#                       passed / were blocked (no answer, not "not served")
#   WANT_AWS_PREFIX     optional: aws.prefix
#   WANT_QUIC_REACHABLE optional: quicReachable (topologies served by
#                       natscope-server, whose QUIC responder the agent
#                       gets as --quic)
#   NEED_AGENT_FLAGS    optional: agent flags this case cannot do without
#                       (others the lab passes are dropped, with a note,
#                       when the agent lacks them)
#   AGENT_EXTRA_ARGS    optional array: more flags for the agent's probe
#   WANT_FIREWALK       optional: "ip:port=FIREWALK_VERDICT" words, the
#                       exact set of firewalk[] checks
#   WANT_NO_FIREWALK_DROPPED  optional "true": no firewalk check DROPPED
#   WANT_FIREWALK_RAN   optional "true": at least one firewalk check
#   WANT_FINDING_TEXT   optional: text some finding's summary contains
#   WANT_TCP_STUN       optional: the tcpStun[].outcome words, e.g.
#                       TCP_STUN_ANSWERED (STUN over TCP, tried when no
#                       server answered over UDP)
#   WANT_IPV6_MAPPING, WANT_IPV6_FILTERING, WANT_IPV6_PUBLIC_IP,
#   WANT_IPV6_FINDINGS  the report's "ipv6" half (dual-stack topologies);
#                       without WANT_IPV6_MAPPING the report must have none
#   LAB_IPV6_MAPPING, LAB_IPV6_FILTERING
#                   optional: natdiscovery's verdict against the IPv6 coturn
# With natscope-server as the topology's STUN server, coturn's
# natdiscovery is also run against it and must agree with LAB_*. Flags of
# the agent or server the lab needs but the binary lacks are failures too.

# shellcheck source=tests/natlab/natlab.sh
source "$(dirname "${BASH_SOURCE[0]}")/natlab.sh"
# shellcheck source=tests/natlab/interop.sh
source "$(dirname "${BASH_SOURCE[0]}")/interop.sh"

NL_PASSED=()
NL_FAILED=()

# nl_expect WHAT GOT WANT: records one natscope assertion.
nl_expect() {
  if [[ "$2" == "$3" ]]; then
    NL_PASSED+=("$1")
    echo "  ok    $1 = ${3:-(empty)}"
  else
    NL_FAILED+=("$1: got \"$2\", want \"$3\"")
    echo "  FAIL  $1: got \"$2\", want \"$3\""
  fi
}

# json_port_checks JSON: one "PORT STATE" line per portChecks entry, STATE
# being passed, not_served or blocked.
json_port_checks() {
  awk '
    /^ "portChecks": \[/ { inside = 1; next }
    inside && /^ \]/ { inside = 0 }
    !inside { next }
    /^  \{/ { port = ""; passed = 0; not_served = 0 }
    /"port":/ { gsub(/[^0-9]/, ""); port = $0 }
    /"passed": true/ { passed = 1 }
    /"notServed": true/ { not_served = 1 }
    /^  \}/ { print port, (passed ? "passed" : not_served ? "not_served" : "blocked") }
  ' <<<"$1"
}

# json_firewalk JSON: one "DESTINATION=VERDICT" word per firewalk entry
# (a verdict left out of the JSON is FIREWALK_UNKNOWN), sorted.
json_firewalk() {
  awk '
    /^ "firewalk": \[/ { inside = 1; next }
    inside && /^ \]/ { inside = 0 }
    !inside { next }
    /^  \{/ { dest = ""; verdict = "FIREWALK_UNKNOWN" }
    /"destination":/ { gsub(/[" ,]/, ""); sub(/^destination:/, ""); dest = $0 }
    /"verdict":/ { gsub(/[" ,]/, ""); sub(/^verdict:/, ""); verdict = $0 }
    /^  \}/ { print dest "=" verdict }
  ' <<<"$1" | sort | tr '\n' ' ' | sed 's/ $//'
}

sorted_words() { tr ' ' '\n' <<<"$1" | grep . | sort -u | tr '\n' ' ' | sed 's/ $//'; }

# json_tcp_stun JSON: the tcpStun[].outcome words in order, space
# separated; empty when no STUN over TCP was tried.
json_tcp_stun() {
  { grep -oE '"outcome": "TCP_STUN_[A-Z_]+"' <<<"$1" || true; } |
    sed 's/.*"\(TCP_STUN_[A-Z_]*\)"/\1/' | tr '\n' ' ' | sed 's/ $//'
}

# _nl_validate_lab: the lab half; fails the test when the lab is wrong.
_nl_validate_lab() {
  log "lab check: turnutils_natdiscovery -m -f against coturn $NL_COTURN_IP"
  nl_natdiscovery "$NL_CLIENT" "$NL_CLIENT_IP" "$NL_COTURN_IP"
  log "natdiscovery verdict: $ND_MAPPING, $ND_FILTERING (${ND_SECONDS}s)"
  LAB_ND_SECONDS=$ND_SECONDS
  [[ "$ND_MAPPING $ND_FILTERING" == "$LAB_MAPPING $LAB_FILTERING" ]] || {
    cat "$ND_LOG"
    fail "LAB BROKEN: natdiscovery says $ND_MAPPING $ND_FILTERING, the topology should give $LAB_MAPPING $LAB_FILTERING"
  }
  if [[ -n "${LAB_IPV6_MAPPING:-}" ]]; then
    log "lab check: turnutils_natdiscovery -m -f against coturn [$NL_COTURN6_IP]"
    nl_natdiscovery "$NL_CLIENT" "$NL_CLIENT_IP6" "$NL_COTURN6_IP"
    log "natdiscovery verdict over IPv6: $ND_MAPPING, $ND_FILTERING (${ND_SECONDS}s)"
    [[ "$ND_MAPPING $ND_FILTERING" == "$LAB_IPV6_MAPPING $LAB_IPV6_FILTERING" ]] || {
      cat "$ND_LOG"
      fail "LAB BROKEN: natdiscovery over IPv6 says $ND_MAPPING $ND_FILTERING, the topology should give $LAB_IPV6_MAPPING $LAB_IPV6_FILTERING"
    }
  fi
  if [[ -n "${LAB_HOPS:-}" ]]; then
    local hops
    hops=$(nl_hops "$NL_CLIENT" "$NL_COTURN_IP" 4)
    log "lab check: time-exceeded sources by TTL: $hops"
    [[ "$hops" == "$LAB_HOPS"* ]] || fail "LAB BROKEN: hops are \"$hops\", want \"$LAB_HOPS ...\""
  fi
  local port
  for port in ${LAB_PORTS_OPEN:-} ${LAB_PORTS_BLOCKED:-}; do
    nl_start_coturn inet "$NL_PORTS_IP" "" "$port"
  done
  for port in ${LAB_PORTS_OPEN:-}; do
    nl_stun_answers "$NL_CLIENT" "$NL_PORTS_IP" "$port" ||
      fail "LAB BROKEN: UDP to port $port should pass the router"
  done
  for port in ${LAB_PORTS_BLOCKED:-}; do
    nl_stun_answers "$NL_CLIENT" "$NL_PORTS_IP" "$port" &&
      fail "LAB BROKEN: UDP to port $port should be dropped by the router"
  done
  [[ -z "${LAB_PORTS_OPEN:-}${LAB_PORTS_BLOCKED:-}" ]] ||
    log "lab check: ports open [${LAB_PORTS_OPEN:-}], blocked [${LAB_PORTS_BLOCKED:-}]: as designed"
  local ip
  for ip in ${LAB_DESTINATIONS_BLOCKED:-}; do
    nl_exec inet ss -Huln "src $ip and sport = :$NL_STUN_PORT" | grep -q . ||
      nl_start_coturn inet "$ip" "" "$NL_STUN_PORT"
    nl_stun_answers "$NL_CLIENT" "$ip" "$NL_STUN_PORT" &&
      fail "LAB BROKEN: UDP to $ip should be dropped by the router"
  done
  [[ -z "${LAB_DESTINATIONS_BLOCKED:-}" ]] ||
    log "lab check: destinations blocked [$LAB_DESTINATIONS_BLOCKED]: as designed"
  if [[ -n "${LAB_TCP_STUN:-}" ]]; then
    local tcp=silent
    if nl_stun_tcp_answers "$NL_CLIENT" "$NL_COTURN_IP" "$NL_STUN_PORT"; then tcp=answered; fi
    [[ "$tcp" == "$LAB_TCP_STUN" ]] ||
      fail "LAB BROKEN: STUN over TCP to coturn $NL_COTURN_IP:$NL_STUN_PORT $tcp, want $LAB_TCP_STUN"
    log "lab check: STUN over TCP to coturn $tcp: as designed"
  fi
}

# _nl_check_agent: runs the agent in the client namespace and checks its
# JSON.
_nl_check_agent() {
  local missing json
  for missing in "${NL_AGENT_MISSING[@]}"; do
    if [[ " ${NEED_AGENT_FLAGS:-} " == *" $missing "* ]]; then
      nl_expect "natscope-agent has flag $missing" missing present
    else
      log "note: natscope-agent has no $missing flag yet; probing without it"
    fi
  done
  log "natscope-agent probe ${NL_AGENT_ARGS[*]} --json (in $NL_CLIENT)"
  nl_agent_probe "$AGENT" ${AGENT_EXTRA_ARGS[@]+"${AGENT_EXTRA_ARGS[@]}"}
  json=$AGENT_JSON
  echo "$json"
  log "natscope-agent took ${AGENT_SECONDS}s, exit status $AGENT_RC"
  nl_expect "agent exit status" "$AGENT_RC" 0

  local public local_address
  public=$(json_top "$json" publicAddress "")
  local_address=$(json_top "$json" localAddress "")
  nl_expect udpReachable "$(json_top "$json" udpReachable false)" "$WANT_UDP_REACHABLE"
  nl_expect mappingBehavior "$(json_top "$json" mappingBehavior MAPPING_UNKNOWN)" "$WANT_MAPPING"
  nl_expect filteringBehavior "$(json_top "$json" filteringBehavior FILTERING_UNKNOWN)" \
    "$WANT_FILTERING"
  nl_expect "publicAddress IP" "${public%:*}" "$WANT_PUBLIC_IP"
  nl_expect "findings[].code" "$(json_findings "$(json_ipv4 "$json")")" "$(sorted_words "$WANT_FINDINGS")"
  if [[ "${WANT_SAME_PORT:-}" == true ]]; then
    nl_expect "publicAddress port = localAddress port" "${public##*:}" "${local_address##*:}"
  fi
  local checks port
  checks=$(json_port_checks "$json")
  for port in ${WANT_PORTS_PASSED:-}; do
    nl_expect "portChecks port $port" "$(awk -v p="$port" '$1 == p { print $2 }' <<<"$checks")" passed
  done
  for port in ${WANT_PORTS_BLOCKED:-}; do
    nl_expect "portChecks port $port" "$(awk -v p="$port" '$1 == p { print $2 }' <<<"$checks")" blocked
  done
  if [[ -n "${WANT_QUIC_REACHABLE:-}" ]]; then
    nl_expect quicReachable "$(json_top "$json" quicReachable absent)" "$WANT_QUIC_REACHABLE"
  fi
  local walked
  walked=$(json_firewalk "$json")
  if [[ -n "${WANT_FIREWALK:-}" ]]; then
    nl_expect "firewalk[] destination=verdict" "$walked" "$(sorted_words "$(tr '\n' ' ' <<<"$WANT_FIREWALK")")"
  fi
  if [[ "${WANT_NO_FIREWALK_DROPPED:-}" == true ]]; then
    nl_expect "firewalk[] has no FIREWALK_DROPPED" "$(grep -o 'FIREWALK_DROPPED' <<<"$walked" | head -n 1)" ""
  fi
  if [[ "${WANT_FIREWALK_RAN:-}" == true ]]; then
    nl_expect "firewalk[] is not empty" "$([[ -n "$walked" ]] && echo yes || echo no)" yes
  fi
  if [[ -n "${WANT_FINDING_TEXT:-}" ]]; then
    nl_expect "a finding's summary has \"$WANT_FINDING_TEXT\"" \
      "$(grep -cF -- "$WANT_FINDING_TEXT" <<<"$json" | sed 's/^[1-9][0-9]*$/yes/; s/^0$/no/')" yes
  fi
  if [[ -n "${WANT_TCP_STUN:-}" ]]; then
    nl_expect "tcpStun[].outcome" "$(json_tcp_stun "$(json_ipv4 "$json")")" "$WANT_TCP_STUN"
  fi
  _nl_check_ipv6 "$json"
  if [[ -n "${WANT_AWS_PREFIX:-}" ]]; then
    nl_expect aws.prefix "$(sed -n 's/^  "prefix": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")" \
      "$WANT_AWS_PREFIX"
  fi
}

# _nl_check_ipv6 JSON: the report's IPv6 half against WANT_IPV6_*, or its
# absence when the topology has no IPv6.
_nl_check_ipv6() {
  local v6
  v6=$(json_ipv6 "$1")
  if [[ -z "${WANT_IPV6_MAPPING:-}" ]]; then
    nl_expect "no ipv6 half (no IPv6 in this topology)" "${v6:+present}" ""
    return
  fi
  nl_expect "ipv6.udpReachable" "$(json_top "$v6" udpReachable false)" true
  nl_expect "ipv6.mappingBehavior" "$(json_top "$v6" mappingBehavior MAPPING_UNKNOWN)" \
    "$WANT_IPV6_MAPPING"
  nl_expect "ipv6.filteringBehavior" "$(json_top "$v6" filteringBehavior FILTERING_UNKNOWN)" \
    "$WANT_IPV6_FILTERING"
  local public
  public=$(json_top "$v6" publicAddress "")
  nl_expect "ipv6.publicAddress IP" "${public%:*}" "$WANT_IPV6_PUBLIC_IP"
  nl_expect "ipv6.findings[].code" "$(json_findings "$v6")" "$(sorted_words "${WANT_IPV6_FINDINGS:-}")"
}

# _nl_check_server_interop: coturn's reference client against
# natscope-server's responder must give the same verdict as against coturn;
# so must the clients of LAB_INTEROP_CLIENTS (interop.sh).
_nl_check_server_interop() {
  local missing
  [[ -z "${LAB_INTEROP_CLIENTS:-}" ]] || nl_interop_prepare
  for missing in "${NL_SERVER_MISSING[@]}"; do
    nl_expect "natscope-server has flag $missing" missing present
  done
  log "interop: turnutils_natdiscovery -m -f against natscope-server $NL_NATSCOPE_IP"
  nl_natdiscovery "$NL_CLIENT" "$NL_CLIENT_IP" "$NL_NATSCOPE_IP"
  nl_expect "natdiscovery vs natscope-server" "$ND_MAPPING $ND_FILTERING" \
    "$LAB_MAPPING $LAB_FILTERING"
  [[ -z "${LAB_INTEROP_CLIENTS:-}" ]] || nl_interop_clients
}

# nl_case TOPOLOGY: the whole test.
# _nl_check_stund: natscope-agent against an RFC 3489-only server (Vovida's
# stund, which has an alternate address and honours CHANGE-REQUEST) must
# reach the same mapping and filtering verdicts, public IP and findings
# as against the topology's RFC 5780 server, and say the server is RFC
# 3489 (what it cannot answer) in a warning.
_nl_check_stund() {
  nl_start_stund inet
  local json saved=("${NL_AGENT_ARGS[@]}")
  NL_AGENT_ARGS=(--stun="$NL_STUND_IP:$NL_STUN_PORT" --aws_ip_ranges="$NL_AWS_RANGES")
  log "natscope-agent probe ${NL_AGENT_ARGS[*]} --json (stund, RFC 3489 only)"
  nl_agent_probe "$AGENT"
  NL_AGENT_ARGS=("${saved[@]}")
  json=$AGENT_JSON
  echo "$json"
  nl_expect "vs stund: agent exit status" "$AGENT_RC" 0
  nl_expect "vs stund: mappingBehavior" "$(json_top "$json" mappingBehavior MAPPING_UNKNOWN)" "$WANT_MAPPING"
  nl_expect "vs stund: filteringBehavior" "$(json_top "$json" filteringBehavior FILTERING_UNKNOWN)" \
    "$WANT_FILTERING"
  local public; public=$(json_top "$json" publicAddress "")
  nl_expect "vs stund: publicAddress IP" "${public%:*}" "$WANT_PUBLIC_IP"
  nl_expect "vs stund: findings[].code" "$(json_findings "$json")" \
    "$(sorted_words "${WANT_STUND_FINDINGS-$WANT_FINDINGS}")"
  nl_expect "vs stund: a warning names the RFC 3489 server" \
    "$(grep -cF "answers as an RFC 3489 server" <<<"$json" | sed 's/^[1-9][0-9]*$/yes/; s/^0$/no/')" yes
}

nl_case() {
  local topology=$1
  AGENT=$(realpath "$AGENT")
  [[ -z "${SERVER:-}" ]] || SERVER=$(realpath "$SERVER")
  nl_setup "$topology" "$AGENT" "${SERVER:-}"
  _nl_validate_lab
  log "lab OK; natscope assertions follow"
  if [[ "$NL_STUN_KIND" == natscope && -n "${LAB_SKIP_INTEROP:-}" ]]; then
    log "interop check against natscope-server skipped: $LAB_SKIP_INTEROP"
  elif [[ "$NL_STUN_KIND" == natscope || -n "${LAB_INTEROP_CLIENTS:-}" ]]; then
    _nl_check_server_interop
  fi
  _nl_check_agent
  [[ "${LAB_STUND:-}" != true ]] || _nl_check_stund

  echo
  echo "== $topology: natdiscovery ${LAB_ND_SECONDS}s ($LAB_MAPPING, $LAB_FILTERING), natscope-agent ${AGENT_SECONDS}s"
  echo "== natscope assertions: ${#NL_PASSED[@]} passed, ${#NL_FAILED[@]} failed"
  local failure
  for failure in "${NL_FAILED[@]}"; do echo "   FAIL $failure"; done
  [[ ${#NL_FAILED[@]} -eq 0 ]] || exit 1
  echo PASS
}
