#!/usr/bin/env bash
# The power-loss test: the crash test's rounds (tests/crash.rs: a child posts payments, with a
# backup and a customer import among them) with the database on LazyFS, a FUSE file system that
# keeps its own page cache and drops every write not yet fsynced when told. Each round the child
# is frozen, LazyFS drops the unsynced writes, and the child is killed: a power cut. After each
# round the database must open, pass `PRAGMA integrity_check`, hold every payment the child saw
# committed exactly once, have gap-free receipt numbers and balances that reconcile, and every
# backup the child saw written must be whole (src/bin/hall/crash.rs does the rounds and checks).
#
#   bash scripts/test-power-loss.sh [LAZYFS_SOURCE.tar.gz] [ROUNDS]
#
# LazyFS is built from the given source tarball (LazyFS's repository at a fixed commit; its
# build.sh or, as upstream, libs/libpcache/build.sh and lazyfs/build.sh) into target/lazyfs/,
# once; without a tarball, the build already there is used. Needs root for the Debian packages
# (g++ cmake libfuse3-dev fuse3) and /dev/fuse. Not part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source_tarball=${1:-}
rounds=${2:-120}

packages=(g++ cmake libfuse3-dev fuse3)
source scripts/debian-packages.sh
install_debian_packages "${packages[@]}"

build=target/lazyfs
lazyfs=$(find "$build" -path '*/lazyfs/build/lazyfs' -type f -perm -u+x 2>/dev/null | head -n 1 || true)
if [ -n "$source_tarball" ]; then
  rm -rf "$build" && mkdir -p "$build"
  tar -xzf "$source_tarball" -C "$build"
  top=$(find "$build" -mindepth 1 -maxdepth 1 -type d | head -n 1)
  echo "building LazyFS in $top"
  if [ -f "$top/build.sh" ]; then
    sh "$top/build.sh"
  else
    (cd "$top/libs/libpcache" && ./build.sh) && (cd "$top/lazyfs" && ./build.sh)
  fi
  lazyfs="$top/lazyfs/build/lazyfs"
fi
if [ ! -x "${lazyfs:-}" ]; then
  echo "no LazyFS build in $build: pass its source tarball, e.g. bash $0 lazyfs.tar.gz" >&2
  exit 1
fi

cargo build --locked -p hall
hall=$PWD/target/debug/hall

work=$(mktemp -d /tmp/hall-power-loss.XXXXXX)
mkdir "$work/disk" "$work/mnt"
cat >"$work/lazyfs.toml" <<EOF
[faults]
fifo_path="$work/faults.fifo"
fifo_path_completed="$work/done.fifo"
[cache]
apply_eviction=false
[cache.simple]
custom_size="512mb"
blocks_per_page=1
[filesystem]
log_all_operations=false
logfile=""
EOF
"$lazyfs" "$work/mnt" --config-path "$work/lazyfs.toml" -o modules=subdir -o "subdir=$work/disk" -f >"$work/lazyfs.log" 2>&1 &
lazyfs_pid=$!
cleanup() {
  fusermount3 -u "$work/mnt" 2>/dev/null || true
  kill "$lazyfs_pid" 2>/dev/null || true
  wait "$lazyfs_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do
  mountpoint -q "$work/mnt" && [ -p "$work/faults.fifo" ] && break
  sleep 0.1
done
mountpoint -q "$work/mnt" || { cat "$work/lazyfs.log" >&2; echo "LazyFS did not mount" >&2; exit 1; }

db=$work/mnt/hall.db
"$hall" --db "$db" demo --customers 60 --history 60 >/dev/null

# That the cuts are real: a write never synced is gone after one, a synced one stays. LazyFS
# answers on done.fifo once a reader has it open; this one stays open until the end.
exec 3<"$work/done.fifo"
printf 'never synced' >"$work/mnt/unsynced"
printf 'synced' | dd of="$work/mnt/synced" conv=fsync status=none
echo lazyfs::clear-cache >"$work/faults.fifo"
read -r answer <&3
if [ "$answer" != "finished::clear-cache" ] || [ -s "$work/mnt/unsynced" ] || [ "$(cat "$work/mnt/synced")" != synced ]; then
  echo "LazyFS does not drop unsynced writes as expected (answer: $answer)" >&2
  exit 1
fi
rm "$work/mnt/unsynced" "$work/mnt/synced"

cut=(--power-cut "$work/faults.fifo" --power-cut-done "$work/done.fifo")

# The control: a child that commits without syncing must lose payments it reported, and the checks
# must say so. (Its own database: what it leaves may be damaged.)
control=$work/mnt/control.db
"$hall" --db "$control" demo --customers 60 --history 60 >/dev/null
if "$hall" --db "$control" crash-test --rounds 20 --unsynced "${cut[@]}" >"$work/control.log" 2>&1; then
  cat "$work/control.log" >&2
  echo "the control passed: the power cuts or the checks do not catch unsynced commits" >&2
  exit 1
fi
echo "control (commits not synced) caught: $(tail -n 1 "$work/control.log")"

"$hall" --db "$db" crash-test --rounds "$rounds" "${cut[@]}"
echo "power-loss test passed: $rounds power cuts on LazyFS"
