#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster (`make test-postgres`).
#
#   deploy/with_postgres.sh COMMAND [ARG ...]
#   deploy/with_postgres.sh --replicas N COMMAND [ARG ...]
#
# Starts a fresh cluster from Debian's packaged binaries (/usr/lib/postgresql/
# <version>/bin, the newest installed; never a postgres found on PATH) in a
# temporary folder, listening on 127.0.0.1 only, on a free port, with a
# password-protected role that may create databases. COMMAND runs with
# ARCHIVE_TEST_DATABASE_URL pointing at it (archive/settings/test.py; through
# its Unix socket, in that folder), and the
# cluster is stopped and its folder deleted when COMMAND ends, however it ends.
# As root, the cluster runs as Debian's `postgres` account (PostgreSQL refuses
# to run as root). Durability is switched off: nothing in it is kept.
#
# With --replicas N, N streaming replicas of that primary start too (hot
# standbys from pg_basebackup, each on 127.0.0.1 and a free port of its own),
# and COMMAND gets ARCHIVE_TEST_REPLICA_URLS, their addresses (comma-separated,
# the same account). The account may pause and resume a replica's replay
# (pg_wal_replay_pause/resume), so that tests can hold a replica behind.
set -euo pipefail
# The cluster and everything the command writes: this account's only.
umask 077

replicas=0
if [ "${1:-}" = "--replicas" ]; then
  replicas=${2:-}
  shift 2 || true
  case "$replicas" in
    [0-9]) ;;
    *) echo "usage: $0 [--replicas N] COMMAND [ARG ...] (N from 0 to 9)" >&2; exit 2 ;;
  esac
fi
if [ "$#" -eq 0 ]; then
  echo "usage: $0 [--replicas N] COMMAND [ARG ...]" >&2
  exit 2
fi

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "with_postgres: Debian's postgresql package is needed (make postgres)." >&2
  exit 1
fi

cluster=$(mktemp -d "${TMPDIR:-/tmp}/archive-pg.XXXXXX")
chmod 700 "$cluster"
as_owner=()
if [ "$(id -u)" = "0" ]; then
  chown postgres: "$cluster"
  as_owner=(runuser -u postgres --)
fi

stop() {
  status=$?
  for data in "$cluster"/replica*/ "$cluster/data/"; do
    if [ -f "$data/postmaster.pid" ]; then
      "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$data" -m immediate -w stop \
        >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$cluster"
  exit "$status"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

random() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
superuser_password=$(random)
password=$(random)
port=$(free_port)

printf '%s\n' "$superuser_password" >"$cluster/pwfile"
[ "${#as_owner[@]}" -eq 0 ] || chown postgres: "$cluster/pwfile"
"${as_owner[@]}" "$pg_bin/initdb" -D "$cluster/data" -U postgres \
  --pwfile="$cluster/pwfile" --auth=scram-sha-256 --encoding=UTF8 \
  --locale=C.UTF-8 >"$cluster/initdb.log" 2>&1 ||
  { cat "$cluster/initdb.log" >&2; exit 1; }
rm -f "$cluster/pwfile"

"${as_owner[@]}" "$pg_bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$cluster \
      -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
      -c max_connections=50" start >/dev/null ||
  { cat "$cluster/server.log" >&2; exit 1; }

PGPASSWORD=$superuser_password "$pg_bin/psql" -q -X -v ON_ERROR_STOP=1 \
  -h 127.0.0.1 -p "$port" -U postgres -d postgres >/dev/null <<SQL
CREATE ROLE archive LOGIN CREATEDB PASSWORD '$password';
CREATE DATABASE archive OWNER archive;
SQL

if [ "$replicas" -gt 0 ]; then
  replication_password=$(random)
  # In template1 too: the test databases pytest-django creates inherit it.
  for database in postgres template1 archive; do
    PGPASSWORD=$superuser_password "$pg_bin/psql" -q -X -v ON_ERROR_STOP=1 \
      -h 127.0.0.1 -p "$port" -U postgres -d "$database" >/dev/null <<SQL
GRANT EXECUTE ON FUNCTION pg_wal_replay_pause() TO archive;
GRANT EXECUTE ON FUNCTION pg_wal_replay_resume() TO archive;
SQL
  done
  PGPASSWORD=$superuser_password "$pg_bin/psql" -q -X -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U postgres -d postgres >/dev/null \
    -c "CREATE ROLE replicator REPLICATION LOGIN PASSWORD '$replication_password'"
  replica_urls=()
  for number in $(seq 1 "$replicas"); do
    replica="$cluster/replica$number"
    replica_port=$(free_port)
    # -R: the copy starts as a standby streaming from the primary.
    "${as_owner[@]}" env PGPASSWORD="$replication_password" "$pg_bin/pg_basebackup" \
      -h 127.0.0.1 -p "$port" -U replicator -D "$replica" -R -X stream -c fast \
      >"$cluster/basebackup$number.log" 2>&1 ||
      { cat "$cluster/basebackup$number.log" >&2; exit 1; }
    "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$replica" -l "$cluster/replica$number.log" -w \
      -o "-c listen_addresses=127.0.0.1 -c port=$replica_port \
          -c unix_socket_directories=$cluster -c hot_standby=on \
          -c max_connections=50" start >/dev/null ||
      { cat "$cluster/replica$number.log" >&2; exit 1; }
    replica_urls+=("postgres://archive:$password@127.0.0.1:$replica_port/archive")
  done
  ARCHIVE_TEST_REPLICA_URLS=$(IFS=,; echo "${replica_urls[*]}")
  export ARCHIVE_TEST_REPLICA_URLS
  echo "with_postgres: $replicas streaming replicas" >&2
fi

# The command reaches the primary through its Unix socket, in the cluster's
# folder (the host part of the address, percent-encoded): a query costs
# about a fifth less than through the loopback interface.
socket_host=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$cluster")
export ARCHIVE_TEST_DATABASE_URL="postgres://archive:$password@$socket_host:$port/archive"
echo "with_postgres: PostgreSQL $("$pg_bin/postgres" -V | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
