#!/usr/bin/env bash
# Schemathesis (PyPI) against the served OpenAPI description: a throwaway head office
# (`hall-hq sandbox`), one enrolled workstation whose credential and the protocol header go with
# every request, then the conformance checks: no 5xx, documented status codes and content types,
# every response body matching its schema, 405 for methods the description does not list.
#
#   bash head-office/schemathesis.sh [HALL_HQ_BINARY] [MAX_EXAMPLES]
#
# Schemathesis is installed into target/schemathesis-venv (git-ignored) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
hq=${1:-${CARGO_TARGET_DIR:-target}/debug/hall-hq}
examples=${2:-100}
venv="${CARGO_TARGET_DIR:-target}/schemathesis-venv"
[ -x "$venv/bin/schemathesis" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check schemathesis==4.32.5; }

work=$(mktemp -d)
# Closing the sandbox's stdin (fd 3 below) is its orderly stop: the server, then its PostgreSQL.
trap 'exec 3>&-; wait "$sandbox" 2>/dev/null || true; rm -rf "$work"' EXIT
mkfifo "$work/stdin"
"$hq" sandbox < "$work/stdin" > "$work/sandbox.json" &
sandbox=$!
exec 3> "$work/stdin" # keeps the sandbox's stdin open until this script ends
for _ in $(seq 50); do [ -s "$work/sandbox.json" ] && break; sleep 0.2; done
field() { python3 -c "import json,sys; print(json.load(open('$work/sandbox.json'))['$1'])"; }
url=$(field url) ca=$(field ca_pem_path)
export HALL_HQ_DATABASE_URL=$(field database_url)

"$hq" outlet add 3301 schemathesis --areas A1 >/dev/null
code=$("$hq" workstation add --outlet 3301 --counter 1)
key=$(python3 -c "import base64,os; print(base64.b64encode(bytes.fromhex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')).decode())")
credential=$(curl -sf --cacert "$ca" -H 'hall-protocol: 1' -H 'content-type: application/json' \
  -d "{\"code\":\"$code\",\"workstation_id\":\"$(python3 -c 'import uuid; print(uuid.uuid4())')\",\"epoch\":1,\"receipt_public_key\":\"$key\",\"hostname\":\"st\",\"app_version\":\"st\"}" \
  "$url/v1/enrol" | python3 -c "import json,sys; print(json.load(sys.stdin)['credential'])")

"$venv/bin/schemathesis" run "$url/v1/openapi.json" \
  -H "Authorization: Bearer $credential" -H "hall-protocol: 1" --tls-verify "$ca" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,unsupported_method \
  --max-examples "$examples"
