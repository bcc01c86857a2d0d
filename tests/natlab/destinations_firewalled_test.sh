#!/usr/bin/env bash
# NAT lab, outbound UDP allowed only to some addresses (coturn, and
# natscope-server's primary and QUIC addresses), with an ISP router beyond
# the home router. The agent probes natscope-server: its alternate address
# (OTHER-ADDRESS) and the --destinations set are firewalked with TTL 2;
# the dropped ones make FINDING_OUTBOUND_IPS_RESTRICTED, the allowed one
# passes.
# Usage: destinations_firewalled_test.sh NATSCOPE_AGENT NATSCOPE_SERVER (Bazel passes both).
AGENT=$1 SERVER=${2:-}
source "$(dirname "$0")/case.sh"

LAB_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
LAB_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
LAB_HOPS="1=192.168.1.1 2=198.51.100.1"
LAB_DESTINATIONS_BLOCKED="$NL_PORTS_IP $NL_NATSCOPE_ALT_IP"
# natscope-server's alternate address is dropped by design, so coturn's
# natdiscovery cannot run its RFC 5780 tests against it.
LAB_SKIP_INTEROP="natscope-server's alternate address is blocked by the topology"
NEED_AGENT_FLAGS="--destinations"
AGENT_EXTRA_ARGS=(--destinations="$NL_PORTS_IP:3478,$NL_COTURN_IP:3478")
WANT_UDP_REACHABLE=true
# RFC 5780's mapping tests need the alternate address the rule drops: the
# mapping stays unknown rather than guessed.
WANT_MAPPING=MAPPING_UNKNOWN
WANT_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
WANT_PUBLIC_IP=198.51.100.2
WANT_QUIC_REACHABLE=true
WANT_FINDINGS="FINDING_OUTBOUND_IPS_RESTRICTED"
WANT_FIREWALK="203.0.113.21:3478=FIREWALK_DROPPED 203.0.113.12:3478=FIREWALK_DROPPED
  203.0.113.10:3478=FIREWALK_PASSED"
WANT_FINDING_TEXT="203.0.113.12, 203.0.113.21 blocked (firewalking)"

nl_case destinations_firewalled
