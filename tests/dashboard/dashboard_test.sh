#!/usr/bin/env bash
# The web dashboard in a real browser: natscope-server (embedded
# PostgreSQL, --http_listen on loopback) with a fleet of real agents in
# three sites (fleet.sh), opened by Debian's headless chromium. Asserts on
# the rendered DOM: sites worst first, a pair-matrix cell and what it
# rests on, a finding's remediation and affected host, a log/probe
# disagreement with its source, an unhealthy agent, an agent's probe
# history and what its STUN discovery rests on, the fleet's findings,
# the agents per finding over time (site and fleet), hostile text shown
# as text, and a refused token. Saves
# screenshots of the sites page and a site page (laptop and phone widths)
# to $TEST_UNDECLARED_OUTPUTS_DIR.
# Usage: dashboard_test.sh AGENT SERVER CLI
AGENT=$1 SERVER=$2 CLI=$3
here=$(dirname "$0")
# shellcheck source=tests/e2e/lib.sh
source "$here/../e2e/lib.sh"
# shellcheck source=tests/dashboard/fleet.sh
source "$here/fleet.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[[ -x "$CHROMIUM" ]] || fail "$CHROMIUM not found: run tools/setup.sh (Debian package chromium)"
OUT=${TEST_UNDECLARED_OUTPUTS_DIR:-$SCRATCH/outputs}
mkdir -p "$OUT"

start_server srv --http_listen=127.0.0.1:0
HTTP_PORT=$(sed -n 's/^http=//p' "$SCRATCH/srv.ports")
[[ -n "$HTTP_PORT" ]] || fail "natscope-server wrote no http=PORT to --port_file: $(cat "$SCRATCH/srv.ports")"
BASE="http://127.0.0.1:$HTTP_PORT"
start_fleet
TOKEN=$(<"$TOKEN_FILE")

log "the page comes from the binary, under a CSP without inline code"
curl -sS -D "$SCRATCH/index.headers" -o "$SCRATCH/index.html" "$BASE/" || fail "GET / failed"
csp=$(grep -i '^content-security-policy:' "$SCRATCH/index.headers" || true)
grep -q "script-src 'self'" <<<"$csp" && ! grep -q "unsafe" <<<"$csp" ||
  fail "the page's CSP allows more than its own script: $(cat "$SCRATCH/index.headers")"
