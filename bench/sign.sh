#!/usr/bin/env bash
# The signing service through the HTTP API (release build, SQLite, software keys):
#   - a 100 KB PDF signed as PAdES and a 1 KB file signed as CAdES, each N times, one
#     client at a time (latency) and C clients at once (signatures per second), by
#     bench/sign_latency.py on keep-alive connections;
#   - where the time goes inside orgca (key generation, certificate, document), from the
#     server's own orgca_signing_seconds summaries in /metrics;
#   - with software keys (memory) and, when SoftHSM2 is installed, with keys on a
#     PKCS#11 token (SoftHSM2, the same config a QSCD would get);
#   - peers in the same run: `openssl cms -sign` of the same 1 KB file and pyHanko's
#     PAdES signature of the same PDF (each one process per signature, as a user runs
#     them), and `openssl speed` for the raw P-256 and RSA-3072 signature costs.
#
#   bash bench/sign.sh            # N=500 C=2, about 2 minutes after the build
set -euo pipefail
cd "$(dirname "$0")/.."
N="${N:-500}"; C="${C:-2}"; PORT="${PORT:-18446}"; PEER_RUNS="${PEER_RUNS:-20}"
OUT="$(mktemp -d)"
cleanup() { [ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null; rm -rf "$OUT"; }
trap cleanup EXIT
cargo build --quiet --release -p orgca
O="$PWD/target/release/orgca"
D="$OUT/data"
"$O" init --public-base-url http://pki.example.dk --data "$D" >/dev/null 2>&1
"$O" --data "$D" org create --cvr 31000015 --name "Bench ApS" --test >/dev/null
"$O" --data "$D" user create --org 31000015 --email ane@bench.example.dk \
  --given-name Ane --surname Ørsted --role user >/dev/null
TOKEN="$("$O" --data "$D" --json token create --user ane@bench.example.dk \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
python3 scripts/sample_pdf.py "$OUT/doc.pdf" 100000
head -c 1024 /dev/urandom >"$OUT/doc.bin"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
echo "document sizes: pdf $(stat -c %s "$OUT/doc.pdf") bytes, cades $(stat -c %s "$OUT/doc.bin") bytes"

start_serve() {
  [ -n "${SPID:-}" ] && { kill "$SPID"; wait "$SPID" 2>/dev/null || true; }
  "$O" --data "$D" serve --listen "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
  SPID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
}

split() {
  curl -s "http://127.0.0.1:$PORT/metrics" | awk '
    /^orgca_signing_seconds\{step="[a-z]+",quantile="0.5"\}/ {
      match($0, /step="[a-z]+"/); s = substr($0, RSTART + 6, RLENGTH - 7); printf "  %s p50 %.3f ms\n", s, 1000 * $2 }'
}
run_formats() {
  for fmt in pades cades; do
    file="$OUT/doc.pdf"; [ "$fmt" = cades ] && file="$OUT/doc.bin"
    # A fresh server per format, so that the split is this format's alone.
    start_serve
    echo "== orgca $fmt, $1 keys"
    python3 bench/sign_latency.py "127.0.0.1:$PORT" "$TOKEN" "$fmt" "$file" "$N" 1
    python3 bench/sign_latency.py "127.0.0.1:$PORT" "$TOKEN" "$fmt" "$file" "$N" "$C"
    echo " inside orgca (server summaries, both runs):"
    split
  done
}
run_formats software
SOFTHSM=/usr/lib/softhsm/libsofthsm2.so
if [ -e "$SOFTHSM" ] && command -v softhsm2-util >/dev/null 2>&1; then
  mkdir -p "$OUT/tokens"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$OUT/tokens" >"$OUT/softhsm2.conf"
  export SOFTHSM2_CONF="$OUT/softhsm2.conf" ORGCA_PKCS11_PIN=1234
  softhsm2-util --init-token --free --label orgca-bench --pin 1234 --so-pin 12345678 >/dev/null
  sed -i "s|^qscd = false|qscd = true\npkcs11_module = \"$SOFTHSM\"\npkcs11_token = \"orgca-bench\"|" "$D/config.toml"
  run_formats "SoftHSM2 (PKCS#11)"
fi

echo "== peers, one process per signature ($PEER_RUNS each)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=Peer Signer" \
  -days 1 -keyout "$OUT/peer.key" -out "$OUT/peer.pem" -addext keyUsage=critical,nonRepudiation 2>/dev/null
ms_per() { python3 -c "import sys; print('%.1f ms per signature' % (1000 * float(sys.argv[1]) / int(sys.argv[2])))" "$1" "$2"; }
t0=$(date +%s.%N)
for _ in $(seq 1 "$PEER_RUNS"); do
  openssl cms -sign -binary -in "$OUT/doc.bin" -signer "$OUT/peer.pem" -inkey "$OUT/peer.key" \
    -outform DER -out "$OUT/peer.p7s" -md sha256
done
t1=$(date +%s.%N)
echo "openssl cms -sign (1 KB, detached, key and certificate from files): $(ms_per "$(echo "$t1 - $t0" | bc)" "$PEER_RUNS")"
if command -v pyhanko >/dev/null 2>&1; then
  t0=$(date +%s.%N)
  for i in $(seq 1 "$PEER_RUNS"); do
    pyhanko sign addsig --field "Sig$i" --use-pades pemder --key "$OUT/peer.key" \
      --cert "$OUT/peer.pem" --no-pass "$OUT/doc.pdf" "$OUT/peer.pdf" >/dev/null 2>&1
  done
  t1=$(date +%s.%N)
  echo "pyhanko sign addsig --use-pades (100 KB PDF): $(ms_per "$(echo "$t1 - $t0" | bc)" "$PEER_RUNS")"
fi
echo "openssl speed (one core, raw signatures):"
openssl speed -seconds 2 ecdsap256 rsa3072 2>/dev/null | awk '/^rsa 3072|^ *256 bits ecdsa/ {print "  " $0}'
