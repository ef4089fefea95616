#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 for the test suite, and print its URL.
# Uses the running server when there is one; otherwise starts the installed cluster, or installs
# Debian's postgresql package first. Trust authentication on loopback, as on the CI machines.
set -euo pipefail

HOST=127.0.0.1
PORT=5432
URL="postgresql+asyncpg://postgres@${HOST}:${PORT}/test"

answers() { pg_isready -q -h "$HOST" -p "$PORT" 2>/dev/null; }

if ! command -v pg_isready >/dev/null 2>&1 || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "ensure-postgres: installing Debian's postgresql package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
fi

if ! answers; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    conf="/etc/postgresql/${version}/main"
    # Trust local connections (test machines only) and listen on loopback.
    if ! grep -q "lighthouse-test" "${conf}/pg_hba.conf"; then
        sed -i '1i host all all 127.0.0.1/32 trust # lighthouse-test\nlocal all all trust # lighthouse-test' "${conf}/pg_hba.conf"
    fi
    echo "ensure-postgres: starting cluster ${version}/main" >&2
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
    for _ in $(seq 1 30); do answers && break; sleep 1; done
fi

answers || { echo "ensure-postgres: no PostgreSQL answers on ${HOST}:${PORT}" >&2; exit 1; }
if ! psql -h "$HOST" -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1; then
    psql -h "$HOST" -p "$PORT" -U postgres -c "CREATE DATABASE test" >&2
fi
echo "$URL"
