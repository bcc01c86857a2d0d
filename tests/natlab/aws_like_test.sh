#!/usr/bin/env bash
# NAT lab, an AWS NAT gateway look-alike: fully-random masquerade behind public
# 192.0.2.2, which testdata/aws-ip-ranges-lab.json lists as EC2 us-east-1.
# Usage: aws_like_test.sh NATSCOPE_AGENT NATSCOPE_SERVER (Bazel passes both).
AGENT=$1 SERVER=${2:-}
source "$(dirname "$0")/case.sh"

# coturn's natdiscovery (proves the lab):
LAB_MAPPING=MAPPING_ADDRESS_AND_PORT_DEPENDENT
LAB_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
LAB_HOPS="1=192.168.1.1"
# natscope-agent probe --stun=natscope-server --json:
NEED_AGENT_FLAGS="--aws_ip_ranges"
WANT_UDP_REACHABLE=true
WANT_MAPPING=MAPPING_ADDRESS_AND_PORT_DEPENDENT
WANT_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
WANT_PUBLIC_IP=192.0.2.2
WANT_QUIC_REACHABLE=true
WANT_FINDINGS="FINDING_AWS_NAT_GATEWAY FINDING_ENDPOINT_DEPENDENT_MAPPING"
WANT_AWS_PREFIX=192.0.2.0/24

# Also against Vovida's stund (RFC 3489 only): the same verdicts.
LAB_STUND=true

# STUN clients no one here wrote, against coturn and natscope-server
# (interop.sh; docs/natlab.md says why these topologies):
LAB_INTEROP_CLIENTS="vovida turnutils_stunclient ccding pion"

nl_case aws_like
