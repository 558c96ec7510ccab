#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 10: the smoke run of `npm test`; use 600
# for a real campaign), starting from the committed seeds in fuzz/seeds/<target> plus whatever
# corpus earlier runs left in fuzz/corpus/<target>. Needs the nightly toolchain and cargo-fuzz
# (scripts/setup.sh installs cargo-fuzz). Exits non-zero on any crash; the input is in fuzz/artifacts.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-10}"
targets=$(sed -n 's/^name = "\(.*\)"/\1/p' Cargo.toml | grep -v '^leadscore-fuzz$')
cargo +nightly fuzz build
for target in $targets; do
  mkdir -p "corpus/$target"
  log=$(mktemp)
  if ! cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- \
      -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz $target: CRASH (see fuzz/artifacts/$target)"
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz $target: ${runs:-?} executions in ${seconds}s, no crash"
  rm -f "$log"
done
