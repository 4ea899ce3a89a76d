#!/usr/bin/env bash
# The desktop benchmark (issue 3), not part of the tests: release builds of the workstation and of
# a bare Tauri window, the .deb, a database of 1,000,000 demo customers, then
# ui/bench/desktop.bench.mjs under Xvfb. Prints `name: value` lines ending with
# startup_ratio_vs_bare, idle_rss_mb, deb_mb, keystroke_p95_ms.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-test-tools
export PATH="$HOME/.cargo/bin:$PATH"

npm --prefix ui run build
cargo build --locked --release -p hall -p hall-desktop -p bare-window
(cd src-tauri && npx --prefix ../ui tauri build --bundles deb >/dev/null)
deb=$(ls -t target/release/bundle/deb/*.deb | head -n 1)
deb_mb=$(awk "BEGIN { printf \"%.1f\", $(stat -c %s "$deb") / 1048576 }")

customers="${CUSTOMERS:-1000000}"
db="${BENCH_DB:-$(mktemp -d)/bench.db}"
if [ ! -f "$db" ]; then
  target/release/hall --db "$db" demo --customers "$customers" >/dev/null
fi
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
echo "customers: $customers"
echo "deb_file: $(basename "$deb")"
HALL_DB="$db" DEB_MB="$deb_mb" xvfb-run -a -s "-screen 0 1366x768x24" node ui/bench/desktop.bench.mjs
