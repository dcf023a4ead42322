# A throwaway PostgreSQL cluster for tests and benchmarks. Source this file, then:
#   start_throwaway_postgres   sets TEST_DATABASE_URL (and PG_THROWAWAY_DIR)
#   stop_throwaway_postgres    stops the cluster and removes its files
# As root it runs the server as the postgres user (initdb refuses root).

find_pg_bin() {
  local dir
  for dir in "$(dirname "$(readlink -f "$(command -v pg_ctl || echo /nonexistent)")")" \
    /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/createdb" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

_as_pg_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_throwaway_postgres() {
  local bin
  bin=$(find_pg_bin) || return 1
  PG_THROWAWAY_DIR=$(mktemp -d "${TMPDIR:-/tmp}/skedjit-pg.XXXXXX")
  chmod 755 "$PG_THROWAWAY_DIR"
  mkdir "$PG_THROWAWAY_DIR/data" "$PG_THROWAWAY_DIR/socket"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$PG_THROWAWAY_DIR/data" "$PG_THROWAWAY_DIR/socket"
  fi
  _as_pg_owner "$bin/initdb" -D "$PG_THROWAWAY_DIR/data" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$PG_THROWAWAY_DIR/initdb.log" 2>&1 \
    || { cat "$PG_THROWAWAY_DIR/initdb.log" >&2; return 1; }
  # Unix socket only: nothing listens on the network.
  _as_pg_owner "$bin/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -l "$PG_THROWAWAY_DIR/socket/server.log" -w \
    -o "-c listen_addresses='' -k $PG_THROWAWAY_DIR/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$PG_THROWAWAY_DIR/socket/server.log" >&2; return 1; }
  PG_THROWAWAY_BIN=$bin
  _as_pg_owner "$bin/createdb" -h "$PG_THROWAWAY_DIR/socket" -U postgres skedjit_test
  export TEST_DATABASE_URL="postgresql+psycopg2://postgres@/skedjit_test?host=$PG_THROWAWAY_DIR/socket"
  export PG_THROWAWAY_DIR PG_THROWAWAY_BIN
}

stop_throwaway_postgres() {
  if [ -n "${PG_THROWAWAY_DIR:-}" ] && [ -d "$PG_THROWAWAY_DIR" ]; then
    _as_pg_owner "$PG_THROWAWAY_BIN/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_THROWAWAY_DIR"
  fi
  PG_THROWAWAY_DIR=
}
