#!/usr/bin/env bash
# NAT lab, no NAT: the client holds public 198.51.100.2 itself.
# Usage: no_nat_test.sh NATSCOPE_AGENT NATSCOPE_SERVER (Bazel passes both).
AGENT=$1 SERVER=${2:-}
source "$(dirname "$0")/case.sh"

# coturn's natdiscovery (proves the lab):
LAB_MAPPING=MAPPING_NO_NAT
LAB_FILTERING=FILTERING_ENDPOINT_INDEPENDENT
# natscope-agent probe --stun=coturn --json:
WANT_UDP_REACHABLE=true
WANT_MAPPING=MAPPING_NO_NAT
WANT_FILTERING=FILTERING_ENDPOINT_INDEPENDENT
WANT_PUBLIC_IP=198.51.100.2
WANT_SAME_PORT=true
WANT_FINDINGS=""

# STUN clients no one here wrote, against coturn and natscope-server
# (interop.sh; docs/natlab.md says why these topologies):
LAB_INTEROP_CLIENTS="vovida turnutils_stunclient ccding pion"

nl_case no_nat
