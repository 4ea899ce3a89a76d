#!/usr/bin/env bash
# Starts head office on this machine: installs PostgreSQL 15 from Debian's packages where it is
# missing, creates a cluster in a data directory (default ./head-office-data), creates the
# database, runs the migrations and starts `hall-hq serve` on it over HTTPS, with a certificate
# made by `hall-hq cert` when none is given.
#
#   bash scripts/head-office.sh [--data DIR] [--port 8443] [--pg-port 5433] [--cert PEM --key PEM]
#
# PostgreSQL runs as the user `postgres` (it refuses root) and listens only on 127.0.0.1 and a
# socket in the data directory. Stop with Ctrl+C; the cluster keeps running (stop it with
# `runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D DIR/pg stop` or re-run this script,
# which reuses it).
set -euo pipefail
cd "$(dirname "$0")/.."

data=head-office-data port=8443 pg_port=5433 cert="" key=""
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --pg-port) pg_port="$2"; shift 2 ;;
    --cert) cert="$2"; shift 2 ;;
    --key) key="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

bin=/usr/lib/postgresql/15/bin
if [ ! -x "$bin/initdb" ]; then
  source scripts/debian-packages.sh
  install_debian_packages postgresql-15
fi

mkdir -p "$data"
data=$(cd "$data" && pwd)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then
  chmod a+x "$data"
  mkdir -p "$data/pg"
  chown postgres:postgres "$data/pg"
  if ! runuser -u postgres -- test -x "$data/pg"; then
    echo "user postgres cannot reach $data/pg (a parent directory is private): choose --data elsewhere" >&2
    exit 1
  fi
fi
if [ ! -f "$data/pg/PG_VERSION" ]; then
  as_pg "$bin/initdb" -D "$data/pg" -U postgres --auth=trust -E UTF8 >/dev/null
fi
if ! as_pg "$bin/pg_ctl" -D "$data/pg" status >/dev/null 2>&1; then
  as_pg "$bin/pg_ctl" -D "$data/pg" -l "$data/pg/log" -w \
    -o "-p $pg_port -k $data/pg -c listen_addresses=127.0.0.1" start
fi
as_pg "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'hall_hq'" | grep -q 1 ||
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres hall_hq

# HALL_HQ_BIN: an already built hall-hq (otherwise a release build of this checkout).
hq=${HALL_HQ_BIN:-}
if [ -z "$hq" ]; then
  cargo build --release -p head-office --locked
  hq="${CARGO_TARGET_DIR:-target}/release/hall-hq"
fi
export HALL_HQ_DATABASE_URL="postgresql://postgres@127.0.0.1:$pg_port/hall_hq"
"$hq" migrate

if [ -z "$cert" ]; then
  cert="$data/cert.pem" key="$data/key.pem"
  [ -f "$cert" ] || "$hq" cert --cert "$cert" --key "$key" --host localhost --host 127.0.0.1 --host "$(hostname)"
  echo "self-signed certificate: $cert (its last certificate is the CA the workstations trust)"
fi
echo "head office: https://$(hostname):$port  (database $HALL_HQ_DATABASE_URL)"
echo "next: $hq outlet add 3301 西湖营业厅 --areas XH1; $hq workstation add --outlet 3301 --counter 1"
exec "$hq" serve --bind "0.0.0.0:$port" --cert "$cert" --key "$key"
