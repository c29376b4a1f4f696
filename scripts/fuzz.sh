#!/usr/bin/env bash
# Fuzzes every parser of outside input with cargo-fuzz (libFuzzer, AddressSanitizer):
# the CSR, the OCSP request, the PDF of the signing service, the search text, the list
# cursor and the configuration file. The targets' bodies are in crates/fuzzing.
#
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  default 300; CI runs 15
#   TARGET              default all of fuzz/fuzz_targets/
#
# - Installs what it needs when missing: the nightly toolchain (rustup) and cargo-fuzz
#   (crates.io, into target/tools).
# - Each target starts from its seeds (fuzz/seeds/TARGET) and what earlier runs on this
#   machine found (target/fuzz-corpus/TARGET, rebuilt when gone).
# - An input that makes a target fail is copied to fuzz/regressions/TARGET/, which
#   `cargo test -p orgca-fuzzing` replays from then on; the script then exits 1. Fix the
#   bug, keep the input, commit both.
# - Prints, per target, the inputs tried and the corpus size.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
shift || true
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in fuzz/fuzz_targets/*.rs; do targets+=("$(basename "$f" .rs)"); done
fi

if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
tools="$PWD/target/tools"
if [ ! -x "$tools/bin/cargo-fuzz" ]; then
  cargo install --quiet --locked --root "$tools" cargo-fuzz --version 0.13.1
fi
export PATH="$tools/bin:$PATH"

cd fuzz
mkdir -p ../target/fuzz-artifacts
if ! cargo +nightly fuzz build --release --debug-assertions >../target/fuzz-artifacts/build.log 2>&1; then
  tail -n 40 ../target/fuzz-artifacts/build.log >&2
  echo "the fuzz targets do not build (log: target/fuzz-artifacts/build.log)" >&2
  exit 1
fi
failed=()
printf '%-14s %12s %8s %s\n' target inputs corpus outcome
for t in "${targets[@]}"; do
  corpus="../target/fuzz-corpus/$t"
  artifacts="../target/fuzz-artifacts/$t"
  rm -rf "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  log="../target/fuzz-artifacts/$t.log"
  if cargo +nightly fuzz run --release --debug-assertions "$t" "$corpus" "seeds/$t" -- \
      -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1; then
    outcome=ok
  else
    outcome="FAILED (log: target/fuzz-artifacts/$t.log)"
    failed+=("$t")
    mkdir -p "regressions/$t"
    for a in "$artifacts"/*; do
      [ -f "$a" ] && cp "$a" "regressions/$t/" && outcome="$outcome, kept fuzz/regressions/$t/$(basename "$a")"
    done
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  printf '%-14s %12s %8s %s\n' "$t" "$runs" "$(ls "$corpus" | wc -l)" "$outcome"
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzzing found failures in: ${failed[*]}" >&2
  exit 1
fi
