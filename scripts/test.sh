#!/usr/bin/env bash
# Runs orgca's whole test suite on this machine.
#
# - Installs pkilint with pip when it is missing (the interop tests lint what orgca
#   issues with it; without it they say so and skip only the lint step, unless
#   ORGCA_REQUIRE_PKILINT is set, as in CI).
# - Installs the signature checkers when missing: pyHanko (pip), Poppler's pdfsig, qpdf
#   and NSS's certutil, and SoftHSM2 with OpenSC's pkcs11-tool for the PKCS#11 keys
#   (Debian). Without them the signing tests skip those checks,
#   unless ORGCA_REQUIRE_SIGNING_TOOLS is set, as in CI.
# - Installs Chromium (Debian) and the browser test packages (npm ci) when missing.
# - Installs openapi-python-client in target/client-generator and schemathesis in
#   target/schemathesis (virtual environments) when missing: the test of a client
#   generated from the OpenAPI document, and a bounded schemathesis run.
# - Runs the store tests on PostgreSQL too, and every end-to-end test a second time with
#   PostgreSQL as orgca's store, when ORGCA_TEST_POSTGRES_URL is set or a server answers
#   at 127.0.0.1:5432 (then database `test`, user postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v lint_pkix_cert >/dev/null 2>&1; then
  python3 -m pip install --quiet "pkilint==0.13.3" || echo "note: pkilint could not be installed; lint steps will be skipped" >&2
fi
if ! command -v pyhanko >/dev/null 2>&1; then
  python3 -m pip install --quiet "pyhanko==0.38.0" "pyhanko-cli==0.6.0" \
    || echo "note: pyHanko could not be installed; its checks will be skipped" >&2
fi
# The integrator test builds a client from the OpenAPI document with openapi-python-client,
# and a bounded schemathesis run drives the API: each tool in a virtual environment of its
# own under target/ (made again when missing), so that its dependencies meet no other's.
# venv_tool NAME COMMAND PACKAGE...: prints the environment's folder.
venv_tool() {
  local venv="$PWD/target/$1"
  if [ ! -x "$venv/bin/$2" ]; then
    { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet "${@:3}"; } >&2 \
      || echo "note: ${*:3} could not be installed; the tests that need it will be skipped" >&2
  fi
  echo "$venv"
}
ORGCA_CLIENT_GENERATOR_VENV=$(venv_tool client-generator openapi-python-client "openapi-python-client==0.29.1")
ORGCA_SCHEMATHESIS_VENV=$(venv_tool schemathesis schemathesis "schemathesis==4.32.5")
# The SCIM test checks the service with scim2-tester and provisions with scim2-cli.
ORGCA_SCIM_VENV=$(venv_tool scim scim2 "scim2-tester==0.5.2" "scim2-cli==0.6.0")
export ORGCA_CLIENT_GENERATOR_VENV ORGCA_SCHEMATHESIS_VENV ORGCA_SCIM_VENV
# The browser tests drive Debian's Chromium with playwright-core (never a downloaded
# browser); without them the portal's browser test fails unless ORGCA_SKIP_BROWSER_TESTS
# is set.
# Only what is missing: a machine may have Node.js from elsewhere, whose npm conflicts
# with Debian's npm package (asking for both would fail the whole install).
need=()
command -v pdfsig >/dev/null 2>&1 || need+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
command -v certutil >/dev/null 2>&1 || need+=(libnss3-tools)
command -v keytool >/dev/null 2>&1 || need+=(default-jre-headless)
[ -e /usr/lib/softhsm/libsofthsm2.so ] || need+=(softhsm2)
command -v pkcs11-tool >/dev/null 2>&1 || need+=(opensc)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ "${#need[@]}" -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null \
    || echo "note: ${need[*]} could not be installed" >&2
fi
if [ ! -d tests/browser/node_modules/playwright-core ] && command -v npm >/dev/null 2>&1; then
  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error \
    || echo "note: the browser test packages could not be installed" >&2
fi
if [ -z "${ORGCA_TEST_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null 2>&1 \
   && pg_isready -q -h 127.0.0.1 -p 5432; then
  export ORGCA_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/test"
fi
echo "PostgreSQL for tests: ${ORGCA_TEST_POSTGRES_URL:-none (SQLite only)}" >&2
log="$(mktemp)"
# Tests that skip a check (a tool or PostgreSQL missing here) write a line here.
export ORGCA_SKIP_LOG="$(mktemp)"
trap 'rm -f "$log" "$ORGCA_SKIP_LOG"' EXIT
set +e
cargo test --workspace --locked "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The end-to-end tests (API, portal, CRL, OCSP, signing through the real binary) once more
# with PostgreSQL as the store, when one is there and the whole suite was asked for.
if [ -n "${ORGCA_TEST_POSTGRES_URL:-}" ] && [ "$#" -eq 0 ]; then
  echo "end-to-end tests again, on PostgreSQL" >&2
  ORGCA_E2E_BACKEND=postgres cargo test -p orgca --test e2e --locked 2>&1 | tee -a "$log"
  pg_status=${PIPESTATUS[0]}
  [ "$status" -ne 0 ] || status=$pg_status
fi
set -e
# What was skipped, and by which test.
if [ -s "$ORGCA_SKIP_LOG" ]; then
  echo "skipped checks (test, what):" >&2
  sort -u "$ORGCA_SKIP_LOG" | sed 's/^/  /' >&2
fi
# One closing line over every test binary (cargo prints one result line per binary); a
# test that skipped a check counts as skipped, not passed.
skipping="$(cut -f1 "$ORGCA_SKIP_LOG" | sort -u | grep -c . || true)"
awk -v k="$skipping" '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p - k, f, s + k }' "$log"
exit "$status"
