#!/usr/bin/env bash
# Sets up what the tests need, checks that setup left the working tree clean, and runs every check
# and test: rustfmt, ESLint and the UI's type check, Clippy on the whole workspace, the core (unit,
# integration, property, the crash test), the UI units (Vitest), the UI in Chromium against
# `hall serve` (Playwright), and the desktop binary under Xvfb (tauri-driver + WebKitWebDriver).
# Receipts print through a private CUPS server that tests/printing.rs starts. Used by the README
# and by .ci/run. The power-loss test (scripts/test-power-loss.sh, on LazyFS) is separate.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-test-tools
export PATH="$HOME/.cargo/bin:$PATH"

# Setup installs exactly what is locked and writes only git-ignored files: a fresh clone stays clean.
clean_tree() {
  if [ -n "$(git status --porcelain)" ]; then
    echo "the working tree is not clean $1 (commit or ignore these):" >&2
    git status --short >&2
    exit 1
  fi
}
clean_tree "after setup"

# The static checks first, so that they fail fast: the house style, the UI's linter and type check
# (in its build), Clippy on the whole workspace (after the UI build: the desktop shell embeds
# ui/dist).
cargo fmt --all --check
npm --prefix ui run lint
npm --prefix ui run build
cargo clippy --workspace --all-targets --locked -- -D warnings

# The Rust tests that check published rules run these Python oracles.
export HALL_PYTHON="$PWD/.venv/bin/python"

# The core, on real SQLite files (this also regenerates the UI's TypeScript types); head office on
# a real PostgreSQL each test starts from Debian's binaries (and regenerates the console's types);
# real workstations syncing with it over HTTPS on loopback (crates/sync-e2e).
cargo test --locked -p hall -p hall-domain -p hall-protocol -p head-office -p hall-sync-e2e --all-targets

# The generated TypeScript types must be committed as generated (the UI above was built with them).
if ! git diff --quiet -- ui/src/api/generated || [ -n "$(git ls-files --others --exclude-standard ui/src/api/generated)" ]; then
  echo "ui/src/api/generated is out of date: run 'cargo test' and commit the result" >&2
  git status --short ui/src/api/generated >&2
  exit 1
fi

# The same for the console's types.
if ! git diff --quiet -- ui/src/console/generated || [ -n "$(git ls-files --others --exclude-standard ui/src/console/generated)" ]; then
  echo "ui/src/console/generated is out of date: run 'cargo test -p head-office' and commit the result" >&2
  git status --short ui/src/console/generated >&2
  exit 1
fi

npm --prefix ui test
cargo build --locked -p hall-desktop
cargo build --locked -p head-office --bin hall-hq
# Schemathesis (PyPI, pinned) against head office's served OpenAPI description: no 5xx, every
# response as described.
bash head-office/schemathesis.sh target/debug/hall-hq 50

node --test ui/e2e/browser.test.mjs ui/e2e/cashday.test.mjs ui/e2e/people.test.mjs ui/e2e/closed_day.test.mjs ui/e2e/operation.test.mjs ui/e2e/applications.test.mjs ui/e2e/service.test.mjs \
  ui/e2e/sync.test.mjs ui/e2e/sync_enrolled.test.mjs ui/e2e/console.test.mjs
xvfb-run -a -s "-screen 0 1366x768x24" node --test ui/e2e/desktop.test.mjs
# Nor do the tests leave anything behind outside the git-ignored test-artifacts/ and target/.
clean_tree "after the tests"
