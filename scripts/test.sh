#!/usr/bin/env bash
# `npm test`: installs what is missing, then lint (with the import-boundary rules),
# per-folder type-check, unit + integration tests (central on PGlite and on a real
# PostgreSQL server), and the Playwright end-to-end specs in Debian Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --e2e --postgres

echo "== lint"; npm run -s lint
echo "== typecheck"; npm run -s typecheck

pg_dir=""
cleanup() { [ -n "$pg_dir" ] && bash scripts/pg-test-server.sh stop "$pg_dir"; }
trap cleanup EXIT
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if [ -n "${DATABASE_URL:-}" ]; then
    export TEST_DATABASE_URL="$DATABASE_URL"
  else
    pg_dir=$(mktemp -d /tmp/reflash-pg.XXXXXX)
    TEST_DATABASE_URL=$(bash scripts/pg-test-server.sh start "$pg_dir")
    export TEST_DATABASE_URL
    echo "== PostgreSQL test server at $TEST_DATABASE_URL"
  fi
fi

echo "== unit and integration tests"; npx vitest run
if compgen -G "e2e/*.spec.ts" >/dev/null; then
  echo "== end-to-end (Playwright, Debian Chromium)"; npx playwright test
fi
