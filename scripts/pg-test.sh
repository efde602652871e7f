#!/bin/sh
# pg-test.sh - a throwaway PostgreSQL server for tests.
#
#   scripts/pg-test.sh start   initdb + start; prints the admin url
#                              postgresql://postgres@127.0.0.1:PORT/postgres
#   scripts/pg-test.sh url     prints that url if the server runs (exit 1 if not)
#   scripts/pg-test.sh stop    stops it (-m fast) and removes its directory
#
# State lives in $PGTEST_DIR (default /tmp/shuniu-pgtest): data/, sock/
# (the unix socket), port, log.  start and stop are idempotent.  The cluster
# trusts local connections (-A trust), is UTF8 with locale C.UTF-8 (C when
# that is missing), listens on a free TCP port on 127.0.0.1 only, and holds
# nothing but the default databases: tests create their own.
# Run as root, the server runs as the `postgres` OS user.
set -eu

DIR=${PGTEST_DIR:-/tmp/shuniu-pgtest}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

# Runs a command as the server's owner.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

is_running() {
    [ -f "$DIR/port" ] && [ -d "$DIR/data" ] &&
        as_owner "$PGBIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

print_url() {
    echo "postgresql://postgres@127.0.0.1:$(cat "$DIR/port")/postgres"
}

# 0 when nothing listens on port $1 (without ss, pg_ctl start finds out).
port_free() {
    command -v ss >/dev/null 2>&1 || return 0
    [ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
}

do_start() {
    if is_running; then
        print_url
        return 0
    fi
    rm -rf "$DIR"
    mkdir -p "$DIR/data" "$DIR/sock"
    chmod 700 "$DIR/data"
    if [ "$(id -u)" = 0 ]; then
        chown -R postgres: "$DIR"
    fi
    if ! as_owner test -w "$DIR/data"; then
        echo "pg-test: the postgres user cannot write $DIR/data" \
            "(a parent directory is closed to it?)" >&2
        exit 1
    fi
    # A unix socket path must fit in 107 bytes; a deep PGTEST_DIR gets its
    # socket in a directory of its own under /tmp instead.
    sock="$DIR/sock"
    if [ ${#sock} -gt 80 ]; then
        sock=$(mktemp -d /tmp/shuniu-pgsock.XXXXXX)
        [ "$(id -u)" = 0 ] && chown postgres: "$sock"
        echo "$sock" >"$DIR/sockdir"
    fi
    locale=C.UTF-8
    if ! as_owner "$PGBIN/initdb" -D "$DIR/data" -U postgres -A trust \
        -E UTF8 --locale="$locale" >"$DIR/initdb.log" 2>&1; then
        locale=C
        rm -rf "$DIR/data" && mkdir "$DIR/data" && chmod 700 "$DIR/data"
        [ "$(id -u)" = 0 ] && chown postgres: "$DIR/data"
        if ! as_owner "$PGBIN/initdb" -D "$DIR/data" -U postgres -A trust \
            -E UTF8 --locale="$locale" >"$DIR/initdb.log" 2>&1; then
            cat "$DIR/initdb.log" >&2
            echo "pg-test: initdb failed" >&2
            exit 1
        fi
    fi
    tries=0
    while [ $tries -lt 20 ]; do
        tries=$((tries + 1))
        port=$(( ( $(od -An -N2 -tu2 /dev/urandom) % 20000 ) + 30000 ))
        port_free "$port" || continue
        if as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 30 \
            -o "-c listen_addresses=127.0.0.1 -p $port \
-c unix_socket_directories=$sock -c fsync=off" start >/dev/null 2>&1
        then
            echo "$port" >"$DIR/port"
            [ "$(id -u)" = 0 ] && chown postgres: "$DIR/port"
            print_url
            return 0
        fi
    done
    cat "$DIR/log" >&2 2>/dev/null || true
    echo "pg-test: cannot start postgresql" >&2
    exit 1
}

do_stop() {
    if [ -d "$DIR/data" ]; then
        as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop \
            >/dev/null 2>&1 || true
    fi
    if [ -f "$DIR/sockdir" ]; then
        rm -rf "$(cat "$DIR/sockdir")"
    fi
    rm -rf "$DIR"
}

case "${1:-}" in
start) do_start ;;
stop) do_stop ;;
url)
    if is_running; then print_url; else
        echo "pg-test: not running" >&2
        exit 1
    fi
    ;;
*)
    echo "usage: $0 start|stop|url" >&2
    exit 2
    ;;
esac
