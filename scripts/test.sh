#!/usr/bin/env bash
# Sets up what the tests need and runs every test. Used by the README and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: a C compiler for SQLite's bundled build. Installed only when missing.
need=()
command -v cc >/dev/null || need+=(build-essential)
command -v pkg-config >/dev/null || need+=(pkg-config)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# The core: unit, integration and property tests on real SQLite files. This also regenerates the
# UI's TypeScript types from the Rust types.
cargo test --locked --all-targets

# The generated TypeScript types must be committed as generated.
if ! git diff --quiet -- ui/src/api/generated || [ -n "$(git ls-files --others --exclude-standard ui/src/api/generated)" ]; then
  echo "ui/src/api/generated is out of date: run 'cargo test' and commit the result" >&2
  git status --short ui/src/api/generated >&2
  exit 1
fi
