#!/usr/bin/env bash
# Skedjit's build.
#   ./build.sh         install, lint, byte-compile, test on SQLite and PostgreSQL, coverage gate
#   ./build.sh serve   install, migrate the database, serve on HOST:PORT with the worker (Procfile)
#   ./build.sh serve web   the same with only the named processes of the Procfile
#   ./build.sh screenshots   save pictures of the main pages in build/screenshots/
set -Eeuo pipefail
cd "$(dirname "$0")"

VENV=.venv
PY=$VENV/bin/python

install() {
  if [ ! -x "$PY" ]; then
    echo "==> creating $VENV"
    python3.11 -m venv "$VENV" 2>/dev/null || python3 -m venv "$VENV"
  fi
  local wanted=$1 stamp=$VENV/.installed-$1
  if [ ! -f "$stamp" ] || [ "$wanted.txt" -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
    echo "==> installing $wanted.txt"
    "$PY" -m pip install --quiet --disable-pip-version-check -r "$wanted.txt"
    touch "$stamp"
  fi
}

# Test tools from npm (axe-core), again whenever package-lock.json changes.
install_node_tools() {
  local stamp=node_modules/.installed
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
    echo "==> installing package-lock.json (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    touch "$stamp"
  fi
}

# The message catalogs (skedjit/translations/*/LC_MESSAGES/messages.po) as the app reads them.
compile_translations() {
  if compgen -G "skedjit/translations/*/LC_MESSAGES/messages.po" >/dev/null; then
    "$VENV/bin/pybabel" -q compile -d skedjit/translations
  fi
}

serve() {
  install requirements
  compile_translations
  export FLASK_APP=wsgi
  echo "==> migrating the database"
  "$VENV/bin/flask" --app wsgi db upgrade
  export HOST=${HOST:-127.0.0.1} PATH="$PWD/$VENV/bin:$PATH"
  local port=${PORT:-8000}
  echo "==> Skedjit is at http://$HOST:$port/ with its worker (Ctrl+C stops both)"
  # honcho gives the Procfile's first process (web) PORT itself; named processes alone
  # (./build.sh serve web) when the others run elsewhere.
  exec "$VENV/bin/honcho" start --no-prefix --port "$port" "$@"
}

check() {
  install requirements-dev
  compile_translations
  echo "==> lint"
  "$VENV/bin/ruff" check .
  "$VENV/bin/ruff" format --check .
  echo "==> byte-compile"
  "$PY" -m compileall -q skedjit config.py wsgi.py

  # shellcheck source=tests/postgres.sh
  source tests/postgres.sh
  if [ -n "${TEST_DATABASE_URL:-}" ]; then
    echo "==> PostgreSQL: using TEST_DATABASE_URL"
  elif find_pg_bin >/dev/null; then
    echo "==> PostgreSQL: starting a throwaway cluster"
    trap stop_throwaway_postgres EXIT
    start_throwaway_postgres
  elif [ "${SKEDJIT_REQUIRE_POSTGRES:-0}" = 1 ]; then
    echo "!!! SKEDJIT_REQUIRE_POSTGRES=1 but no PostgreSQL server binaries (initdb, pg_ctl) were found" >&2
    exit 1
  else
    echo "!!! ==================================================================="
    echo "!!! No PostgreSQL server binaries found: running the SQLite half ONLY."
    echo "!!! Install PostgreSQL (apt-get install postgresql) to test both."
    echo "!!! ==================================================================="
  fi

  if [ -n "${SKEDJIT_CHROMIUM:-}" ] || command -v chromium >/dev/null; then
    echo "==> Chromium: running the end-to-end tests"
  elif [ "${SKEDJIT_REQUIRE_BROWSER:-0}" = 1 ]; then
    echo "!!! SKEDJIT_REQUIRE_BROWSER=1 but Chromium is not installed" >&2
    exit 1
  else
    echo "!!! ==================================================================="
    echo "!!! No Chromium found: the end-to-end tests (tests/e2e) are SKIPPED."
    echo "!!! Install it (apt-get install chromium) to run them."
    echo "!!! ==================================================================="
  fi

  if command -v npm >/dev/null; then
    install_node_tools
  elif [ "${SKEDJIT_REQUIRE_BROWSER:-0}" = 1 ]; then
    echo "!!! SKEDJIT_REQUIRE_BROWSER=1 but npm is not installed (for axe-core)" >&2
    exit 1
  elif [ ! -d node_modules/axe-core ]; then
    echo "!!! ==================================================================="
    echo "!!! No npm found: the accessibility tests (axe-core) are SKIPPED."
    echo "!!! Install it (apt-get install npm) to run them."
    echo "!!! ==================================================================="
  fi

  if command -v java >/dev/null; then
    echo "==> Java: checking every page with the Nu Html Checker"
  elif [ "${SKEDJIT_REQUIRE_BROWSER:-0}" = 1 ]; then
    echo "!!! SKEDJIT_REQUIRE_BROWSER=1 but Java is not installed (for the Nu Html Checker)" >&2
    exit 1
  else
    echo "!!! ==================================================================="
    echo "!!! No Java found: the HTML validity test is SKIPPED."
    echo "!!! Install it (apt-get install default-jre-headless) to run it."
    echo "!!! ==================================================================="
  fi

  local marks="not screenshots"
  if [ "${CI:-}" = true ] || [ "${SKEDJIT_SLOW:-0}" = 1 ]; then
    echo "==> tests, the slow ones included"
  else
    marks+=" and not slow"
    echo "==> tests, leaving out those marked slow (CI runs them; SKEDJIT_SLOW=1 runs them here)"
  fi
  rm -f .coverage .coverage.*
  # On every core; the browser tests stay together on one worker (their xdist_group).
  "$VENV/bin/coverage" run -m pytest -n auto --dist loadgroup -m "$marks" "$@"
  "$VENV/bin/coverage" combine --quiet 2>/dev/null || true
  "$VENV/bin/coverage" report
}

screenshots() {
  install requirements-dev
  install_node_tools
  echo "==> screenshots into build/screenshots/"
  "$VENV/bin/python" -m pytest -m screenshots tests/e2e/test_screenshots.py "$@"
}

case "${1:-}" in
  serve) shift; serve "$@" ;;
  screenshots) shift; screenshots "$@" ;;
  "") check ;;
  --) shift; check "$@" ;;
  *) echo "usage: ./build.sh [serve [web|worker] | screenshots | -- PYTEST_ARGS...]" >&2; exit 2 ;;
esac
