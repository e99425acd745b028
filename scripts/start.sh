#!/usr/bin/env bash
# `npm start`: installs what is missing, builds the renderer, starts the central service
# on its embedded database (PGlite in .data/central; a PostgreSQL server when DATABASE_URL
# is set), seeds the demo world once, and starts the dock app with simulated scanner and
# jigs: in Electron when its binary is present, else in the browser shell.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh

export CENTRAL_PORT=${CENTRAL_PORT:-4010}
export HOST_PORT=${HOST_PORT:-4020}
export CENTRAL_URL=${CENTRAL_URL:-http://127.0.0.1:$CENTRAL_PORT}
export DATA_DIR=${DATA_DIR:-$PWD/.data}
mkdir -p "$DATA_DIR"

echo "== building the renderer"
npx vite build --config renderer/vite.config.ts --logLevel warn

pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop_all EXIT INT TERM

echo "== seeding the demo world (once)"
npx tsx central/seed.ts --data-dir "$DATA_DIR/central" --if-empty

echo "== starting the central service"
npx tsx central/main.ts --data-dir "$DATA_DIR/central" &
pids+=($!)

if [ -x node_modules/electron/dist/electron ] && [ -z "${BROWSER_SHELL:-}" ]; then
  echo "== starting the dock app in Electron"
  node scripts/dist.mjs --bundle-only
  sandbox_flag=(); [ "$(id -u)" = 0 ] && sandbox_flag=(--no-sandbox)  # Chromium's process sandbox refuses root
  DOCK_DATA_DIR="$DATA_DIR/host" node_modules/electron/dist/electron . "${sandbox_flag[@]}" &
else
  echo "== no Electron binary here: starting the dock app in the browser shell"
  npx tsx host/main.ts --data-dir "$DATA_DIR/host" &
fi
pids+=($!)
wait -n "${pids[@]}"
