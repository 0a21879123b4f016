#!/usr/bin/env bash
# Times `seed_demo` on a fresh SQLite file and prints the seconds it took.
#
#   bench/seed_demo.sh                  # 2,000 users, 100,000 posts (the target: under 60 s)
#   USERS=200 POSTS=2000 bench/seed_demo.sh
#
# Set BENCH_DATABASE_URL to time another database instead (it must exist and
# be empty; for PostgreSQL: createdb, then this script migrates it).
set -euo pipefail
cd "$(dirname "$0")/.."

USERS="${USERS:-2000}"
POSTS="${POSTS:-100000}"
DB_FILE="${BENCH_DB_FILE:-/tmp/seed.sqlite3}"

if [ -n "${BENCH_DATABASE_URL:-}" ]; then
    export DATABASE_URL="$BENCH_DATABASE_URL"
else
    rm -f "$DB_FILE" "$DB_FILE-wal" "$DB_FILE-shm"
    export DATABASE_URL="sqlite:///$DB_FILE"
fi
# Production-like settings: DEBUG=false (no query log), any 32+ character key.
export DEBUG=false
export SECRET_KEY="${SECRET_KEY:-bench-only-secret-key-0123456789abcdef}"

.venv/bin/python manage.py migrate --noinput -v0

start=$(date +%s.%N)
.venv/bin/python manage.py seed_demo --users "$USERS" --posts "$POSTS"
end=$(date +%s.%N)

seconds=$(.venv/bin/python -c "print(f'{$end - $start:.1f}')")
echo "seed_demo --users $USERS --posts $POSTS: ${seconds}s"
