#!/usr/bin/env bash
# Sets up and starts the workstation: builds `hall`, creates a demo database when none exists,
# and opens the counter on the terminal (`hall shell`). Set HALL_DB to use another database.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v cc >/dev/null || need+=(build-essential)
command -v pkg-config >/dev/null || need+=(pkg-config)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

cargo build --locked --release --bin hall
hall=target/release/hall
export HALL_DB="${HALL_DB:-${XDG_DATA_HOME:-$HOME/.local/share}/hall/hall.db}"
mkdir -p "$(dirname "$HALL_DB")"
if [ ! -f "$HALL_DB" ]; then
  "$hall" demo
fi
"$hall" status
exec "$hall" shell
