#!/usr/bin/env bash
# Search and export at scale, on SQLite and on PostgreSQL: a store made by `orgca init`
# is filled with 1,000,000 synthetic certificate records in 1,000 organisations (the
# first holds 100,000; bench-only rows, `orgca-bench search-fill`), then `orgca serve`
# answers:
#   - searches through the HTTP API, one keep-alive connection, one at a time
#     (bench/search_latency.py): p50/p99 per kind of query, in the big organisation
#     and in a typical one; the same client against nginx `return 200` is the floor;
#   - the CSV export of the big organisation (100,000 rows): rows/s and the server's
#     peak RSS, beside the database's own CSV dump of the same rows and columns
#     (sqlite3 -csv / psql \copy) as the peer.
#
#   bash bench/search.sh                              # both backends, ~15 minutes
#   BACKENDS=sqlite CERTS=200000 BIG=20000 bash bench/search.sh   # quick look
# Needs nginx for the floor: bash ../shared/bench-peers/00-install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BACKENDS="${BACKENDS:-sqlite postgres}"; ORGS="${ORGS:-1000}"; CERTS="${CERTS:-1000000}"
BIG="${BIG:-100000}"; N="${N:-300}"; RUNS="${RUNS:-3}"; PORT="${PORT:-18444}"
PG="${PG:-postgres://postgres@127.0.0.1:5432}"
OUT="$(mktemp -d)"; PGDB="orgca_bench_search_$$"
cleanup() {
  [ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null
  [ -n "${NPID:-}" ] && kill -QUIT "$NPID" 2>/dev/null
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" 2>/dev/null || true
  rm -rf "$OUT"
}
trap cleanup EXIT
cargo build --quiet --release -p orgca -p orgca-bench
O="$PWD/target/release/orgca"; B="$PWD/target/release/orgca-bench"
wait_port() { for _ in $(seq 1 200); do [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ] && return; sleep 0.1; done; exit 1; }
hwm() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# serve signs OCSP answers ahead when it starts (here at most 10,000: `[ocsp]
# signed_ahead_max`, so that the server's memory is search's and export's, not a million
# OCSP answers'); measure once it is idle (under 5% of a core over 2 s).
wait_idle() {
  for _ in $(seq 1 300); do
    a=$(cpu "$1"); sleep 2; b=$(cpu "$1")
    if [ $((b - a)) -lt 10 ]; then return 0; fi
  done
  echo "serve did not become idle in 10 minutes" >&2; exit 1
}
# The columns orgca exports, from the same rows, for the database's own CSV dump.
COLS="c.id, c.kind, c.name, c.subject_uuid, c.serial, c.status, c.not_before, c.not_after, c.email,
  p.contact_name, p.contact_email, u.email, c.block_reason, c.revoked_at,
  (SELECT r.id FROM certificates r WHERE r.renews = c.id ORDER BY r.created_at DESC LIMIT 1), c.created_at"
FROM="FROM certificates c LEFT JOIN profiles p ON p.id = c.subject_uuid LEFT JOIN users u ON u.id = c.subject_uuid
  WHERE c.org_id = (SELECT id FROM organisations WHERE cvr = '10000000') ORDER BY c.created_at DESC, c.id DESC"
for backend in $BACKENDS; do
  D="$OUT/$backend"; unset ORGCA_DATABASE_URL
  if [ "$backend" = postgres ]; then
    psql -q "$PG/postgres" -c "CREATE DATABASE $PGDB"
    export ORGCA_DATABASE_URL="$PG/$PGDB"; URL="$ORGCA_DATABASE_URL"
  else
    URL="sqlite://$D/orgca.db"
  fi
  $O init --data "$D" --local-trial >/dev/null 2>&1
  sed -i 's/^signed_ahead_max = .*/signed_ahead_max = 10000/' "$D/config.toml"
  grep -q '^signed_ahead_max = 10000$' "$D/config.toml"
  /usr/bin/time -f "fill: %e s, peak %M KiB" $B search-fill --db "$URL" --orgs "$ORGS" --certs "$CERTS" --big "$BIG" \
    --sample "$OUT/sample-$backend.json" 2>&1 | grep -v "^organisation" >&2
  TB=$($O token create --data "$D" --user admin@o0.bench.dk --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  TS=$($O token create --data "$D" --user "admin@o$((ORGS / 2)).bench.dk" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  $O serve --data "$D" --listen "127.0.0.1:$PORT" >"$OUT/serve-$backend.log" 2>&1 &
  SPID=$!; wait_port "$PORT"; wait_idle "$SPID"
  python3 bench/search_latency.py --port "$PORT" --sample "$OUT/sample-$backend.json" \
    --token-big "$TB" --token-small "$TS" --n "$N" --label "$backend" >>"$OUT/latency-$backend.jsonl"
  # The plans of the query shapes search relies on (values from the sample).
  read -r ORG U E S < <(python3 - "$OUT/sample-$backend.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["big"]
print(s["org_id"], s["uuids"][0], s["emails"][0], s["serials"][0])
PY
)
  PLAN_SQL=$(cat <<SQL
-- exact subject UUID
SELECT c.id FROM certificates c WHERE c.org_id = '$ORG' AND c.subject_uuid = '$U' ORDER BY c.created_at DESC, c.id DESC LIMIT 50;
-- exact serial
SELECT c.id FROM certificates c WHERE c.org_id = '$ORG' AND c.serial = '$S' ORDER BY c.created_at DESC, c.id DESC LIMIT 50;
-- exact e-mail (the certificate's, or a person's by id)
SELECT c.id FROM certificates c WHERE c.org_id = '$ORG' AND (c.email_key = '$E' OR c.subject_uuid IN ('$U')) ORDER BY c.created_at DESC, c.id DESC LIMIT 50;
-- one word (the start of a word)
SELECT c.id FROM certificates c WHERE c.org_id = '$ORG' AND (c.id IN (SELECT certificate_id FROM certificate_words WHERE org_id = '$ORG' AND word >= 'webshop' AND word < 'webshoq')) ORDER BY c.created_at DESC, c.id DESC LIMIT 50;
-- the newest page, and the next one by cursor
SELECT c.id FROM certificates c WHERE c.org_id = '$ORG' AND (c.created_at, c.id) < (1795000000, 'f') ORDER BY c.created_at DESC, c.id DESC LIMIT 50;
-- active, soonest expiry first
SELECT c.id FROM certificates c WHERE c.org_id = '$ORG' AND c.status = 'active' AND c.not_after >= 1795000000 ORDER BY c.not_after ASC, c.id ASC LIMIT 50;
-- the directory
SELECT c.id FROM certificates c WHERE c.email_key = '$E' AND c.status = 'active' AND c.not_before <= 1795000000 AND c.not_after >= 1795000000 ORDER BY c.not_after DESC, c.id LIMIT 20;
SQL
)
  if [ "$backend" = postgres ]; then
    while IFS= read -r q; do
      case "$q" in --*) echo "$q";; "") ;; *) psql -qAt "$URL" -c "EXPLAIN $q" | sed 's/^/    /';; esac
    done <<<"$PLAN_SQL" >"$OUT/plans-$backend.txt"
  else
    while IFS= read -r q; do
      case "$q" in --*) echo "$q";; "") ;; *) sqlite3 "$D/orgca.db" "EXPLAIN QUERY PLAN $q" | sed 's/^/    /';; esac
    done <<<"$PLAN_SQL" >"$OUT/plans-$backend.txt"
  fi
  # Peak RSS from here on: the kernel's high-water mark is reset to the current RSS.
  echo 5 >"/proc/$SPID/clear_refs"
  before=$(awk '/VmRSS/ {print $2}' "/proc/$SPID/status")
  for r in $(seq 1 "$RUNS"); do
    curl -sS -o "$OUT/export.csv" -w '%{time_total}\n' -H "Authorization: Bearer $TB" \
      "http://127.0.0.1:$PORT/api/v1/certificates/export.csv" >>"$OUT/export-$backend.txt"
  done
  rows=$(($(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))))' "$OUT/export.csv") - 1))
  echo "$rows $before $(hwm "$SPID")" >"$OUT/export-$backend.rows"
  kill "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=
  for r in $(seq 1 "$RUNS"); do
    if [ "$backend" = postgres ]; then
      /usr/bin/time -f "%e" -a -o "$OUT/peer-$backend.txt" psql -q "$URL" -c "\\copy (SELECT $COLS $FROM) TO '$OUT/peer.csv' CSV HEADER"
    else
      /usr/bin/time -f "%e" -a -o "$OUT/peer-$backend.txt" sqlite3 -csv -header "$D/orgca.db" "SELECT $COLS $FROM" >"$OUT/peer.csv"
    fi
  done
  if [ "$backend" = postgres ]; then
    psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)"
  fi
  rm -rf "$D"
