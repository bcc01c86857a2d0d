#!/usr/bin/env bash
# OTLP/HTTP log intake (POST /v1/logs) on the real server with curl:
#   (a) a JSON request shaped as an OpenTelemetry Collector's otlphttp
#       exporter sends it, with one bad record: 200 with a partial success;
#       the good lines are stored once, and not again when it is resent;
#   (b) the same as binary protobuf, encoded from text format by protoc
#       (the repository's OTLP .proto files), plain and gzip-compressed;
#       the responses decoded by protoc;
#   (c) who may send: no, unknown and enrollment tokens get 401, a site's
#       token cannot send for another site's host (rejected, not stored);
#       415, 400 and 405;
#   (d) a site fed only by intake: its client and connector hosts' NAT
#       classes come from their lines, and so does the pair verdict
#       (endpoint-dependent: relay only; endpoint-independent: direct).
AGENT=$1 SERVER=$2 CLI=$3
shift 3
source "$(dirname "$0")/lib.sh"
START=$SECONDS

# The remaining arguments are the OTLP .proto files; protoc's -I is the
# directory their "opentelemetry/" tree lives in.
PROTO_ROOT=""
for f in "$@"; do
  [[ "$f" == */opentelemetry/proto/collector/logs/v1/logs_service.proto ]] &&
    PROTO_ROOT=${f%/opentelemetry/proto/collector/logs/v1/logs_service.proto}
done
[[ -n "$PROTO_ROOT" ]] || fail "logs_service.proto is not among the arguments: $*"
command -v protoc >/dev/null || fail "protoc is missing: apt-get install protobuf-compiler (tools/setup.sh)"
SERVICE=opentelemetry/proto/collector/logs/v1/logs_service.proto
encode() { protoc --encode=opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest -I "$PROTO_ROOT" "$SERVICE"; }
decode() { protoc --decode=opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse -I "$PROTO_ROOT" "$SERVICE"; }

start_postgres pg
start_server srv --postgres="$PG_URI" --http_listen=127.0.0.1:0 \
  --admin_token_file="$SCRATCH/admin_token"
TOKEN_FILE=$SCRATCH/admin_token
[[ -n "$HTTP_PORT" ]] || fail "no http= line in the port file"
URL="http://127.0.0.1:$HTTP_PORT/v1/logs"
admin() { "$CLI" --server="127.0.0.1:$GRPC_PORT" --token_file="$TOKEN_FILE" "$@"; }
# The secret is the last line of `tokens enroll create`'s output.
new_token() { admin tokens enroll create "$@" | tail -n 1; }
PARIS=$(new_token paris --intake)
LYON=$(new_token lyon --intake)
ENROLL=$(new_token paris)
[[ -n "$PARIS" && -n "$LYON" && -n "$ENROLL" && "$PARIS" != "$ENROLL" ]] || fail "tokens: '$PARIS' '$LYON' '$ENROLL'"

# post TOKEN CONTENT_TYPE FILE [curl args...]: prints the HTTP status; the
# response body goes to $SCRATCH/resp.
post() {
  local token=$1 type=$2 file=$3 args
  shift 3
  args=(-s -o "$SCRATCH/resp" -w '%{http_code}' -H "Content-Type: $type" --data-binary "@$file")
  [[ -n "$token" ]] && args+=(-H "Authorization: Bearer $token")
  curl "${args[@]}" "$@" "$URL"
}
expect() {  # expect STATUS TOKEN CONTENT_TYPE FILE [curl args...]
  local want=$1 got
  shift
  got=$(post "$@")
  [[ "$got" == "$want" ]] || fail "POST $3 ($2): HTTP $got, expected $want: $(head -c 400 "$SCRATCH/resp")"
}
rows() { psql_q "SELECT count(*) FROM log_events WHERE $1"; }

# Lines dated a minute ago (the analyzer weighs a stun_nat_type line while
# it is at most a week old), each with its own timestamp: intake knows a
# resent one by its host and text.
AT=$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)
NANOS=$(date +%s%N)

