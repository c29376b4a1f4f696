#!/usr/bin/env bash
# The crash campaign, long: `orgca serve` killed with SIGKILL KILLS times at random
# moments under load, on SQLite and then on PostgreSQL (when one answers at
# 127.0.0.1:5432), each run checking that nothing a client was told of is lost (see
# crates/orgca/tests/e2e/crash.rs). CI runs the same test with 3 kills.
#
#   KILLS=50 SEED=7 bash scripts/crash_campaign.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export ORGCA_CRASH_KILLS="${KILLS:-50}" ORGCA_CRASH_SEED="${SEED:-20261207}"
run() { cargo test --quiet -p orgca --test e2e -- crash:: --nocapture 2>&1 | grep -E "crash campaign|test result|panicked|lost"; }
echo "== SQLite"
ORGCA_E2E_BACKEND=sqlite run
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "== PostgreSQL"
  ORGCA_E2E_BACKEND=postgres ORGCA_TEST_POSTGRES_URL="${ORGCA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}" run
fi
