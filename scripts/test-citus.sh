#!/usr/bin/env bash
# The head office on a real Citus cluster: a coordinator and two workers on loopback, the schema
# distributed by outlet (`hall-hq migrate --citus`, head-office/citus/), the head-office sync
# suite run against it, and a check that rows of different outlets landed on different workers.
#
#   bash scripts/test-citus.sh [CITUS_SOURCE.tar.gz] [-- CARGO_TEST_ARGS…]
#
# Citus is built from the source tarball (default ../shared/vendor/citus-12.1.12.tar.gz next to
# the project) against Debian's PostgreSQL 15 and installed into it, unless a citus.so for
# PostgreSQL 15 is installed already. Production installs Citus from its own packages; this
# build is for tests only. Needs root (apt-get, make install); the cluster runs as user postgres
# in a temporary directory and is stopped and removed on exit. Not part of scripts/test.sh.
# The suite is `cargo test -p head-office` (CITUS_SUITE replaces `-p head-office`, e.g.
# "-p head-office -p hall --test sync_e2e"); arguments after `--` go to cargo test.
# CITUS_BUILD_ONLY=1 stops after Citus is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# ../shared/vendor next to the project; from a git worktree, next to its main checkout.
default_tarball=$root/../shared/vendor/citus-12.1.12.tar.gz
if [ ! -f "$default_tarball" ] && common=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null); then
  default_tarball=$(dirname "$common")/../shared/vendor/citus-12.1.12.tar.gz
fi
source_tarball=$default_tarball
if [[ ${1:-} == *.tar.gz || ${1:-} == *.tgz ]]; then source_tarball=$1; shift; fi
[ "${1:-}" = "--" ] && shift # the rest goes to `cargo test` (e.g. a test name filter)
pg_bin=/usr/lib/postgresql/15/bin
started=$(date +%s)

packages=(postgresql-15 postgresql-server-dev-15 build-essential liblz4-dev libzstd-dev
  libkrb5-dev libselinux1-dev libxslt1-dev libpam0g-dev libreadline-dev libssl-dev)
# shellcheck source=scripts/debian-packages.sh
source scripts/debian-packages.sh
install_debian_packages "${packages[@]}"

# --- Citus: build and install unless PostgreSQL 15 already has it ------------------------------
pg_libdir=$("$pg_bin/pg_config" --pkglibdir)
if [ -f "$pg_libdir/citus.so" ]; then
  echo "citus: using the installed $pg_libdir/citus.so"
else
  if [ ! -f "$source_tarball" ]; then
    echo "no Citus installed and no source tarball at $source_tarball: pass one, e.g. bash $0 citus-12.1.12.tar.gz" >&2
    exit 1
  fi
  build=$(mktemp -d /tmp/citus-build.XXXXXX)
  echo "citus: building $source_tarball in $build (nice, make -j1)"
  tar -xzf "$source_tarball" -C "$build"
  src=$(find "$build" -mindepth 1 -maxdepth 1 -type d | head -n 1)
  (
    cd "$src"
    # Citus 12.1 supports PostgreSQL 14-16; libcurl is only for its anonymous statistics.
    nice -n 19 ./configure --without-libcurl PG_CONFIG="$pg_bin/pg_config" >"$build/configure.log"
    nice -n 19 make -j1 >"$build/make.log" 2>&1 || { tail -n 40 "$build/make.log" >&2; exit 1; }
    make install >"$build/install.log" 2>&1 || { tail -n 40 "$build/install.log" >&2; exit 1; }
  )
  rm -rf "$build"
  echo "citus: installed $pg_libdir/citus.so after $(($(date +%s) - started)) s"
fi
[ -n "${CITUS_BUILD_ONLY:-}" ] && exit 0

# --- the head office's binary and tests, built first so the cluster is not kept waiting ---------
cargo=${CARGO:-cargo}
target_dir=${CARGO_TARGET_DIR:-$root/target}
$cargo build --locked -p head-office --bin hall-hq
# The suite: the head-office package's tests, or the packages and tests CITUS_SUITE names (e.g.
# "-p head-office -p hall --test sync_e2e": anything built on head_office::testing runs on the cluster).
suite=${CITUS_SUITE:--p head-office}
# shellcheck disable=SC2086
$cargo test --locked $suite --no-run
hall_hq=$target_dir/debug/hall-hq

# --- a coordinator and two workers on loopback, in a temporary directory -----------------------
work=$(mktemp -d /tmp/hq-citus.XXXXXX)
chown postgres: "$work"
nodes=(coordinator worker1 worker2)
declare -A port
for node in "${nodes[@]}"; do
  port[$node]=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
