#!/usr/bin/env bash
# A throwaway PostgreSQL for the PostgreSQL tests (tests/FlowEngine.PostgreSql.Tests runs this script itself).
# Installs Debian's postgresql package when missing (apt-get, as root), then initializes and starts a cluster owned
# by the postgres OS user in /var/tmp/flowengine-pg, listening on 127.0.0.1:55432 only, with the role flowengine
# (password flowengine, may create databases). Idempotent: a cluster already answering exits 0 at once.
# Settings: FLOWENGINE_PG_PORT (55432), FLOWENGINE_PG_DATA (/var/tmp/flowengine-pg). The data is disposable:
# fsync is off. Never point FLOWENGINE_PG_DATA at a real cluster.
set -euo pipefail

port="${FLOWENGINE_PG_PORT:-55432}"
data="${FLOWENGINE_PG_DATA:-/var/tmp/flowengine-pg}"
sockets="$data.sockets"
log="$data.log"
say() { echo "install-postgres: $*"; }
fail() { echo "install-postgres: $*" >&2; exit 1; }

# Several test processes may call this at once: one at a time.
exec 9>"$data.lock"
flock -w 120 9 || fail "another install-postgres.sh has held $data.lock for 2 minutes"

ready() { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p "$port" -t 2; }
if ready; then
  say "PostgreSQL already running on 127.0.0.1:$port (nothing to do)"
  exit 0
fi

installed=""
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || fail "PostgreSQL is not installed and this is not root; run 'sudo apt-get install postgresql' or this script as root"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  installed="installed Debian's postgresql, "
fi
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
version="$(basename "$(dirname "$bin")")"

# The cluster belongs to the postgres OS user when run as root (PostgreSQL refuses to run as root), else to us.
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || fail "the postgres OS user is missing; reinstall Debian's postgresql package"
  as_owner() { (cd /var/tmp && runuser -u postgres -- "$@"); }
  owner=postgres
else
  as_owner() { (cd /var/tmp && "$@"); }
  owner="$(id -un)"
fi

mkdir -p "$sockets"
chown "$owner" "$sockets"
chmod 700 "$sockets"

initialized=""
init_cluster() {
  rm -rf "$data"
  mkdir -p "$data"
  chown "$owner" "$data"
  chmod 700 "$data"
  # Only the owner can reach the socket folder, so trust there is trust in the postgres OS user (and root).
  as_owner "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$data/postgresql.conf" <<EOF

# flowengine: a throwaway test cluster (install-postgres.sh)
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockets'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  # TCP only from 127.0.0.1, with a password.
  cat >"$data/pg_hba.conf" <<EOF
local   all   all                 trust
host    all   all   127.0.0.1/32  scram-sha-256
EOF
  initialized="initialized $data, "
}

# 9>&-: the server must not inherit (and so hold forever) the lock.
start_cluster() { as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null 9>&-; }

# A missing cluster, or one from another PostgreSQL version, is (re)made: the data is disposable.
if [ ! -s "$data/PG_VERSION" ] || [ "$(cat "$data/PG_VERSION")" != "$version" ]; then
  init_cluster
fi

touch "$log"
chown "$owner" "$log"
if ! start_cluster; then
  # fsync is off: a cluster left broken by a crash or a kill is made anew, once.
  tail -n 5 "$log" >&2 || true
  say "the cluster in $data did not start; making it anew"
  init_cluster
  if ! start_cluster; then
    tail -n 20 "$log" >&2 || true
    fail "PostgreSQL $version did not start on 127.0.0.1:$port; its log is $log (is another server using the port?)"
  fi
fi

psql_su() { as_owner "$bin/psql" -X -q -h "$sockets" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
if [ "$(psql_su -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'flowengine'")" != "1" ]; then
  psql_su -c "CREATE ROLE flowengine LOGIN CREATEDB PASSWORD 'flowengine'"
fi

ready || fail "PostgreSQL $version started but does not answer on 127.0.0.1:$port; its log is $log"
say "${installed}${initialized}started PostgreSQL $version on 127.0.0.1:$port (data $data, role flowengine)"