log "(a) OTLP/JSON as an OpenTelemetry Collector sends it"
# The collector's pdata JSON: hex trace and span ids, 64-bit integers as
# strings, the severity as a number, schema URLs; one record's body is an
# integer, which natscope cannot read as a line.
cat >"$SCRATCH/a.json" <<JSON
{"resourceLogs":[{"resource":{"attributes":[
  {"key":"host.name","value":{"stringValue":"laptop-17"}},
  {"key":"natscope.role","value":{"stringValue":"client"}},
  {"key":"os.type","value":{"stringValue":"windows"}}]},
 "scopeLogs":[{"scope":{"name":"github.com/open-telemetry/opentelemetry-collector-contrib/receiver/filelogreceiver","version":"0.91.0"},
  "logRecords":[
   {"timeUnixNano":"$NANOS","observedTimeUnixNano":"$NANOS","severityNumber":9,"severityText":"INFO",
    "body":{"stringValue":"$AT [INFO] [libsdwan] stun_nat_type: endpoint-dependent"},
    "attributes":[{"key":"log.file.path","value":{"stringValue":"C:\\\\ProgramData\\\\Product\\\\client.log"}}],
    "flags":1,"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"},
   {"timeUnixNano":"$NANOS","observedTimeUnixNano":"$NANOS","severityNumber":9,"severityText":"INFO",
    "body":{"intValue":"42"},"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"},
   {"observedTimeUnixNano":"$NANOS","severityNumber":17,"severityText":"ERROR",
    "body":{"stringValue":"$AT [ERROR] [libsdwan] listen::channel_event: Failed to preconnect a relay listener \"ice://any\": 110 (Connection timed out)"},
    "traceId":"","spanId":""}]}],
 "schemaUrl":"https://opentelemetry.io/schemas/1.6.1"}]}
JSON
partial_json() {  # partial_json REJECTED: the JSON partial success, with a reason
  grep -q "\"rejectedLogRecords\":\"$1\"" "$SCRATCH/resp" && grep -q '"errorMessage":"[^"]' "$SCRATCH/resp"
}
for attempt in first again; do
  expect 200 "$PARIS" application/json "$SCRATCH/a.json"
  partial_json 1 || fail "($attempt) not a partial success of 1: $(cat "$SCRATCH/resp")"
  grep -q 'record 1' "$SCRATCH/resp" || fail "($attempt) the reason does not name record 1: $(cat "$SCRATCH/resp")"
  [[ $(rows "agent_id = 'laptop-17'") == 2 ]] || fail "($attempt) laptop-17 has $(rows "agent_id = 'laptop-17'") rows, expected 2"
  [[ $(rows "agent_id = 'laptop-17' AND site = 'paris' AND source_file = 'otlp:C:\\ProgramData\\Product\\client.log' AND kind = 'stun_nat_type'") == 1 ]] ||
    fail "($attempt) the stun_nat_type line: $(psql_q "SELECT site, source_file, kind FROM log_events WHERE agent_id = 'laptop-17'")"
done
admin agent laptop-17 | grep -q "^Agent laptop-17 (client at site paris, host laptop-17)" ||
  fail "laptop-17 is not a client of paris: $(admin agent laptop-17)"
log "(a) 200, 1 record rejected, 2 lines stored once (resent: none again)"