done
as_pg() { runuser -u postgres -- "$@"; }
stop_cluster() {
  local status=$?
  set +e # every step of the clean-up runs, whatever fails before it
  for node in "${nodes[@]}"; do
    if [ -f "$work/$node/postmaster.pid" ]; then
      as_pg "$pg_bin/pg_ctl" -D "$work/$node" -m immediate stop >/dev/null 2>&1 || true
    fi
  done
  if [ $status -ne 0 ]; then
    for node in "${nodes[@]}"; do
      if [ -f "$work/$node.log" ]; then
        echo "--- $node.log (errors)" >&2
        grep -E -A1 'ERROR|FATAL|PANIC' "$work/$node.log" | tail -n 20 >&2
      fi
    done
  fi
  rm -rf "$work"
  exit $status
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM

for node in "${nodes[@]}"; do
  as_pg "$pg_bin/initdb" -D "$work/$node" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$work/$node/postgresql.conf" <<CONF
shared_preload_libraries = 'citus'
listen_addresses = '127.0.0.1'
port = ${port[$node]}
unix_socket_directories = '$work'
max_connections = 400
max_prepared_transactions = 400
fsync = off
synchronous_commit = off
full_page_writes = off
citus.log_remote_commands = off
CONF
  as_pg "$pg_bin/pg_ctl" -D "$work/$node" -l "$work/$node.log" -w start >/dev/null
done
psql_on() { local node=$1 db=$2; shift 2; as_pg "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${port[$node]}" -U postgres -d "$db" "$@"; }

# A database is a Citus database when it exists on every node with the extension, and the
# coordinator knows itself and its workers (pg_dist_node is per database).
citus_database() {
  local db=$1
  for node in "${nodes[@]}"; do
    psql_on "$node" postgres -c "CREATE DATABASE $db"
    psql_on "$node" "$db" -c "CREATE EXTENSION citus"
  done
  psql_on coordinator "$db" -c "SELECT citus_set_coordinator_host('127.0.0.1', ${port[coordinator]})" >/dev/null
  for node in worker1 worker2; do
    psql_on coordinator "$db" -c "SELECT citus_add_node('127.0.0.1', ${port[$node]})" >/dev/null
  done
}
citus_database hq
echo "cluster: coordinator 127.0.0.1:${port[coordinator]}, workers 127.0.0.1:${port[worker1]} and 127.0.0.1:${port[worker2]} (Citus $(psql_on coordinator hq -Atc "SELECT extversion FROM pg_extension WHERE extname = 'citus'"))"

coordinator_url="postgres://postgres@127.0.0.1:${port[coordinator]}"
layout() {
  psql_on coordinator hq -Atc "SELECT count(*) FILTER (WHERE citus_table_type = 'distributed') || ' distributed, '
    || count(*) FILTER (WHERE citus_table_type = 'reference') || ' reference tables, '
    || (SELECT count(*) FROM pg_dist_shard) || ' shards, co-location groups '
    || (SELECT string_agg(DISTINCT colocation_id::text, ',') FROM citus_tables WHERE citus_table_type = 'distributed')
    FROM citus_tables"
}
migrate_started=$(date +%s)
HALL_HQ_DATABASE_URL="$coordinator_url/hq" "$hall_hq" migrate --citus
first=$(layout)
echo "migrate --citus: $first ($(($(date +%s) - migrate_started)) s)"
# Idempotent: a second run (every later start of an upgraded head office) changes nothing.
HALL_HQ_DATABASE_URL="$coordinator_url/hq" "$hall_hq" migrate --citus
if [ "$(layout)" != "$first" ]; then
  echo "migrate --citus: a second run changed the layout: $(layout)" >&2
  exit 1
fi

# --- the head-office suite against the cluster --------------------------------------------------
# With HQ_TEST_DATABASE_URL the harness (head_office::testing) uses that database instead of a
# cluster of its own, and each test keeps to outlets of its own (unique codes), so the tests share
# the one Citus database made above; its migrations are already applied.
suite_started=$(date +%s)
suite_status=0
# shellcheck disable=SC2086
HQ_TEST_DATABASE_URL="$coordinator_url/hq" HQ_TEST_CITUS=1 \
  $cargo test --locked --no-fail-fast $suite "$@" || suite_status=$?
echo "suite on the cluster: $(($(date +%s) - suite_started)) s, exit status $suite_status"

# --- where the rows went ------------------------------------------------------------------------
# Read after the suite from the shards themselves on the workers (run_command_on_placements):
# each outlet's rows of every distributed table sit on one worker (co-location), and different
# outlets' rows sit on different workers.
check_distribution() {
  local placements=$work/placements.txt db=hq
  psql_on coordinator "$db" -At -F'|' >"$placements" <<SQL
WITH placements AS (
    SELECT t.table_name::text AS table_name, r.nodeport, r.result
    FROM citus_tables t,
         LATERAL run_command_on_placements(t.table_name,
             \$q\$SELECT coalesce(string_agg(outlet_code || '=' || n, ','), '')
                FROM (SELECT outlet_code, count(*) AS n FROM %s GROUP BY 1) c\$q\$) r
    WHERE t.citus_table_type = 'distributed' AND r.success AND r.result <> ''
), rows AS (
    SELECT table_name, nodeport, split_part(o, '=', 1) AS outlet, split_part(o, '=', 2)::bigint AS n
    FROM placements, unnest(string_to_array(result, ',')) o
)
SELECT '$db', outlet, nodeport, sum(n), string_agg(table_name, ' ' ORDER BY table_name)
FROM rows GROUP BY outlet, nodeport ORDER BY outlet, nodeport;
SQL
  python3 - "$placements" "${port[worker1]}" "${port[worker2]}" <<'PY'
import collections, sys
path, *workers = sys.argv[1:]
name = {workers[0]: "worker1", workers[1]: "worker2"}
nodes_of = collections.defaultdict(set)
per_worker = collections.Counter()
outlets_on = collections.defaultdict(set)
for line in open(path):
    db, outlet, port, rows, tables = line.rstrip("\n").split("|")
    nodes_of[(db, outlet)].add(port)
    per_worker[port] += int(rows)
    outlets_on[port].add(outlet)
split = {k: v for k, v in nodes_of.items() if len(v) > 1}
for (db, outlet), ports in sorted(split.items()):
    print(f"distribution: outlet {outlet} has rows on {len(ports)} workers: not co-located", file=sys.stderr)
for port in workers:
    print(f"distribution: {name[port]} (:{port}) holds {per_worker[port]} rows of outlets {', '.join(sorted(outlets_on[port])) or '-'}")
print(f"distribution: {len(nodes_of)} outlets with rows, each outlet's rows of all tables on one worker: {'no' if split else 'yes'}")
if split or not all(per_worker[p] for p in workers):
    sys.exit("distribution: FAILED (rows of different outlets must land on different workers, each outlet on one)")
PY
}
# A workstation's queries name its outlet and go to one shard (Citus's router: "Task Count: 1");
# an operator's list across outlets is the deliberate fan-out to every shard.
check_routing() {
  local failed=0 sql tasks
  while IFS='|' read -r want sql; do
    tasks=$(psql_on coordinator hq -At -c "EXPLAIN $sql" | sed -n 's/.*Task Count: \([0-9]*\).*/\1/p' | head -n 1)
    if { [ "$want" = one ] && [ "${tasks:-}" != 1 ]; } || { [ "$want" = all ] && [ "${tasks:-0}" -le 1 ]; }; then
      echo "routing: expected $want shard(s), got ${tasks:-none}: $sql" >&2
      failed=1
    fi
  done <<'SQL'
one|SELECT credential_hash, revoked_at IS NOT NULL, fenced FROM workstations WHERE outlet_code = '3301' AND workstation_id = 'w1'
one|SELECT fenced FROM workstations WHERE outlet_code = '3301' AND workstation_id = 'w1' FOR UPDATE
one|SELECT e.epoch, e.seq, e.hash FROM events e JOIN unnest('{1}'::bigint[], '{1}'::bigint[]) AS k(epoch, seq) ON e.epoch = k.epoch AND e.seq = k.seq WHERE e.outlet_code = '3301' AND e.workstation_id = 'w1'
one|UPDATE outlet_heads SET head = head + 1 WHERE outlet_code = '3301'
one|SELECT pos, kind, schema, key, body FROM outlet_changes WHERE outlet_code = '3301' AND pos > 0 ORDER BY pos LIMIT 100
one|SELECT id, record FROM customers WHERE outlet_code = '3301' AND id > '' ORDER BY id LIMIT 100
one|SELECT id, record FROM bills WHERE outlet_code = '3301' AND id > '' ORDER BY id LIMIT 100
one|SELECT sum(amount_fen) FROM ledger WHERE outlet_code = '3301'
all|SELECT outlet_code, sum(amount_fen) FROM ledger GROUP BY outlet_code
SQL
  [ $failed -eq 0 ] && echo "routing: a workstation's queries go to one shard, the operators' totals to all $(psql_on coordinator hq -Atc "SELECT count(*) FROM citus_shards WHERE table_name = 'ledger'::regclass")"
  return $failed
}

# Checked even when a test failed: what did land is worth knowing.
routing_status=0
check_routing || routing_status=$?
distribution_status=0
check_distribution || distribution_status=$?
if [ $suite_status -ne 0 ] || [ $distribution_status -ne 0 ] || [ $routing_status -ne 0 ]; then
  echo "test-citus: FAILED after $(($(date +%s) - started)) s (suite $suite_status, distribution $distribution_status, routing $routing_status)" >&2
  exit 1
fi
echo "test-citus: passed in $(($(date +%s) - started)) s"
