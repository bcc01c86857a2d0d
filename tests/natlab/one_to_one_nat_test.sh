#!/usr/bin/env bash
# NAT lab, 1:1 NAT (static snat + dnat to public 198.51.100.3): endpoint-independent
# mapping and filtering, the friendliest NAT there is.
# Usage: one_to_one_nat_test.sh NATSCOPE_AGENT NATSCOPE_SERVER (Bazel passes both).
AGENT=$1 SERVER=${2:-}
source "$(dirname "$0")/case.sh"

# coturn's natdiscovery (proves the lab):
LAB_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
LAB_FILTERING=FILTERING_ENDPOINT_INDEPENDENT
LAB_HOPS="1=192.168.1.1"
# natscope-agent probe --stun=coturn --json:
WANT_UDP_REACHABLE=true
WANT_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
WANT_FILTERING=FILTERING_ENDPOINT_INDEPENDENT
WANT_PUBLIC_IP=198.51.100.3
WANT_SAME_PORT=true
WANT_FINDINGS=""

# STUN clients no one here wrote, against coturn and natscope-server
# (interop.sh; docs/natlab.md says why these topologies):
LAB_INTEROP_CLIENTS="vovida turnutils_stunclient ccding pion"

nl_case one_to_one_nat
