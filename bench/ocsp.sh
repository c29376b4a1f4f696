#!/usr/bin/env bash
# OCSP throughput, as ratios measured in one run: orgca's responder (answers signed
# ahead, P-256 responder key) under wrk (1 thread, 8 connections, keep-alive) and ab
# (8 connections, no keep-alive), beside the peers' scripts run right after with the same
# client settings: nginx answering a static 200 (the HTTP floor of the box,
# ../shared/bench-peers/07-http-floor.sh) and `openssl ocsp -port` signing every answer
# with a P-256 key (04-openssl-ocsp.sh, CASES=p256:2:8).
#
#   bash bench/ocsp.sh                 # RUNS=3 DUR=10, about 6 minutes
# Needs the peer tools: bash ../shared/bench-peers/00-install.sh (wrk, ab, nginx-light).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-3}"; DUR="${DUR:-10}"; PORT="${PORT:-18443}"
PEERS="$(cd "${PEERS:-../shared/bench-peers}" && pwd)"
OUT="$(mktemp -d)"
cleanup() { [ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null; rm -rf "$OUT"; }
trap cleanup EXIT
cargo build --quiet --release -p orgca
O=target/release/orgca
D="$OUT/data"
$O init --data "$D" --public-base-url http://pki.orgca-bench.dk >/dev/null 2>&1
$O org create --data "$D" --cvr 99999999 --name "Testorganisation nr. 99999999" --test >/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$OUT/k.pem" -subj /CN=x -out "$OUT/r.csr" 2>/dev/null
$O cert issue --data "$D" --org 99999999 --kind system --name Bench --csr "$OUT/r.csr" >"$OUT/leaf.pem"
$O ca cert test-issuing-1 --data "$D" >"$OUT/issuing.pem"
$O ca cert test-root --data "$D" >"$OUT/root.pem"
$O serve --data "$D" --listen "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
SPID=$!
for _ in $(seq 1 100); do [ -n "$(ss -Hltn "sport = :$PORT" 2>/dev/null)" ] && break; sleep 0.1; done
sleep 3   # answers are signed ahead within a second of start
openssl ocsp -issuer "$OUT/issuing.pem" -cert "$OUT/leaf.pem" -no_nonce -reqout "$OUT/req.der" >/dev/null
check=$(openssl ocsp -issuer "$OUT/issuing.pem" -cert "$OUT/leaf.pem" -CAfile "$OUT/root.pem" -no_nonce \
  -url "http://127.0.0.1:$PORT/ocsp" 2>&1)
grep -q ": good" <<<"$check" && grep -q "Response verify OK" <<<"$check" || { echo "$check" >&2; exit 1; }
for r in $(seq 1 "$RUNS"); do
  OCSP_REQ="$OUT/req.der" timeout $((DUR + 15)) wrk -t1 -c8 -d"${DUR}s" -s "$PEERS/ocsp-post.lua" \
    "http://127.0.0.1:$PORT/ocsp" >"$OUT/wrk-$r.txt" 2>&1 || true
  timeout $((DUR + 15)) ab -q -c 8 -t "$DUR" -n 100000000 -p "$OUT/req.der" -T application/ocsp-request \
    "http://127.0.0.1:$PORT/ocsp" >"$OUT/ab-$r.txt" 2>&1 || true
done
kill "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=
grep -h "non200" "$OUT"/wrk-*.txt | grep -v "non200: 0" && { echo "orgca answered non-200" >&2; exit 1; }
WORK="$OUT/peers" RUNS="$RUNS" DUR="$DUR" bash "$PEERS/07-http-floor.sh" >"$OUT/floor.log" 2>&1
WORK="$OUT/peers" RUNS="$RUNS" DUR="$DUR" CASES="p256:2:8" bash "$PEERS/04-openssl-ocsp.sh" >"$OUT/openssl.log" 2>&1
WORK="$OUT/peers" source "$PEERS/lib.sh"
printf 'orgca /ocsp, answers signed ahead, conns=8 wrk keep-alive: '; summarize_wrk "$OUT"/wrk-*.txt
printf 'orgca /ocsp, answers signed ahead, conns=8 ab no keep-alive: '; summarize_ab "$OUT"/ab-*.txt
cat "$OUT/peers/http-floor/summary.txt" "$OUT/peers/ocsp-openssl/summary.txt"
