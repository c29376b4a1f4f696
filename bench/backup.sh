#!/usr/bin/env bash
# Backup, check, restore and the move to PostgreSQL, timed on one synthetic store, each
# beside the database's own tool on the same data in the same run:
#   orgca backup         vs  sqlite3 .backup of the same file (a raw page copy, no checks)
#   orgca backup verify  (no peer: nothing else reads the archive)
#   orgca restore        vs  gunzip + tar of the same archive (unpacking alone)
#   orgca store copy     vs  pg_dump | psql of the copy into another empty database
# Prints a Markdown table.
#
#   bash bench/backup.sh                      # CERTS=100000
#   CERTS=20000 bash bench/backup.sh          # quick look
#
# The store is made by `orgca init` and filled with `orgca-bench search-fill` (bench-only
# rows). Needs sqlite3 and, for the copy, PostgreSQL at ORGCA_TEST_POSTGRES_URL
# (default postgres://postgres@127.0.0.1:5432/test) with psql and pg_dump.
set -euo pipefail
cd "$(dirname "$0")/.."
CERTS="${CERTS:-100000}"
PG="${ORGCA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
OUT="$(mktemp -d)"
DBS=()
cleanup() {
  for db in "${DBS[@]}"; do psql -q "$PG" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$OUT"
}
trap cleanup EXIT
cargo build --quiet --release -p orgca -p orgca-bench
O=$PWD/target/release/orgca
B=$PWD/target/release/orgca-bench
export ORGCA_KEY_PASSPHRASE=bench-passphrase
D="$OUT/data"
$O --data "$D" init --local-trial >/dev/null
$B search-fill --db "sqlite://$D/orgca.db" --orgs 100 --certs "$CERTS" --big $((CERTS / 5)) \
  --sample "$OUT/sample.json" >/dev/null 2>&1
secs() { python3 -c 'import sys,time; t=time.monotonic(); import subprocess; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); print(f"{time.monotonic()-t:.2f}")' "$@"; }
size() { stat -c %s "$1"; }

t_backup=$(secs "$O" --data "$D" backup --out "$OUT/b.tar.gz")
t_sqlite=$(secs sqlite3 "$D/orgca.db" ".backup '$OUT/raw.db'")
t_verify=$(secs "$O" backup verify "$OUT/b.tar.gz")
t_restore=$(secs "$O" --data "$OUT/restored" restore --from "$OUT/b.tar.gz")
mkdir "$OUT/untar"
t_untar=$(secs tar -xzf "$OUT/b.tar.gz" -C "$OUT/untar")
row() { printf '| %s | %s s | %s | %s s | %s |\n' "$1" "$2" "$3" "$4" "$(python3 -c "print(f'{$2/$4:.2f}x')")"; }
echo
echo "store: $CERTS certificates in 100 organisations; database $(size "$D/orgca.db") bytes, archive $(size "$OUT/b.tar.gz") bytes"
echo
echo "| work | orgca | peer | peer time | orgca / peer |"
echo "|---|---|---|---|---|"
row "backup (snapshot, table digests, archive written and read back)" "$t_backup" "sqlite3 .backup" "$t_sqlite"
printf '| backup verify | %s s | (none) | | |\n' "$t_verify"
row "restore (unpack, check, audit verify)" "$t_restore" "tar -xzf" "$t_untar"
if psql -q "$PG" -c "SELECT 1" >/dev/null 2>&1; then
  base="${PG%/*}"; a="orgca_bench_copy_$$"; b="orgca_bench_dump_$$"
  DBS+=("$a" "$b")
  psql -q "$PG" -c "CREATE DATABASE $a" && psql -q "$PG" -c "CREATE DATABASE $b"
  t_copy=$(secs "$O" --data "$D" store copy --to "$base/$a")
  t_dump=$(secs bash -c "pg_dump '$base/$a' | psql -q '$base/$b'")
  row "store copy SQLite to PostgreSQL (checked)" "$t_copy" "pg_dump piped to psql" "$t_dump"
fi
