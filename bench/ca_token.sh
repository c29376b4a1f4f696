#!/usr/bin/env bash
# CA signatures with the key on a PKCS#11 token (SoftHSM2) beside the same kind of key in
# software (aws-lc-rs), in one run, and `openssl speed` as the peer: RSA-3072 PSS
# signatures over a 1 KiB message (the size of a TBS), one thread and two. Then issuance
# (`orgca cert issue`'s whole path: CSR check, build, lint, record the serial, sign,
# commit with the audit event on SQLite, INFLIGHT at once) with the hierarchy's keys in
# files and on the token.
#
#   bash bench/ca_token.sh            # SECONDS_EACH=5, about 30 seconds after the build
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${SECONDS_EACH:-5}"
MODULE="${MODULE:-/usr/lib/softhsm/libsofthsm2.so}"
[ -e "$MODULE" ] || { echo "SoftHSM2 ($MODULE) is not installed: apt-get install softhsm2" >&2; exit 1; }
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
cargo build --quiet --release -p orgca-bench
B="$PWD/target/release/orgca-bench"
mkdir -p "$OUT/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$OUT/tokens" >"$OUT/softhsm2.conf"
export SOFTHSM2_CONF="$OUT/softhsm2.conf"
softhsm2-util --init-token --free --label bench --pin 1234 --so-pin 12345678 >/dev/null
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
echo "softhsm2: $(softhsm2-util --version)"
for t in 1 2; do
  "$B" --threads "$t" --seconds "$SECONDS_EACH" sign --alg rsa3072-pss
  ORGCA_BENCH_TOKEN_PIN=1234 "$B" --threads "$t" --seconds "$SECONDS_EACH" sign --alg rsa3072-pss \
    --pkcs11-module "$MODULE" --token bench
done
openssl req -new -newkey rsa:3072 -nodes -keyout "$OUT/k.pem" -subj "/CN=bench" -out "$OUT/req.csr" 2>/dev/null
INFLIGHT="${INFLIGHT:-64}"
"$B" --threads "$INFLIGHT" --seconds "$SECONDS_EACH" issue --db sqlite --csr "$OUT/req.csr"
ORGCA_BENCH_TOKEN_PIN=1234 "$B" --threads "$INFLIGHT" --seconds "$SECONDS_EACH" issue --db sqlite \
  --csr "$OUT/req.csr" --pkcs11-module "$MODULE" --token bench
echo "peer: openssl speed -seconds $SECONDS_EACH rsa3072 (signs/s, one process)"
openssl speed -seconds "$SECONDS_EACH" rsa3072 2>/dev/null | awk '/^rsa 3072/ {print "openssl rsa3072 sign/s: " $(NF-1)}'
