#!/usr/bin/env bash
# Sets up and starts the workstation. With a display it starts the desktop app, whose database
# lives in the platform's app-data directory and is created with the demo outlet on first start.
# Without a display it serves the same UI at http://127.0.0.1:8765 (the thin-client mode).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

npm --prefix ui run build
cargo build --locked --release -p hall-desktop -p hall

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec target/release/hall-desktop
fi
export HALL_DB="${HALL_DB:-${XDG_DATA_HOME:-$HOME/.local/share}/hall/hall.db}"
mkdir -p "$(dirname "$HALL_DB")"
[ -f "$HALL_DB" ] || target/release/hall demo
echo "no display: serving the counter in the browser mode"
exec target/release/hall serve --ui ui/dist --port "${HALL_PORT:-8765}"