log "(b) OTLP/protobuf, encoded by protoc"
proto_request() {  # proto_request HOST STATE: one good record, one with a bool body
  cat <<PB
resource_logs {
  resource {
    attributes { key: "host.name" value { string_value: "$1" } }
    attributes { key: "natscope.role" value { string_value: "connector" } }
  }
  scope_logs {
    scope { name: "otelcol/filelogreceiver" version: "0.91.0" }
    log_records {
      time_unix_nano: $NANOS
      observed_time_unix_nano: $NANOS
      severity_number: SEVERITY_NUMBER_INFO
      severity_text: "INFO"
      body { string_value: "$AT [INFO] [libsdwan] stun_nat_type: $2" }
      attributes { key: "log.file.path" value { string_value: "/var/log/product/connector.log" } }
    }
    log_records {
      time_unix_nano: $NANOS
      severity_number: SEVERITY_NUMBER_WARN
      body { bool_value: true }
    }
  }
}
PB
}
proto_request mac-03 endpoint-independent | encode >"$SCRATCH/b.pb" || fail "protoc --encode failed"
partial_proto() {  # partial_proto REJECTED: the decoded response says so, with a reason
  decode <"$SCRATCH/resp" >"$SCRATCH/resp.txt" || fail "protoc cannot decode the response: $(xxd "$SCRATCH/resp" | head)"
  grep -q "^  rejected_log_records: $1\$" "$SCRATCH/resp.txt" && grep -q '^  error_message: "[^"]' "$SCRATCH/resp.txt"
}
for attempt in first again; do
  expect 200 "$PARIS" application/x-protobuf "$SCRATCH/b.pb"
  partial_proto 1 || fail "($attempt) not a partial success of 1: $(cat "$SCRATCH/resp.txt")"
  [[ $(rows "agent_id = 'mac-03' AND source_file = 'otlp:/var/log/product/connector.log'") == 1 ]] ||
    fail "($attempt) mac-03 has $(rows "agent_id = 'mac-03'") rows, expected 1"
done
admin agent mac-03 | grep -q "^Agent mac-03 (connector at site paris, host mac-03)" ||
  fail "mac-03 is not a connector of paris: $(admin agent mac-03)"
log "(b) protobuf: 200, partial success decoded, stored once"
# Compressed as exporters do by default (Content-Encoding: gzip).
proto_request mac-04 endpoint-independent | encode | gzip -c >"$SCRATCH/b.pb.gz"
expect 200 "$PARIS" application/x-protobuf "$SCRATCH/b.pb.gz" -H 'Content-Encoding: gzip'
partial_proto 1 || fail "gzip: not a partial success of 1: $(cat "$SCRATCH/resp.txt")"
[[ $(rows "agent_id = 'mac-04'") == 1 ]] || fail "gzip: mac-04 has $(rows "agent_id = 'mac-04'") rows, expected 1"
log "(b) gzip-compressed protobuf: 200, partial success decoded, stored once"
# A gzip bomb (about 100 KB that inflates to 100 MB) is refused while
# inflating, past --intake_max_request_bytes: 413, nothing stored.
head -c 100000000 /dev/zero | gzip -c >"$SCRATCH/bomb.gz"
expect 413 "$PARIS" application/x-protobuf "$SCRATCH/bomb.gz" -H 'Content-Encoding: gzip'
log "(b) a gzip bomb: 413 while inflating"

log "(c) who may send, and what is refused"
before=$(rows true)
expect 401 "" application/json "$SCRATCH/a.json"
grep -q '"code":16' "$SCRATCH/resp" || fail "no google.rpc.Status UNAUTHENTICATED: $(cat "$SCRATCH/resp")"
expect 401 "not-a-token" application/json "$SCRATCH/a.json"
expect 401 "$ENROLL" application/json "$SCRATCH/a.json"
grep -q 'enrollment token' "$SCRATCH/resp" || fail "the 401 does not say why: $(cat "$SCRATCH/resp")"
expect 401 "$ENROLL" application/x-protobuf "$SCRATCH/b.pb"
expect 415 "$PARIS" text/plain "$SCRATCH/a.json"
echo 'garbage{' >"$SCRATCH/garbage"
expect 400 "$PARIS" application/json "$SCRATCH/garbage"
expect 400 "$PARIS" application/x-protobuf "$SCRATCH/garbage"
status=$(curl -s -D "$SCRATCH/headers" -o "$SCRATCH/resp" -w '%{http_code}' -H "Authorization: Bearer $PARIS" "$URL")
[[ "$status" == 405 ]] || fail "GET /v1/logs: HTTP $status, expected 405"
grep -qi '^allow: POST' "$SCRATCH/headers" || fail "405 without Allow: POST: $(cat "$SCRATCH/headers")"
[[ $(rows true) == "$before" ]] || fail "a refused request stored something"

