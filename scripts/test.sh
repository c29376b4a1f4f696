#!/usr/bin/env bash
# Runs orgca's whole test suite on this machine.
#
# - Installs pkilint with pip when it is missing (the interop tests lint what orgca
#   issues with it; without it they say so and skip only the lint step, unless
#   ORGCA_REQUIRE_PKILINT is set, as in CI).
# - Runs the store and end-to-end tests on PostgreSQL too when ORGCA_TEST_POSTGRES_URL is
#   set, or when a server answers at 127.0.0.1:5432 (then database `test`, user postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v lint_pkix_cert >/dev/null 2>&1; then
  python3 -m pip install --quiet "pkilint==0.13.3" || echo "note: pkilint could not be installed; lint steps will be skipped" >&2
fi
if [ -z "${ORGCA_TEST_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null 2>&1 \
   && pg_isready -q -h 127.0.0.1 -p 5432; then
  export ORGCA_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/test"
fi
echo "PostgreSQL for tests: ${ORGCA_TEST_POSTGRES_URL:-none (SQLite only)}" >&2
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace --locked "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line over every test binary (cargo prints one result line per binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
