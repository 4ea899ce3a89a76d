#!/usr/bin/env bash
# Sets up what the tests need and runs every test: the core (unit, integration, property), the
# UI units (Vitest), the UI in Chromium against `hall serve` (Playwright), and the desktop binary
# under Xvfb (tauri-driver + WebKitWebDriver). Receipts print through a private CUPS server that
# tests/printing.rs starts. Used by the README and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-test-tools
export PATH="$HOME/.cargo/bin:$PATH"

# The core, on real SQLite files. This also regenerates the UI's TypeScript types.
cargo test --locked -p hall --all-targets

# The generated TypeScript types must be committed as generated.
if ! git diff --quiet -- ui/src/api/generated || [ -n "$(git ls-files --others --exclude-standard ui/src/api/generated)" ]; then
  echo "ui/src/api/generated is out of date: run 'cargo test' and commit the result" >&2
  git status --short ui/src/api/generated >&2
  exit 1
fi

npm --prefix ui test
npm --prefix ui run build
# The desktop shell embeds ui/dist, so it is built after the UI.
cargo build --locked -p hall-desktop

node --test ui/e2e/browser.test.mjs ui/e2e/cashday.test.mjs ui/e2e/operation.test.mjs
xvfb-run -a -s "-screen 0 1366x768x24" node --test ui/e2e/desktop.test.mjs