# lyon-box is lyon's; paris's token sends for it and for a host of its own.
json_line() {  # json_line HOST LINE: one resourceLogs with one record
  printf '{"resource":{"attributes":[{"key":"host.name","value":{"stringValue":"%s"}}]},"scopeLogs":[{"logRecords":[{"body":{"stringValue":"%s"}}]}]}' "$1" "$2"
}
echo "{\"resourceLogs\":[$(json_line lyon-box "$AT [INFO] [libsdwan] stun_nat_type: endpoint-independent")]}" >"$SCRATCH/lyon.json"
expect 200 "$LYON" application/json "$SCRATCH/lyon.json"
[[ $(cat "$SCRATCH/resp") == "{}" ]] || fail "a full success has no partial success: $(cat "$SCRATCH/resp")"
echo "{\"resourceLogs\":[$(json_line lyon-box "$AT [INFO] [libsdwan] stun_nat_type: endpoint-dependent"),$(json_line paris-3 "$AT [INFO] [libsdwan] stun_nat_type: endpoint-dependent")]}" >"$SCRATCH/cross.json"
expect 200 "$PARIS" application/json "$SCRATCH/cross.json"
partial_json 1 || fail "the other site's host: not a partial success of 1: $(cat "$SCRATCH/resp")"
grep -q 'record 0' "$SCRATCH/resp" || fail "the reason does not name record 0: $(cat "$SCRATCH/resp")"
[[ $(rows "agent_id = 'lyon-box' AND raw_line LIKE '%endpoint-dependent'") == 0 ]] ||
  fail "paris's line for lyon-box was stored: $(psql_q "SELECT site, raw_line FROM log_events WHERE agent_id = 'lyon-box'")"
[[ $(rows "agent_id = 'lyon-box'") == 1 && $(rows "site = 'paris' AND agent_id = 'lyon-box'") == 0 ]] ||
  fail "lyon-box: $(psql_q "SELECT site, raw_line FROM log_events WHERE agent_id = 'lyon-box'")"
[[ $(rows "site = 'paris' AND agent_id = 'paris-3'") == 1 ]] || fail "paris-3's line was not stored"
[[ $(psql_q "SELECT string_agg(site, ',') FROM agents WHERE agent_id = 'lyon-box'") == lyon ]] ||
  fail "lyon-box moved: $(psql_q "SELECT site FROM agents WHERE agent_id = 'lyon-box'")"
log "(c) 401 x4, 415, 400 x2, 405; another site's host refused, nothing stored for it"
# A message that names another site (a resource attribute, as a shipper
# could be misconfigured to send) is stored at its token's site: nothing
# in a message chooses the site.
cat >"$SCRATCH/claim.json" <<JSON
{"resourceLogs":[{"resource":{"attributes":[
  {"key":"host.name","value":{"stringValue":"paris-claims-lyon"}},
  {"key":"natscope.site","value":{"stringValue":"lyon"}},
  {"key":"site","value":{"stringValue":"lyon"}}]},
 "scopeLogs":[{"logRecords":[{"body":{"stringValue":"$AT [INFO] [libsdwan] stun_nat_type: endpoint-dependent"}}]}]}]}
JSON
expect 200 "$PARIS" application/json "$SCRATCH/claim.json"
[[ $(rows "site = 'paris' AND agent_id = 'paris-claims-lyon'") == 1 && $(rows "site = 'lyon' AND agent_id = 'paris-claims-lyon'") == 0 ]] ||
  fail "a message naming site lyon: $(psql_q "SELECT site, agent_id FROM log_events WHERE agent_id = 'paris-claims-lyon'")"
log "(c) a message naming another site is stored at its token's site"

