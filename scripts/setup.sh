#!/usr/bin/env bash
# Installs what building and testing the workstation needs, skipping what is already there:
# Debian packages (WebKitGTK for the desktop shell, Xvfb and WebKitWebDriver for its tests,
# Chromium for the browser tests, CUPS and its cups-pdf printer for printing receipts and its test,
# poppler-utils to read PDFs back, python3-venv for the test oracles, xdotool for the
# desktop test's file dialog, PostgreSQL 15 for head office's tests), tauri-driver, the UI's npm
# packages, and the Python packages the tests check published rules against (.venv).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential pkg-config file libwebkit2gtk-4.1-dev libxdo-dev libssl-dev libayatana-appindicator3-dev
  librsvg2-dev xvfb xauth webkit2gtk-driver chromium fonts-noto-cjk cups cups-client cups-bsd printer-driver-cups-pdf
  poppler-utils python3-venv xdotool postgresql-15)
source scripts/debian-packages.sh
install_debian_packages "${packages[@]}"

if [ "${1:-}" = "--with-test-tools" ] && ! command -v tauri-driver >/dev/null; then
  cargo install tauri-driver --locked
fi

# The UI's packages exactly as locked: `npm ci` never rewrites the lockfile (which holds every
# platform's Tauri CLI package, so it is the same on every machine). The e2e tools come from the npm
# registry too; no browser is downloaded (Chromium is Debian's).
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  npm ci --prefix ui --no-audit --no-fund
fi

# The test oracles at their pinned versions, in the repository's own git-ignored virtual
# environment; the stamp is the list they were installed from.
if ! cmp -s scripts/oracles.txt .venv/oracles.txt; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/oracles.txt
  cp scripts/oracles.txt .venv/oracles.txt
fi
