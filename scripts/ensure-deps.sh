#!/usr/bin/env bash
# Installs what is missing, and only that: npm packages (npm ci, never the Electron
# binary download), and Debian packages the chosen run needs.
#   --e2e        Debian chromium for Playwright (never a downloaded browser)
#   --postgres   a PostgreSQL server for the central suite's server path
set -euo pipefail
cd "$(dirname "$0")/.."
want_e2e=0; want_pg=0
for arg in "$@"; do
  case "$arg" in --e2e) want_e2e=1 ;; --postgres) want_pg=1 ;; esac
done

export ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

apt_pkgs=()
# node-hid loads libusb at run time even when no device is attached.
ldconfig -p 2>/dev/null | grep -q 'libusb-1.0.so.0' || apt_pkgs+=(libusb-1.0-0)
if [ "$want_e2e" = 1 ] && [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then apt_pkgs+=(chromium); fi
if [ "$want_pg" = 1 ] && [ -z "${DATABASE_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then apt_pkgs+=(postgresql); fi

if [ "${#apt_pkgs[@]}" -gt 0 ]; then
  echo "== installing Debian packages: ${apt_pkgs[*]}"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}"
fi