done
# The client's floor: nginx answering `return 200` to the same client.
if command -v nginx >/dev/null; then
  F="$OUT/nginx"; mkdir -p "$F/logs"
  cat >"$F/nginx.conf" <<NGX
worker_processes 1; daemon off; pid $F/nginx.pid; error_log $F/logs/error.log warn;
events { worker_connections 64; }
http { access_log off; keepalive_requests 1000000; client_body_temp_path $F/body;
  server { listen 127.0.0.1:$PORT; location / { default_type application/json; return 200 '{"items":[]}'; } } }
NGX
  nginx -p "$F" -c "$F/nginx.conf" & NPID=$!; wait_port "$PORT"
  python3 bench/search_latency.py --port "$PORT" --floor --n "$N" >"$OUT/floor.jsonl"
  kill -QUIT "$NPID"; wait "$NPID" 2>/dev/null || true; NPID=
fi
for b in $BACKENDS; do echo "Plans, $b:"; cat "$OUT/plans-$b.txt"; echo; done
python3 - "$OUT" "$BACKENDS" <<'PY'
import json, os, statistics, sys
out, backends = sys.argv[1], sys.argv[2].split()
floor = None
if os.path.exists(os.path.join(out, "floor.jsonl")):
    floor = json.loads(open(os.path.join(out, "floor.jsonl")).read())
    print(f"client floor (nginx return 200, same client): p50 {floor['p50_ms']:.3f} ms, p99 {floor['p99_ms']:.3f} ms\n")
