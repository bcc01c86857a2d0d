#!/usr/bin/env bash
# NAT lab, double NAT: two masquerading routers in a row. STUN sees their combined
# behaviour; the evidence for two layers is two private hops answering
# TTL-limited probes (stock miniupnpd cannot speak for the inner router,
# see DESIGN.md).
# Usage: double_nat_test.sh NATSCOPE_AGENT NATSCOPE_SERVER (Bazel passes both).
AGENT=$1 SERVER=${2:-}
source "$(dirname "$0")/case.sh"

# coturn's natdiscovery (proves the lab), and two private hops:
LAB_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
LAB_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
LAB_HOPS="1=192.168.2.1 2=192.168.1.1"
# natscope-agent probe --stun=natscope-server --json:
WANT_UDP_REACHABLE=true
WANT_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
WANT_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
WANT_PUBLIC_IP=198.51.100.2
WANT_QUIC_REACHABLE=true
WANT_FINDINGS="FINDING_DOUBLE_NAT"

# Also against Vovida's stund (RFC 3489 only): the same verdicts.
LAB_STUND=true

# STUN clients no one here wrote, against coturn and natscope-server
# (interop.sh; docs/natlab.md says why these topologies):
LAB_INTEROP_CLIENTS="vovida turnutils_stunclient ccding pion"

nl_case double_nat
