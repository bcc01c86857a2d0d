#!/usr/bin/env bash
# Standard gRPC tooling works against natscope-server: the health service
# answers SERVING and server reflection lists natscope's services; and
# SIGTERM shuts the server down cleanly with its JSON logs on.
AGENT=$1 SERVER=$2 CLI=$3 PROBE=$4
source "$(dirname "$0")/lib.sh"

start_server srv --stun_listen= --log_format=json
"$PROBE" "127.0.0.1:$GRPC_PORT" || fail "health or reflection missing"

# Structured logs: every line on stderr is one JSON object.
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "natscope-server exited non-zero on SIGTERM"
cat "$SCRATCH/srv.log"
while IFS= read -r line; do
  [[ "$line" == \{\"ts\":\"*\",\"level\":\"*\",\"component\":\"natscope-server\",\"msg\":\"*\"*\} ]] ||
    fail "not a JSON log line: $line"
done <"$SCRATCH/srv.log"
grep -q '"msg":"stopped"' "$SCRATCH/srv.log" || fail "no stop line in the log"
echo PASS
