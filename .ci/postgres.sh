#!/usr/bin/env bash
# Start Debian's PostgreSQL for the sweep tests (tests/media/test_sweep.py: two agents sharing one
# database) and print the URL they use. Installs the package when it is missing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
    pg_createcluster "$version" main >&2
fi
cluster=$(pg_lsclusters -h | head -1 | awk '{print $1" "$2}')
pg_ctlcluster $cluster start >&2 2>/dev/null || true   # already running is fine
port=$(pg_lsclusters -h | head -1 | awk '{print $3}')
for _ in $(seq 1 30); do
    su postgres -c "psql -p $port -qtAc 'select 1'" >/dev/null 2>&1 && break
    sleep 1
done
su postgres -c "psql -p $port -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='mediaboard'\"" | grep -q 1 \
    || su postgres -c "psql -p $port -qc \"CREATE ROLE mediaboard LOGIN PASSWORD 'mediaboard'\"" >&2
su postgres -c "psql -p $port -qtAc \"SELECT 1 FROM pg_database WHERE datname='mediaboard_test'\"" | grep -q 1 \
    || su postgres -c "createdb -p $port -O mediaboard mediaboard_test" >&2
echo "postgresql://mediaboard:mediaboard@127.0.0.1:$port/mediaboard_test"
