# Source this file to start a throwaway PostgreSQL cluster for the tests:
#   source .ci/postgres.sh        # exports VEXIL_TEST_POSTGRES_URL; stops the server on exit
# Installs Debian's `postgresql` when no server binaries are found. initdb refuses to run as
# root, so as root the cluster belongs to the `postgres` user (created by the package).

vexil_pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

if ! PG_BIN=$(vexil_pg_bin); then
  echo "installing PostgreSQL (Debian package postgresql)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq postgresql >/dev/null
  PG_BIN=$(vexil_pg_bin) || { echo "PostgreSQL could not be installed" >&2; return 3 2>/dev/null || exit 3; }
fi

VEXIL_PG_DIR=$(mktemp -d /tmp/vexil-pg.XXXXXX)
VEXIL_PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if [ "$(id -u)" = 0 ]; then
  chown postgres "$VEXIL_PG_DIR"
  VEXIL_PG_AS=(runuser -u postgres --)
else
  VEXIL_PG_AS=()
fi
"${VEXIL_PG_AS[@]}" "$PG_BIN/initdb" -D "$VEXIL_PG_DIR/data" -U vexil -A trust --no-sync -E UTF8 >"$VEXIL_PG_DIR/initdb.log" 2>&1 \
  || { cat "$VEXIL_PG_DIR/initdb.log" >&2; return 3 2>/dev/null || exit 3; }
"${VEXIL_PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$VEXIL_PG_DIR/data" -l "$VEXIL_PG_DIR/server.log" -w \
  -o "-h 127.0.0.1 -p $VEXIL_PG_PORT -k $VEXIL_PG_DIR -c fsync=off -c max_connections=200" start >/dev/null \
  || { cat "$VEXIL_PG_DIR/server.log" >&2; return 3 2>/dev/null || exit 3; }
export VEXIL_TEST_POSTGRES_URL="postgres://vexil@127.0.0.1:$VEXIL_PG_PORT/postgres"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$VEXIL_PG_PORT" >&2

vexil_pg_stop() {
  "${VEXIL_PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$VEXIL_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$VEXIL_PG_DIR"
}
trap vexil_pg_stop EXIT