grep -q '<script type="module" src="app.js"' "$SCRATCH/index.html" || fail "GET / is not the dashboard"
curl -sSf -o /dev/null "$BASE/style.css" || fail "GET /style.css failed"
# app.js and, recursively, the modules it imports: each served, as
# JavaScript (a browser refuses a module of another type).
mkdir -p "$SCRATCH/js"
scripts=(app.js) seen=' '
while ((${#scripts[@]} > 0)); do
  script=${scripts[0]} scripts=("${scripts[@]:1}")
  [[ "$seen" == *" $script "* ]] && continue
  seen+="$script "
  type=$(curl -sSf -o "$SCRATCH/js/$script" -w '%{content_type}' "$BASE/$script") || fail "GET /$script failed"
  [[ "$type" == text/javascript* ]] || fail "/$script is served as $type"
  mapfile -t -O "${#scripts[@]}" scripts < <(sed -n "s|.* from '\./\([a-z_]*\.js\)';\$|\1|p" "$SCRATCH/js/$script")
done
(($(wc -w <<<"$seen") > 5)) || fail "app.js imports too few modules: $seen"

# chromium, headless, talking to loopback only: no name resolves, no
# background traffic. Its profile and home live in the scratch directory.
browser() {
  local profile
  profile=$(mktemp -d "$SCRATCH/chromium.XXXXXX")
  HOME="$profile" "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --no-first-run \
    --no-default-browser-check --disable-background-networking --disable-component-update \
    --disable-sync --disable-extensions --disable-default-apps --disable-breakpad \
    --no-proxy-server --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
    --user-data-dir="$profile/data" --hide-scrollbars --virtual-time-budget=15000 \
    "$@" 2>>"$SCRATCH/chromium.log"
}
# dom NAME FRAGMENT: the page at #FRAGMENT, signed in through the URL,
# rendered; its DOM in $SCRATCH/NAME.html (and the test's outputs).
dom() {
  local name=$1 fragment=$2
  browser --dump-dom "$BASE/#token=$TOKEN&$fragment" >"$SCRATCH/$name.html" ||
    fail "chromium could not open $fragment: $(tail -n 5 "$SCRATCH/chromium.log")"
  cp "$SCRATCH/$name.html" "$OUT/$name.dom.html"
  grep -q 'data-state="ready"' "$SCRATCH/$name.html" ||
    fail "$fragment did not render: $(grep -o '<main.*' "$SCRATCH/$name.html" | head -c 2000)"
}
# shot FILE FRAGMENT WIDTH,HEIGHT: a screenshot into the test's outputs.
shot() {
  browser --window-size="$3" --screenshot="$OUT/$1" "$BASE/#token=$TOKEN&$2" >/dev/null ||
    fail "chromium could not take $1"
  [[ $(head -c 4 "$OUT/$1" | od -An -c | tr -d ' ') == '211PNG' ]] || fail "$1 is not a PNG"
  log "saved $1 ($(stat -c %s "$OUT/$1") bytes)"
}
# element FILE START END: the text from the first START to the next END;
# empty when there is no START.
element() { { grep -o -- "$2.*" "$1" || true; } | head -n 1 | sed "s|$3.*|$3|"; }
# attrs FILE PREFIX ATTR: the values of ATTR following PREFIX, in order.
attrs() { { grep -o -- "$2 $3=\"[^\"]*\"" "$1" || true; } | sed "s/.*$3=\"//; s/\"\$//" | tr '\n' ' '; }

log "sites: worst first, the worst finding, hostile text shown as text, the fleet's finding trend"
dom sites /sites
order=$(attrs "$SCRATCH/sites.html" 'class="site-row"' data-site)
[[ "$order" == "berlin aws-vpc lyon " ]] || fail "sites not worst first: $order"
row=$(element "$SCRATCH/sites.html" 'data-site="berlin"' '</tr>')
grep -q 'UDP blocked' <<<"$row" || fail "berlin's worst finding is not shown: $row"
grep -q '0 of 1 client (0%)' <<<"$row" || fail "berlin's peer-to-peer share is not shown: $row"
grep -qF '&lt;b&gt;x&lt;/b&gt;' "$SCRATCH/sites.html" || fail "the product's verbatim NAT type is not shown"
grep -qF '<b>x</b>' "$SCRATCH/sites.html" && fail "the product's NAT type was parsed as HTML"
row=$(element "$SCRATCH/sites.html" 'data-site="lyon"' '</tr>')
grep -q '1 unhealthy agent' <<<"$row" || fail "lyon's unhealthy agent is not counted: $row"
trend=$(element "$SCRATCH/sites.html" 'data-chart="finding-trend"' '</figure>')
grep -qE 'data-finding="FINDING_UDP_BLOCKED" data-latest="[1-9]' <<<"$trend" ||
  fail "the fleet's finding trend has no UDP-blocked series: $trend"

log "site berlin: pair matrix, findings with hosts, evidence and remediation, trends"
dom berlin /site/berlin
cell=$(element "$SCRATCH/berlin.html" 'data-pair="no NAT (no NAT mapping, unknown filtering)|UDP blocked"' '</td>')
[[ -n "$cell" ]] || fail "no pair-matrix cell for no-NAT clients and UDP-blocked connectors"
grep -q 'data-verdict="relay-only"' <<<"$cell" && grep -q 'relay only' <<<"$cell" ||
  fail "the berlin pair is not relay only: $cell"
grep -q 'data-source="EVIDENCE_SOURCE_PROBE"' <<<"$cell" && grep -q 'rests on: probe' <<<"$cell" ||
  fail "the berlin pair does not say it rests on the probes: $cell"
finding=$(element "$SCRATCH/berlin.html" 'data-finding="FINDING_UDP_BLOCKED"' '</article>')
[[ -n "$finding" ]] || fail "no UDP-blocked finding on berlin's page"
grep -q 'class="remediation"' <<<"$finding" || fail "the finding has no remediation: $finding"
grep -q 'Allow outbound UDP from the affected hosts' <<<"$finding" || fail "not the seed's remediation: $finding"
grep -q 'data-agent="berlin-gw-1"' <<<"$finding" || fail "the finding does not name berlin-gw-1: $finding"
grep -q 'class="evidence"' <<<"$finding" && grep -q 'berlin-gw-1: no answer from' <<<"$finding" ||
  fail "the finding shows no evidence: $finding"
grep -qE 'id="trend-chart"[^>]*data-points="[1-9]' "$SCRATCH/berlin.html" ||
  grep -qE 'data-points="[1-9][^>]*id="trend-chart"' "$SCRATCH/berlin.html" || fail "no trend chart with points"
# Agents per finding over time: a chart, or a table while there is one
# point (an hour); either way one series per code, UDP blocked among them.
trend=$(element "$SCRATCH/berlin.html" 'data-chart="finding-trend"' '</figure>')
[[ -n "$trend" ]] || fail "no finding trend on berlin's page: $(element "$SCRATCH/berlin.html" 'id="trend"' '</section>')"
grep -qE 'data-finding="FINDING_UDP_BLOCKED" data-latest="[1-9]' <<<"$trend" ||
  fail "berlin's finding trend has no UDP-blocked series with agents: $trend"
grep -q 'UDP blocked' <<<"$trend" || fail "the finding trend does not name UDP blocked: $trend"

log "site aws-vpc: the product's log and the probe disagree, and the finding says so"
dom aws /site/aws-vpc
finding=$(element "$SCRATCH/aws.html" 'data-finding="FINDING_LOG_PROBE_DISAGREE"' '</article>')
grep -q 'data-agent="aws-laptop-1"' <<<"$finding" && grep -q '(probe and log disagree)' <<<"$finding" ||
  fail "the disagreement does not name aws-laptop-1 and what it rests on: $finding"

log "site lyon: the cloned agent is unhealthy, the others are not"
dom lyon /site/lyon
unhealthy=$(attrs "$SCRATCH/lyon.html" 'class="agent-row agent-unhealthy"' data-agent)
[[ "$unhealthy" == "lyon-laptop-2 " ]] || fail "unhealthy agents at lyon: '$unhealthy' (expected lyon-laptop-2)"
row=$(element "$SCRATCH/lyon.html" 'data-agent="lyon-laptop-2"' '</tr>')
grep -qiE 'conflict|cloned' <<<"$row" || fail "lyon-laptop-2's problem is not shown: $row"
grep -q 'class="agent-row agent-healthy" data-agent="lyon-laptop-1"' "$SCRATCH/lyon.html" ||
  fail "lyon-laptop-1 is not shown healthy"

log "agent berlin-gw-1: its probe history"
dom agent '/agent/berlin-gw-1'
grep -q 'id="agent-title" data-agent="berlin-gw-1"' "$SCRATCH/agent.html" || fail "not berlin-gw-1's page"
grep -q 'class="probe-row udp-blocked"' "$SCRATCH/agent.html" || fail "no UDP-blocked probe in the history"
grep -q 'id="stun-source" data-source="EVIDENCE_SOURCE_PROBE">probe<' "$SCRATCH/agent.html" ||
  fail "berlin-gw-1's STUN discovery does not say it rests on the probe: $(element "$SCRATCH/agent.html" 'STUN discovery' '</dd>')"

log "agent lyon-laptop-1: how sure its probe's verdicts are"
dom agent-lyon '/agent/lyon-laptop-1'
grep -q '<td data-label="Mapping"><div class="cell">no NAT (confident)</div></td>' "$SCRATCH/agent-lyon.html" ||
  fail "lyon-laptop-1's probe does not say how sure its mapping is: $(element "$SCRATCH/agent-lyon.html" 'class="probe-row' '</tr>')"

log "the fleet's findings"
dom findings /findings
finding=$(element "$SCRATCH/findings.html" 'data-finding="FINDING_UDP_BLOCKED"' '</article>')
grep -q 'class="remediation"' <<<"$finding" && grep -q 'data-site="berlin"' <<<"$finding" ||
  fail "the fleet's UDP-blocked finding lacks its site or remediation: $finding"

log "a refused token: the sign-in form says why"
browser --dump-dom "$BASE/#token=not-a-token&/sites" >"$SCRATCH/refused.html"
grep -q 'data-view="sign-in"' "$SCRATCH/refused.html" || fail "a refused token did not lead to sign-in"
grep -q 'refused this token (401' "$SCRATCH/refused.html" || fail "no reason given for the refusal"
grep -q 'id="site-rows"' "$SCRATCH/refused.html" && fail "sites shown with a refused token"

log "screenshots"
shot sites.png /sites 1280,900
shot site.png /site/berlin 1280,900
shot site-full.png /site/berlin 1280,2400
shot sites-phone.png /sites 390,844
shot site-phone.png /site/berlin 390,844
shot site-phone-full.png /site/berlin 390,2600
echo PASS
