#!/usr/bin/env bash
# The embedded PostgreSQL trusts nobody (docs/security.md): the real
# natscope-server's cluster asks every connection, even root's and its own
# OS user's, for the superuser's password; that password lives only in
# <data_dir>/postgres.password (mode 0600, owned by natscope-server's user,
# unreadable by PostgreSQL's OS user); a group-readable one is refused at
# start; and a cluster an earlier natscope-server made with `trust` is
# upgraded.
AGENT=$1 SERVER=$2 CLI=$3
source "$(dirname "$0")/../e2e/lib.sh"
# Only the password file given on each command line may supply a password.
unset PGPASSWORD PGPASSFILE PGSERVICE

# as USER COMMAND...: runs COMMAND as USER (as is, when USER is us).
as() {
  local user=$1; shift
  if [[ "$user" == "$(id -un)" ]]; then "$@"; else runuser -u "$user" -- "$@"; fi
}

# refused AS_OS_USER AS_DB_USER SOCKET [PASSWORD]: psql without the password
# file (and with PASSWORD, when given) must be refused for want of the
# right password.
refused() {
  local os_user=$1 db_user=$2 socket=$3 password=${4:-} rc=0
  local conninfo="host=$socket port=5432 dbname=postgres user=$db_user passfile=$SCRATCH/no-such-passfile"
  [[ -n "$password" ]] && conninfo+=" password=$password"
  (cd / && as "$os_user" psql -X -w -A -t -q "$conninfo" -c 'SELECT current_user') \
    >"$SCRATCH/psql.out" 2>&1 || rc=$?
  [[ $rc -ne 0 ]] ||
    fail "OS user $os_user connected as $db_user without the password: $(cat "$SCRATCH/psql.out")"
  grep -qE "no password supplied|password authentication failed" "$SCRATCH/psql.out" ||
    fail "OS user $os_user as $db_user: refused, but not for the password: $(cat "$SCRATCH/psql.out")"
  log "refused: OS user $os_user as $db_user${password:+ with a guessed password}"
}

# check_cluster DATA: the cluster of natscope-server's --data_dir DATA asks
# for the password and keeps it private. Sets SOCKET and PG_OS_USER.
check_cluster() {
  local data=$1 secret=$1/postgres.password
  [[ -f "$secret" ]] || fail "no password file $secret"
  [[ $(stat -c %a "$secret") == 600 ]] || fail "$secret has mode $(stat -c %a "$secret"), not 600"
  [[ $(stat -c %u "$secret") == $(id -u) ]] || fail "$secret is not owned by natscope-server's user"
  ! grep -Ev '^[[:space:]]*(#|$)' "$data/postgres/pg_hba.conf" | grep -qw trust ||
    fail "pg_hba.conf still trusts: $(grep -w trust "$data/postgres/pg_hba.conf")"
  SOCKET=$(sed -n 5p "$data/postgres/postmaster.pid")
  PG_OS_USER=$(stat -c %U "$data/postgres")
  refused "$(id -un)" natscope "$SOCKET"
  refused "$(id -un)" natscope "$SOCKET" guessed-password
  if [[ $(id -u) -eq 0 ]]; then
    refused "$PG_OS_USER" natscope "$SOCKET"
    refused "$PG_OS_USER" "$PG_OS_USER" "$SOCKET"
    ! runuser -u "$PG_OS_USER" -- cat "$secret" >/dev/null 2>&1 ||
      fail "PostgreSQL's OS user $PG_OS_USER can read $secret"
  fi
  # The password file itself lets natscope-server's user in.
  [[ $(psql -X -w -A -t -q "host=$SOCKET port=5432 dbname=postgres user=natscope passfile=$secret" \
       -c 'SELECT current_user') == natscope ]] || fail "the password in $secret does not work"
}

stop_server() {
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || fail "natscope-server did not stop cleanly: $(tail -n 20 "$SCRATCH/$1.log")"
}

# 1. A fresh cluster.
start_server srv
check_cluster "$SCRATCH/srv-data"
password=$(sed -n 's/^\*:\*:\*:natscope://p' "$SCRATCH/srv-data/postgres.password")
[[ ${#password} -ge 32 ]] || fail "the password in postgres.password is too short: ${#password} characters"
for f in "$SCRATCH/srv.log" "$SCRATCH/srv-data/postgres/postgres.log"; do
  ! grep -qF "$password" "$f" || fail "the password appears in $f"
done
stop_server srv

# 2. A password file others may read is refused, with the command to run.
chmod 640 "$SCRATCH/srv-data/postgres.password"
rc=0
timeout 60 "$SERVER" --data_dir="$SCRATCH/srv-data" --listen=127.0.0.1:0 --stun_listen=127.0.0.1:0 \
  >"$SCRATCH/mode.log" 2>&1 || rc=$?
[[ $rc -ne 0 && $rc -ne 124 ]] || fail "natscope-server started with a group-readable password file (exit $rc)"
grep -qF "chmod 600 $SCRATCH/srv-data/postgres.password" "$SCRATCH/mode.log" ||
  fail "no chmod advice: $(cat "$SCRATCH/mode.log")"
log "group-readable password file refused: $(tail -n 1 "$SCRATCH/mode.log")"
chmod 600 "$SCRATCH/srv-data/postgres.password"
start_server srv
check_cluster "$SCRATCH/srv-data"
stop_server srv

# 3. A cluster made by an earlier natscope-server (initdb --auth=trust, run
# as the same OS user) is upgraded on start.
mkdir -p "$SCRATCH/old-data/postgres"
chmod 700 "$SCRATCH/old-data/postgres"
[[ $(id -u) -eq 0 ]] && chown "$PG_OS_USER:" "$SCRATCH/old-data/postgres"
as "$PG_OS_USER" "$(_pg_bin)/initdb" --pgdata="$SCRATCH/old-data/postgres" --username=natscope \
  --auth=trust --encoding=UTF8 --locale=C --no-instructions >"$SCRATCH/old-initdb.log" 2>&1 ||
  fail "initdb failed: $(cat "$SCRATCH/old-initdb.log")"
grep -Ev '^[[:space:]]*(#|$)' "$SCRATCH/old-data/postgres/pg_hba.conf" | grep -qw trust ||
  fail "the old-style cluster does not trust: the test is broken"
start_server old
check_cluster "$SCRATCH/old-data"
stop_server old
echo PASS
