#!/usr/bin/env bash
# CRL build time, as ratios measured in one run: orgca builds and signs the CRL of an
# issuing CA (RSA-3072-PSS) from its store, beside `openssl ca -gencrl` over as many
# entries (../shared/bench-peers/03-openssl-crl.sh, P-256 CA). Prints a Markdown table.
#
#   bash bench/crl.sh                          # SIZES="100000 1000000" RUNS=3, ~6 minutes
#   SIZES=100000 RUNS=1 bash bench/crl.sh      # quick look
#
# The store is filled with bench-only rows (orgca-store's `bench` feature, never in a
# shipped binary). Needs the peer tools: bash ../shared/bench-peers/00-install.sh
# (hyperfine and GNU time are enough for this script).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES="${SIZES:-100000 1000000}"; RUNS="${RUNS:-3}"
PEERS="${PEERS:-../shared/bench-peers}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
cargo build --quiet --release -p orgca-bench
B=target/release/orgca-bench
for n in $SIZES; do
  mkdir -p "$OUT/$n"
  $B crl --dir "$OUT/$n" --fill "$n"
  $B --threads "$RUNS" crl --dir "$OUT/$n" >>"$OUT/orgca.jsonl"
  rm -rf "$OUT/$n"
done
WORK="$OUT/peers" SIZES="$SIZES" RUNS="$RUNS" bash "$PEERS/03-openssl-crl.sh" >"$OUT/peer.log" 2>&1 \
  || { cat "$OUT/peer.log" >&2; exit 1; }
python3 - "$OUT" <<'PY'
import json, os, re, statistics, sys
out = sys.argv[1]
ours = {}
for line in open(os.path.join(out, "orgca.jsonl")):
    r = json.loads(line)
    ours.setdefault(r["entries"], []).append(r)
peer = {}
for line in open(os.path.join(out, "peers", "crl", "summary.txt")):
    m = re.match(r"openssl ca -gencrl (\d+)\s.*peak RSS (\d+) KiB", line)
    if not m: continue
    n = int(m.group(1))
    j = json.load(open(os.path.join(out, "peers", "crl", str(n), "gencrl.json")))
    t = j["results"][0]["times"]
    peer[n] = (statistics.median(t), min(t), max(t), int(m.group(2)))
print("| entries | orgca build + sign from the store, s | orgca CRL bytes | orgca peak RSS, MiB | openssl ca -gencrl, s | openssl peak RSS, MiB | ratio |")
print("|---|---|---|---|---|---|---|")
for n in sorted(ours):
    t = [r["seconds"] for r in ours[n]]
    med = statistics.median(t)
    rss = max(r["peak_rss_kib"] for r in ours[n]) / 1024
    p = peer.get(n)
    ps = f"{p[0]:.2f} ({p[1]:.2f}..{p[2]:.2f})" if p else "-"
    prss = f"{p[3]/1024:.0f}" if p else "-"
    ratio = f"{p[0]/med:.1f}x faster" if p else "-"
    print(f"| {n:,} | {med:.3f} ({min(t):.3f}..{max(t):.3f}) | {ours[n][0]['der_bytes']:,} | {rss:.0f} | {ps} | {prss} | {ratio} |")
PY
