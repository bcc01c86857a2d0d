#!/usr/bin/env bash
# deploy/'s fleet examples, checked by the tools that run them: cloud-init's
# schema check, ansible-playbook --syntax-check, and the playbook run for
# real (-c local, on this host) with the built natscope-agent instead of
# the package, into a scratch directory, twice: the second run changes
# nothing. Each part skips, saying so, when its tool is not installed
# (tools/setup.sh installs both).
AGENT=$1 SERVER=$2 CLI=$3 CLOUD_INIT=$4 PLAYBOOK=$5
source "$(dirname "$0")/lib.sh"

if command -v cloud-init >/dev/null; then
  cloud-init schema --config-file "$CLOUD_INIT" || fail "$CLOUD_INIT is not valid cloud-config"
else
  log "SKIP cloud-init schema: cloud-init is not installed (tools/setup.sh, Debian package cloud-init)"
fi

if ! command -v ansible-playbook >/dev/null; then
  log "SKIP the Ansible playbook: ansible-playbook is not installed (tools/setup.sh, Debian package ansible-core)"
  echo PASS
  exit 0
fi
# Ansible keeps its temporary files and facts under HOME: the scratch one.
export HOME="$SCRATCH/home" ANSIBLE_LOCAL_TEMP="$SCRATCH/home/tmp" ANSIBLE_REMOTE_TEMP="$SCRATCH/home/tmp"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0
mkdir -p "$HOME"
ansible-playbook --syntax-check -i localhost, "$PLAYBOOK" || fail "$PLAYBOOK: syntax"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$SCRATCH/tls.key" -out "$SCRATCH/tls.crt" >"$SCRATCH/openssl.log" 2>&1 ||
  fail "openssl: $(cat "$SCRATCH/openssl.log")"
start_server srv --tls_cert="$SCRATCH/tls.crt" --tls_key="$SCRATCH/tls.key"
echo "$ENROLL_TOKEN" >"$SCRATCH/site.token"
play() {
  ansible-playbook -i localhost, -c local "$PLAYBOOK" \
    -e natscope_hosts=localhost -e ansible_become=false \
    -e ansible_python_interpreter=/usr/bin/python3 \
    -e natscope_server="localhost:$GRPC_PORT" -e natscope_site=ansible-site \
    -e natscope_token_file="$SCRATCH/site.token" -e natscope_ca_file="$SCRATCH/tls.crt" \
    -e natscope_install=false -e natscope_agent_bin="$(realpath "$AGENT")" \
    -e natscope_etc="$SCRATCH/etc" -e natscope_state_dir="$SCRATCH/state" \
    -e natscope_agent_user=root -e '{"natscope_logs": ["/var/log/product/*.log"]}'
}
log "first run: installs the token and CA, enrolls"
play >"$SCRATCH/play1.out" 2>&1 || fail "playbook: $(cat "$SCRATCH/play1.out")"
cat "$SCRATCH/play1.out"
grep -qE "localhost +: ok=[0-9]+ +changed=[1-9]" "$SCRATCH/play1.out" || fail "the first run changed nothing"
[[ -f "$SCRATCH/state/credential" ]] || fail "no credential after the playbook"
grep -q 'site: "ansible-site"' "$SCRATCH/etc/agent.textproto" || fail "config: $(cat "$SCRATCH/etc/agent.textproto")"
log "second run: no change"
play >"$SCRATCH/play2.out" 2>&1 || fail "playbook: $(cat "$SCRATCH/play2.out")"
cat "$SCRATCH/play2.out"
grep -qE "localhost +: ok=[0-9]+ +changed=0 " "$SCRATCH/play2.out" || fail "the second run changed something"
"$CLI" agents ansible-site --token_file="$TOKEN_FILE" --server="localhost:$GRPC_PORT" \
  --ca_file="$SCRATCH/tls.crt" | grep -q . || fail "the server does not know the enrolled agent"
echo PASS
