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
# With natscope-server as the topology's STUN server, coturn's
# natdiscovery is also run against it and must agree with LAB_*. Flags of
# the agent or server the lab needs but the binary lacks are failures too.

# shellcheck source=tests/natlab/natlab.sh
source "$(dirname "${BASH_SOURCE[0]}")/natlab.sh"

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

sorted_words() { tr ' ' '\n' <<<"$1" | grep . | sort -u | tr '\n' ' ' | sed 's/ $//'; }

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
  nl_agent_probe "$AGENT"
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
  nl_expect "findings[].code" "$(json_findings "$json")" "$(sorted_words "$WANT_FINDINGS")"
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
  if [[ -n "${WANT_AWS_PREFIX:-}" ]]; then
    nl_expect aws.prefix "$(sed -n 's/^  "prefix": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")" \
      "$WANT_AWS_PREFIX"
  fi
}

# _nl_check_server_interop: coturn's reference client against
# natscope-server's responder must give the same verdict as against coturn.
_nl_check_server_interop() {
  local missing
  for missing in "${NL_SERVER_MISSING[@]}"; do
    nl_expect "natscope-server has flag $missing" missing present
  done
  log "interop: turnutils_natdiscovery -m -f against natscope-server $NL_NATSCOPE_IP"
  nl_natdiscovery "$NL_CLIENT" "$NL_CLIENT_IP" "$NL_NATSCOPE_IP"
  nl_expect "natdiscovery vs natscope-server" "$ND_MAPPING $ND_FILTERING" \
    "$LAB_MAPPING $LAB_FILTERING"
}

# nl_case TOPOLOGY: the whole test.
nl_case() {
  local topology=$1
  AGENT=$(realpath "$AGENT")
  [[ -z "${SERVER:-}" ]] || SERVER=$(realpath "$SERVER")
  nl_setup "$topology" "$AGENT" "${SERVER:-}"
  _nl_validate_lab
  log "lab OK; natscope assertions follow"
  [[ "$NL_STUN_KIND" == natscope ]] && _nl_check_server_interop
  _nl_check_agent

  echo
  echo "== $topology: natdiscovery ${LAB_ND_SECONDS}s ($LAB_MAPPING, $LAB_FILTERING), natscope-agent ${AGENT_SECONDS}s"
  echo "== natscope assertions: ${#NL_PASSED[@]} passed, ${#NL_FAILED[@]} failed"
  local failure
  for failure in "${NL_FAILED[@]}"; do echo "   FAIL $failure"; done
  [[ ${#NL_FAILED[@]} -eq 0 ]] || exit 1
  echo PASS
}
