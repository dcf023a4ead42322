#!/usr/bin/env bash
# Benchmark Skedjit's hot path against a bare Flask app, on SQLite and PostgreSQL.
#   bench/run.sh                 full run; writes bench/RESULTS.md
#   BENCH_DURATION=3 bench/run.sh   shorter measurements (seconds each)
#   BENCH_LANGUAGES=en bench/run.sh  friends in English alone (default: every language)
# Needs the project's .venv (./build.sh makes it) and wrk (apt-get install wrk).
set -Eeuo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  echo "bench: no .venv; run ./build.sh first" >&2
  exit 2
fi
if ! command -v wrk >/dev/null; then
  echo "bench: wrk is missing; apt-get install wrk" >&2
  exit 2
fi

# shellcheck source=tests/postgres.sh
source tests/postgres.sh
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  trap stop_throwaway_postgres EXIT
  start_throwaway_postgres
fi
export BENCH_POSTGRES_URL=$TEST_DATABASE_URL
.venv/bin/python bench/bench.py "$@"
