#!/usr/bin/env bash
# Runs the demo's fleet (tools/demo_fleet.sh) as tools/demo.sh does, as
# root, and checks that it exits 0, flags the AWS NAT gateway, double NAT
# and UDP-blocked sites each with the seed's remediation, analyses the
# worst site, saves a dashboard screenshot, and leaves no lab namespace
# and no process behind. Its output and the screenshot go to the test's
# outputs.
# Usage: demo_fleet_test.sh DEMO_FLEET AGENT SERVER CLI
set -euo pipefail
DEMO=$1; shift
out=${TEST_UNDECLARED_OUTPUTS_DIR:-$(mktemp -d /tmp/demo-test.XXXXXX)}
mkdir -p "$out"
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || fail "needs root (network namespaces), outside Bazel's sandbox"

mark="natscope-demo-test-$$-$RANDOM" start=$SECONDS rc=0
NATSCOPE_DEMO_RUN=$mark DEMO_SCREENSHOT="$out/dashboard.png" \
  "$DEMO" "$@" >"$out/demo.log" 2>&1 </dev/null &
pid=$!
wait "$pid" || rc=$?
cat "$out/demo.log"
echo "demo_fleet.sh: exit $rc after $((SECONDS - start)) s"
((rc == 0)) || fail "the demo exited $rc"

left=$(ip netns list | grep "^nl$pid-" || true)
[[ -z "$left" ]] || fail "namespaces left behind: $left"
survivors=$(grep -lsz "^NATSCOPE_DEMO_RUN=$mark\$" /proc/[0-9]*/environ | cut -d/ -f3 || true)
[[ -z "$survivors" ]] || fail "processes left behind: $(for p in $survivors; do
  tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null; echo; done)"

log=$(<"$out/demo.log")
# want TEXT WHAT: the demo's output holds TEXT.
want() { [[ "$log" == *"$1"* ]] || fail "the demo does not show $2: no \"$1\""; }
want "aws-vpc: 0 of 1 client(s) can reach a connector directly (0%); worst finding aws-nat-gateway" \
  "the AWS NAT gateway site"
want "berlin: 1 of 1 client(s) can reach a connector directly (100%); worst finding double-nat" \
  "the double NAT site"
want "madrid: 0 of 1 client(s) can reach a connector directly (0%); worst finding udp-blocked" \
  "the UDP-blocked site"
want "paris: 1 of 1 client(s) can reach a connector directly (100%)"$'\n' "the home NAT site as fine"
# The seed's remediation for each (the analyzer's text, as the CLI prints it).
want "what to do: AWS NAT gateways are not NAT-traversal friendly: give the connector a public address" \
  "the AWS NAT gateway's remediation"
want "what to do: Remove one NAT layer: put the inner router in bridge or access-point mode" \
  "the double NAT's remediation"
want "what to do: Allow outbound UDP from the affected hosts to any address and any port" \
  "the UDP-blocked remediation"
want "Site aws-vpc: 1 client(s), 1 connector(s)" "the worst site's analysis"
want "RELAY ONLY" "the worst site's relay-only pairs"
[[ $(head -c 4 "$out/dashboard.png" | od -An -c | tr -d ' ') == '211PNG' ]] ||
  fail "no dashboard screenshot at $out/dashboard.png"
echo "PASS"