print("| backend | organisation | query | p50, ms | p99, ms | target p99 |")
print("|---|---|---|---|---|---|")
for b in backends:
    for line in open(os.path.join(out, f"latency-{b}.jsonl")):
        r = json.loads(line)
        target = "10 ms" if r["what"] in ("uuid", "serial", "email") else "50 ms"
        print(f"| {b} | {r['org']} ({r['certificates']:,}) | {r['what']} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {target} |")
print()
print("| backend | rows | orgca export, s | rows/s | server RSS before / peak during the exports, MiB | database's own CSV dump, s | ratio |")
print("|---|---|---|---|---|---|---|")
for b in backends:
    t = [float(x) for x in open(os.path.join(out, f"export-{b}.txt")).read().split()]
    rows, before, peak = (int(x) for x in open(os.path.join(out, f"export-{b}.rows")).read().split())
    p = [float(x) for x in open(os.path.join(out, f"peer-{b}.txt")).read().split()]
    m, pm = statistics.median(t), statistics.median(p)
    print(f"| {b} | {rows:,} | {m:.3f} ({min(t):.3f}..{max(t):.3f}) | {rows/m:,.0f} | {before/1024:.0f} / {peak/1024:.0f} | {pm:.3f} ({min(p):.3f}..{max(p):.3f}) | {pm/m:.2f}x the dump's speed |")
PY