log "(d) sites fed only by intake"
# site_request FILE SITE STATE: the site's client and connector, one
# resourceLogs each, lines without a timestamp of their own.
site_request() {
  local r=() who
  for who in client connector; do
    r+=("{\"resource\":{\"attributes\":[{\"key\":\"host.name\",\"value\":{\"stringValue\":\"$2-$who\"}},{\"key\":\"natscope.role\",\"value\":{\"stringValue\":\"$who\"}}]},\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"$NANOS\",\"body\":{\"stringValue\":\"[INFO] [libsdwan] stun_nat_type: $3\"}}]}]}")
  done
  echo "{\"resourceLogs\":[${r[0]},${r[1]}]}" >"$1"
}
for site in harbour meadow; do
  token=$(new_token "$site" --intake)
  state=endpoint-dependent
  [[ $site == meadow ]] && state=endpoint-independent
  site_request "$SCRATCH/$site.json" "$site" "$state"
  expect 200 "$token" application/json "$SCRATCH/$site.json"
done
# verdict SITE VERDICT: the site's one pair rests on both hosts' log lines.
verdict() {
  local json
  json=$(admin --json site "$1" 2>/dev/null) || return 1
  [[ $(grep -c "\"label\": \"$3 (from the product's log)\"" <<<"$json") == 2 ]] &&
    grep -q "\"verdict\": \"$2\"" <<<"$json"
}
wait_for 30 "harbour's analysis" verdict harbour PAIR_VERDICT_RELAY_ONLY endpoint-dependent
wait_for 30 "meadow's analysis" verdict meadow PAIR_VERDICT_DIRECT endpoint-independent
for site in harbour meadow; do
  for who in client connector; do
    state=endpoint-dependent
    [[ $site == meadow ]] && state=endpoint-independent
    agents=$(admin agents "$site")
    grep -qE "^$site-$who +$who +$state .* log " <<<"$agents" || fail "$site-$who in the agents table: $agents"
  done
done
harbour=$(admin site harbour)
echo "$harbour"
grep -qE "^  1 endpoint-dependent \(from the product's log\) +1 endpoint-dependent \(from the product's log\) +1 +RELAY ONLY +log " <<<"$harbour" ||
  fail "harbour's pair row: $harbour"
grep -q "^Peer-to-peer: 0 of 1 client(s) (0%)" <<<"$harbour" || fail "harbour's share: $harbour"
affects=$(grep "^      affects: " <<<"$harbour")
grep -q "harbour-client (log)" <<<"$affects" && grep -q "harbour-connector (log)" <<<"$affects" ||
  fail "harbour's finding does not name both hosts: $harbour"
meadow=$(admin site meadow)
echo "$meadow"
grep -qE "^  1 endpoint-independent \(from the product's log\) +1 endpoint-independent \(from the product's log\) +1 +direct +log " <<<"$meadow" ||
  fail "meadow's pair row: $meadow"
grep -q "^Peer-to-peer: 1 of 1 client(s) (100%)" <<<"$meadow" || fail "meadow's share: $meadow"
log "(d) harbour: relay only; meadow: direct; both from the hosts' own lines"

log "(e) the database down: 503 with Retry-After, then stored once it is back"
echo "{\"resourceLogs\":[$(json_line paris-9 "$AT [INFO] [libsdwan] stun_nat_type: endpoint-independent")]}" >"$SCRATCH/outage.json"
pg_down
got=$(post "$PARIS" application/json "$SCRATCH/outage.json" -D "$SCRATCH/outage.headers")
[[ $got == 503 ]] || fail "database down: HTTP $got, expected 503: $(head -c 300 "$SCRATCH/resp")"
grep -qiE '^Retry-After: [1-9][0-9]*' "$SCRATCH/outage.headers" ||
  fail "503 without Retry-After: $(cat "$SCRATCH/outage.headers")"
pg_up
stored_after_outage() {
  [[ $(post "$PARIS" application/json "$SCRATCH/outage.json") == 200 ]] &&
    [[ $(rows "agent_id = 'paris-9'") == 1 ]]
}
wait_for 30 "the request to be stored once the database is back" stored_after_outage
log "(e) 503 + Retry-After while PostgreSQL was down; stored once after"

log "OTLP intake: every check passed in $((SECONDS - START)) s"
echo PASS
