#!/usr/bin/env bash
# A private, throwaway PostgreSQL for tests and benchmarks (docs/storage.md, "Testing against PostgreSQL").
#
#   eval "$(scripts/test-postgres.sh start)"    # start one; exports DATABASE_URL and DUOWATCH_TEST_PG_DIR
#   eval "$(scripts/test-postgres.sh ensure)"   # keep a reachable $DATABASE_URL, else start one
#   scripts/test-postgres.sh stop [DIR]         # stop it and delete its files (default $DUOWATCH_TEST_PG_DIR)
#   scripts/test-postgres.sh status [DIR]
#
# The cluster lives under a temporary directory, listens only on 127.0.0.1 on a free port with its socket in
# that directory, and trusts local connections (user postgres). initdb and the server refuse to run as root,
# so as root they run as the `postgres` user through su. Only `eval`-able lines go to stdout; progress goes
# to stderr.
set -euo pipefail

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
if [[ -z "${PG_BIN}" || ! -x "${PG_BIN}/initdb" ]]; then
  echo "test-postgres: no PostgreSQL binaries found (set PG_BIN, or apt-get install postgresql)" >&2
  exit 69
fi

as_owner() {
  # Runs a command as the cluster owner: ourselves, or postgres when we are root.
  if [[ "$(id -u)" == "0" ]]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})"
}

reachable() {
  [[ -n "${1:-}" ]] && "${PG_BIN}/pg_isready" -q -t 3 -d "$1" >/dev/null 2>&1
}

start() {
  local dir port url
  dir="$(mktemp -d "${TMPDIR:-/tmp}/duowatch-pg.XXXXXX")"
  chmod 0755 "${dir}"
  if [[ "$(id -u)" == "0" ]]; then chown postgres "${dir}"; fi
  port="$(free_port)"
  as_owner "'${PG_BIN}/initdb' -D '${dir}/data' -U postgres --auth=trust --no-sync -E UTF8 >'${dir}/initdb.log' 2>&1" || {
    cat "${dir}/initdb.log" >&2
    exit 1
  }
  # fsync off: the cluster is thrown away, and the benchmark should measure queries, not the disk.
  as_owner "'${PG_BIN}/pg_ctl' -D '${dir}/data' -l '${dir}/server.log' -w -t 60 \
    -o \"-p ${port} -k '${dir}' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start >&2" || {
    cat "${dir}/server.log" >&2
    exit 1
  }
  url="postgres://postgres@127.0.0.1:${port}/postgres"
  echo "test-postgres: started ${url} in ${dir}" >&2
  echo "export DATABASE_URL='${url}'"
  echo "export DUOWATCH_TEST_PG_DIR='${dir}'"
}

stop() {
  local dir="${1:-${DUOWATCH_TEST_PG_DIR:-}}"
  if [[ -z "${dir}" || ! -d "${dir}/data" ]]; then
    echo "test-postgres: nothing to stop (give the directory or set DUOWATCH_TEST_PG_DIR)" >&2
    exit 1
  fi
  as_owner "'${PG_BIN}/pg_ctl' -D '${dir}/data' -m fast -w stop >&2" || true
  rm -rf -- "${dir}"
  echo "test-postgres: stopped and removed ${dir}" >&2
}

case "${1:-}" in
  start) start ;;
  ensure)
    if reachable "${DATABASE_URL:-}"; then
      echo "test-postgres: using reachable DATABASE_URL" >&2
      echo "export DATABASE_URL='${DATABASE_URL}'"
    else
      start
    fi
    ;;
  stop) stop "${2:-}" ;;
  status)
    dir="${2:-${DUOWATCH_TEST_PG_DIR:-}}"
    as_owner "'${PG_BIN}/pg_ctl' -D '${dir}/data' status"
    ;;
  *)
    echo "usage: $0 start|ensure|stop [DIR]|status [DIR]" >&2
    exit 64
    ;;
esac
