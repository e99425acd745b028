#!/usr/bin/env bash
# `npm start`: installs what is missing, builds the renderer, seeds the central service's
# demo world once and starts central on its embedded database (PGlite in .data/central;
# a PostgreSQL server when DATABASE_URL is set), imports central's signed firmware for the
# dock's simulated jigs, and starts the dock app as the seeded demo dock (DOCK-N1, CSP North)
# with a simulated HID-POS scanner and 3 simulated jigs: in Electron when its binary is
# present, else in the browser shell, whose URL it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh

export DATA_DIR=${DATA_DIR:-$PWD/.data}
export CENTRAL_PORT=${CENTRAL_PORT:-4010}
export HOST_PORT=${HOST_PORT:-4020}
export CENTRAL_URL=${CENTRAL_URL:-http://127.0.0.1:$CENTRAL_PORT}
export CENTRAL_DATA_DIR=${CENTRAL_DATA_DIR:-$DATA_DIR/central}
export DOCK_DATA_DIR=${DOCK_DATA_DIR:-$DATA_DIR/host}
export DOCK_ID=${DOCK_ID:-DOCK-N1}
export SITE_FACILITY_ID=${SITE_FACILITY_ID:-N-DOCK-1}
export SITE_NAME=${SITE_NAME:-CSP North dock}
export SITE_CSP=${SITE_CSP:-North}
mkdir -p "$CENTRAL_DATA_DIR" "$DOCK_DATA_DIR"

echo "== building the renderer and the DCC desk"
npx vite build --config renderer/vite.config.ts --logLevel error
npx vite build --config desk/vite.config.ts --logLevel error

pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop_all EXIT INT TERM

echo "== seeding the demo world (does nothing when it is already there)"
npx tsx central/seed.ts

echo "== starting the central service at $CENTRAL_URL"
npx tsx central/main.ts &
pids+=($!)
for _ in $(seq 1 120); do
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$CENTRAL_URL/health" && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "central did not start"; exit 1; }
  sleep 0.5
done

# The DCC desk (central serves it) and the seed's demo accounts for it.
echo "== the DCC desk: $CENTRAL_URL/desk/ (sign in with a demo account)"
if [ -f "$CENTRAL_DATA_DIR/desk-accounts.json" ]; then
  node -e 'for (const a of JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"))) console.log(`   ${a.role.padEnd(10)} ${a.email.padEnd(30)} ${a.password}${a.partyId ? `  (${a.partyId})` : ""}`)' "$CENTRAL_DATA_DIR/desk-accounts.json"
fi

# The dock's credential for central, from the seed's tokens file, goes to the host's config.
if [ -z "${DOCK_CENTRAL_TOKEN:-}" ]; then
  DOCK_CENTRAL_TOKEN=$(node -e 'const t=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));process.stdout.write(t.docks[process.argv[2]]??"")' "$CENTRAL_DATA_DIR/tokens.json" "$DOCK_ID")
  export DOCK_CENTRAL_TOKEN
fi

# The firmware publisher's public key is pinned in the dock's firmware folder (what enrolment
# will do); the host then downloads the catalogue and images from central itself and checks
# them against it (host/jig/firmware-download.ts). No private key is copied to the dock.
echo "== pinning central's firmware publisher key for the dock"
mkdir -p "$DOCK_DATA_DIR/firmware"
node -e 'const k=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));require("fs").writeFileSync(process.argv[2],k.publicKeyPem)' "$CENTRAL_DATA_DIR/keys/firmware-signing.json" "$DOCK_DATA_DIR/firmware/publisher.pem"

echo "== dock operators (ID, then PIN): OP-N-RECV 1001 (receiver), OP-N-TECH 1002 (technician),"
echo "   OP-N-SUP 1003 (supervisor, also receiver and technician); Central & South: OP-CS-* 2001-2003"

if [ -x node_modules/electron/dist/electron ] && [ -z "${BROWSER_SHELL:-}" ]; then
  echo "== starting the dock app in Electron"
  node scripts/dist.mjs --bundle-only
  sandbox_flag=(); [ "$(id -u)" = 0 ] && sandbox_flag=(--no-sandbox)  # Chromium's process sandbox refuses root
  node_modules/electron/dist/electron . "${sandbox_flag[@]}" &
else
  echo "== no Electron binary here: starting the dock app in the browser shell"
  npx tsx host/main.ts &
fi
pids+=($!)
wait -n "${pids[@]}"
