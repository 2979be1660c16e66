#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 cluster for the test suite and print its URL.
#
#   bash scripts/pg-test-server.sh          start (or reuse) the cluster, print the URL on stdout
#   bash scripts/pg-test-server.sh stop     stop it and delete its data directory
#
# The cluster listens on 127.0.0.1 only, trusts local connections (it is for tests,
# never for data), keeps its files in a temporary directory and runs as a non-root
# user: `postgres` when started by root, yourself otherwise. Only the URL goes to
# stdout, so `URL=$(bash scripts/pg-test-server.sh 2>/dev/null)` works; progress and
# errors go to stderr. Running it again while the cluster is up just prints the URL.
#
# Environment: BACKSTRIDE_PG_PORT (54329), BACKSTRIDE_PG_DIR (${TMPDIR:-/tmp}/backstride-pg-<port>),
# BACKSTRIDE_PG_BIN (/usr/lib/postgresql/15/bin).
set -euo pipefail

PORT="${BACKSTRIDE_PG_PORT:-54329}"
DATA="${BACKSTRIDE_PG_DIR:-${TMPDIR:-/tmp}/backstride-pg-${PORT}}"
PGBIN="${BACKSTRIDE_PG_BIN:-/usr/lib/postgresql/15/bin}"
DB=backstride_test
URL="postgresql+psycopg://postgres@127.0.0.1:${PORT}/${DB}"

log() { printf 'pg-test-server: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

as_owner() {
    # Run a PostgreSQL binary as the cluster owner (never as root).
    if [ "$(id -u)" -eq 0 ]; then
        if command -v runuser >/dev/null 2>&1; then
            runuser -u postgres -- "$@"
        else
            su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
        fi
    else
        "$@"
    fi
}

ensure_binaries() {
    [ -x "${PGBIN}/initdb" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        die "PostgreSQL 15 binaries not found in ${PGBIN}; install postgresql-15 (or set BACKSTRIDE_PG_BIN)"
    fi
    command -v apt-get >/dev/null 2>&1 || die "PostgreSQL 15 not found in ${PGBIN} and apt-get is not available"
    log "installing PostgreSQL 15 with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || true
    apt-get install -y -qq postgresql-15 >&2 || apt-get install -y -qq postgresql >&2 \
        || die "apt-get could not install PostgreSQL"
    [ -x "${PGBIN}/initdb" ] || die "PostgreSQL installed, but ${PGBIN}/initdb is missing (not version 15?)"
}

is_ready() {
    "${PGBIN}/pg_isready" -q -h 127.0.0.1 -p "${PORT}" >/dev/null 2>&1
}

ensure_database() {
    local exists
    exists="$("${PGBIN}/psql" -h 127.0.0.1 -p "${PORT}" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '${DB}'")" || die "cannot query the server on port ${PORT}"
    if [ "${exists}" != "1" ]; then
        "${PGBIN}/createdb" -h 127.0.0.1 -p "${PORT}" -U postgres "${DB}" >&2 \
            || die "cannot create database ${DB}"
    fi
}

stop() {
    if [ -f "${DATA}/PG_VERSION" ]; then
        as_owner "${PGBIN}/pg_ctl" -D "${DATA}" -m fast -w stop >&2 || true
        rm -rf "${DATA}"
        log "stopped and removed ${DATA}"
    else
        log "no cluster in ${DATA}"
    fi
}

start() {
    ensure_binaries
    if is_ready; then
        ensure_database
        log "already running on port ${PORT}"
        printf '%s\n' "${URL}"
        return 0
    fi
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres >&2 \
            || die "cannot create the postgres user"
    fi
    if [ ! -f "${DATA}/PG_VERSION" ]; then
        rm -rf "${DATA}"
        mkdir -p "${DATA}"
        chmod 700 "${DATA}"
        if [ "$(id -u)" -eq 0 ]; then chown postgres: "${DATA}"; fi
        log "initdb in ${DATA}"
        as_owner "${PGBIN}/initdb" -D "${DATA}" -U postgres --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 >/dev/null 2>&1 \
            || as_owner "${PGBIN}/initdb" -D "${DATA}" -U postgres --auth=trust --encoding=UTF8 --locale=C >&2 \
            || die "initdb failed"
    fi
    log "starting on 127.0.0.1:${PORT}"
    as_owner "${PGBIN}/pg_ctl" -D "${DATA}" -l "${DATA}/server.log" -w -t 30 start \
        -o "-c listen_addresses=127.0.0.1 -p ${PORT} -k ${DATA} -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        >&2 || die "server did not start; see ${DATA}/server.log"
    ensure_database
    printf '%s\n' "${URL}"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *) die "usage: $0 [start|stop]" ;;
esac
