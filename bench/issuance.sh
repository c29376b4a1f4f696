#!/usr/bin/env bash
# Issuance speed, as ratios measured in one run: orgca's signing backend beside
# `openssl speed` (one core and two), the CA core (build TBS, lint, sign, self-check,
# PEM), and the whole `orgca cert issue` code path with its durable commit on SQLite and
# PostgreSQL. Prints a Markdown table of medians (min..max) and ratios.
#
#   bash bench/issuance.sh                 # RUNS=3 SECS=3, about 3 minutes
#   RUNS=1 SECS=1 bash bench/issuance.sh   # quick look
#
# PostgreSQL: ORGCA_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test);
# each run uses a scratch database created and dropped here. Set it to "none" to skip.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-3}"; SECS="${SECS:-3}"; INFLIGHT="${INFLIGHT:-64}"
PG="${ORGCA_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
cargo build --quiet --release -p orgca-bench
B=target/release/orgca-bench
openssl req -new -newkey rsa:3072 -nodes -keyout "$OUT/k.pem" -subj "/CN=bench" -out "$OUT/req.csr" 2>/dev/null

for run in $(seq 1 "$RUNS"); do
  echo "run $run/$RUNS" >&2
  openssl speed -seconds "$SECS" -mr rsa3072 ecdsap256 >"$OUT/ossl-1-$run.log" 2>&1
  openssl speed -seconds "$SECS" -mr -multi 2 rsa3072 ecdsap256 >"$OUT/ossl-2-$run.log" 2>&1
  for t in 1 2; do
    $B --threads "$t" --seconds "$SECS" sign --alg rsa3072-pss >>"$OUT/orgca.jsonl"
    $B --threads "$t" --seconds "$SECS" sign --alg p256 >>"$OUT/orgca.jsonl"
  done
  $B --threads 2 --seconds "$SECS" core >>"$OUT/orgca.jsonl"
  $B --threads "$INFLIGHT" --seconds "$SECS" store --db sqlite >>"$OUT/orgca.jsonl"
  $B --threads "$INFLIGHT" --seconds "$SECS" issue --db sqlite --csr "$OUT/req.csr" >>"$OUT/orgca.jsonl"
  if [ "$PG" != none ]; then
    for mode in store issue; do
      db="orgca_bench_$$_${run}_$mode"
      psql "$PG" -qc "CREATE DATABASE $db"
      extra=(); [ "$mode" = issue ] && extra=(--csr "$OUT/req.csr")
      $B --threads "$INFLIGHT" --seconds "$SECS" "$mode" --db "${PG%/*}/$db" "${extra[@]}" >>"$OUT/orgca.jsonl"
      psql "$PG" -qc "DROP DATABASE $db WITH (FORCE)"
    done
  fi
done

python3 - "$OUT" <<'PY'
import glob, json, os, statistics, sys
out = sys.argv[1]
def ossl(mode):
    vals = {"rsa3072": [], "ecdsap256": []}
    for p in glob.glob(os.path.join(out, f"ossl-{mode}-*.log")):
        for line in open(p):
            f = line.strip().split(":")
            if f[0] == "+F2" and f[2] == "3072": vals["rsa3072"].append(float(f[3]))
            if f[0] == "+F4" and f[2] == "256": vals["ecdsap256"].append(float(f[3]))
    return vals
o1, o2 = ossl("1"), ossl("2")
rows = {}
for line in open(os.path.join(out, "orgca.jsonl")):
    r = json.loads(line)
    rows.setdefault((r["what"], r["threads"]), []).append(r["per_second"])
def med(v): return statistics.median(v) if v else float("nan")
def cell(v): return f"{med(v):,.0f} ({min(v):,.0f}..{max(v):,.0f})" if v else "n/a"
print(f"| measurement | per second, median (min..max), {len(o1['rsa3072'])} runs | ratio |")
print("|---|---|---|")
print(f"| openssl speed rsa3072 sign, 1 core | {cell(o1['rsa3072'])} | 1.00 |")
r1 = rows.get(("sign-rsa3072-pss", 1), [])
print(f"| orgca RSA-3072-PSS sign, 1 thread | {cell(r1)} | {med(r1)/med(o1['rsa3072']):.2f}x openssl |")
print(f"| openssl speed rsa3072 sign, -multi 2 | {cell(o2['rsa3072'])} | 1.00 |")
r2 = rows.get(("sign-rsa3072-pss", 2), [])
print(f"| orgca RSA-3072-PSS sign, 2 threads | {cell(r2)} | {med(r2)/med(o2['rsa3072']):.2f}x openssl |")
print(f"| openssl speed ecdsap256 sign, 1 core | {cell(o1['ecdsap256'])} | 1.00 |")
e1 = rows.get(("sign-ecdsa-p256", 1), [])
print(f"| orgca ECDSA P-256 sign, 1 thread | {cell(e1)} | {med(e1)/med(o1['ecdsap256']):.2f}x openssl |")
print(f"| openssl speed ecdsap256 sign, -multi 2 | {cell(o2['ecdsap256'])} | 1.00 |")
e2 = rows.get(("sign-ecdsa-p256", 2), [])
print(f"| orgca ECDSA P-256 sign, 2 threads | {cell(e2)} | {med(e2)/med(o2['ecdsap256']):.2f}x openssl |")
for key, label in [(("ca-core-rsa3072-pss", 2), "CA core (build, lint, sign, check, PEM), 2 threads")]:
    v = rows.get(key, [])
    print(f"| {label} | {cell(v)} | {med(v)/med(r2):.2f}x orgca raw 2-thread sign; {med(v)/med(o2['rsa3072']):.2f}x openssl -multi 2 |")
for (what, t), v in sorted(rows.items()):
    if what.startswith("store-"):
        print(f"| store alone (reserve + commit with audit event, no signing), {what[6:]}, {t} in flight | {cell(v)} | ceiling of the store |")
for (what, t), v in sorted(rows.items()):
    if what.startswith("issue-"):
        print(f"| cert issue path + durable commit, {what[6:]}, {t} in flight | {cell(v)} | {med(v)/med(r2):.2f}x orgca raw 2-thread sign; {med(v)/med(o2['rsa3072']):.2f}x openssl -multi 2 |")
PY
