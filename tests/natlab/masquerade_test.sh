#!/usr/bin/env bash
# NAT lab, masquerade: a typical home router. Endpoint-independent mapping,
# address-and-port-dependent filtering (port-restricted cone).
# Usage: masquerade_test.sh NATSCOPE_AGENT NATSCOPE_SERVER (Bazel passes both).
AGENT=$1 SERVER=${2:-}
source "$(dirname "$0")/case.sh"

# coturn's natdiscovery (proves the lab):
LAB_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
LAB_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
LAB_HOPS="1=192.168.1.1"
# natscope-agent probe --stun=coturn --json:
WANT_UDP_REACHABLE=true
WANT_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
WANT_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
WANT_PUBLIC_IP=198.51.100.2
WANT_FINDINGS=""

# Also against Vovida's stund (RFC 3489 only): the same verdicts.
LAB_STUND=true

nl_case masquerade
