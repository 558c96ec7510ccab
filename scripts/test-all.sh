#!/usr/bin/env bash
# `npm test`: installs what is missing, then runs every test suite of the project in order.
# A failing step does not stop the later ones (so one run shows everything that is wrong), except that
# setup must succeed and steps that need pkg/ are skipped when the build failed.
# Each step is time-limited; the run ends with "steps: N passed, N failed[, N skipped]" and exits 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export DENO_NO_UPDATE_CHECK=1
STEP_TIMEOUT="${STEP_TIMEOUT:-1200}" # seconds per step

passed=()
failed=()
skipped=()

# step NAME COMMAND...: run it under the time limit and record the outcome.
step() {
  local name=$1
  shift
  printf '\n===== %s: %s\n' "$name" "$*"
  local started=$SECONDS
  if timeout --kill-after=15 "$STEP_TIMEOUT" "$@"; then
    passed+=("$name")
    printf '===== %s: ok (%ss)\n' "$name" $((SECONDS - started))
  else
    local code=$?
    failed+=("$name")
    printf '===== %s: FAILED with exit code %s (%ss)\n' "$name" "$code" $((SECONDS - started))
  fi
}

# needs_pkg NAME COMMAND...: a step that tests the built package.
needs_pkg() {
  if [ "$build_ok" = yes ]; then step "$@"; else skipped+=("$1"); printf '\n===== %s: skipped (the build failed)\n' "$1"; fi
}

# wasm-bindgen-test: the cargo runner for wasm32 executes the .wasm test binaries in Node (default)
# or, with WASM_BINDGEN_USE_BROWSER=1, in headless Chromium driven by chromedriver.
wasm_test=(env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner WASM_BINDGEN_TEST_TIMEOUT=120)

step setup bash scripts/setup.sh
if [ ${#failed[@]} -gt 0 ]; then
  echo "setup failed; nothing else can run" >&2
  exit 1
fi

step "cargo fmt" cargo fmt --check
# House rule (issue 17): no library function over 80 lines, Rust or JavaScript.
step "function length" node scripts/function-length.mjs
step "cargo test" cargo test
step "cargo clippy" cargo clippy --all-targets -- -D warnings
# The wasm-bindgen boundary (src/ffi/) only compiles for wasm32, so lint that target too.
step "cargo clippy wasm32" cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings
# The website tag's collector (src/browser/agent.rs) only compiles for wasm32 with the browser feature.
step "cargo clippy wasm32 browser" cargo clippy --lib --target wasm32-unknown-unknown --no-default-features \
  --features browser,terse-errors -- -D warnings
# The tag's full model validator (src/ffi/validate.rs, loaded by the tag only for a model its reader rejects).
step "cargo clippy wasm32 validator" cargo clippy --lib --target wasm32-unknown-unknown --no-default-features \
  --features validator -- -D warnings
# The tag's build of the core (event errors name the field only, the model reader says "rejected"): its unit
# tests, natively.
step "cargo test tag core" cargo test --lib --no-default-features --features browser,terse-errors

# Each fuzz target briefly, from the committed seeds (long campaigns: bash scripts/fuzz.sh 600).
step "fuzz smoke" bash scripts/fuzz.sh 10

step "build pkg" node scripts/build.mjs
build_ok=no
[[ " ${failed[*]} " == *" build pkg "* ]] || build_ok=yes

needs_pkg "node tests" node --test tests/js/*.test.mjs
needs_pkg "deno tests" env NO_COLOR=1 node_modules/.bin/deno test --allow-read --no-lock tests/deno/
needs_pkg "workerd tests" node --test tests/workerd/*.test.mjs
needs_pkg "edge tests" node --test tests/edge/*.test.mjs
needs_pkg "typescript types" node_modules/.bin/tsc -p tests/types
step "wasm-bindgen-test node" "${wasm_test[@]}" cargo test --target wasm32-unknown-unknown
step "wasm-bindgen-test chromium" "${wasm_test[@]}" WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/scripts/webdriver.json" cargo test --target wasm32-unknown-unknown
needs_pkg "demo page" node --test tests/www/*.test.mjs
# The website tag (pkg/browser/) in Chromium against the demo server, its outbox in Node, its weight.
needs_pkg "website tag" node --test tests/snippet/*.test.mjs
needs_pkg "packaging" node --test tests/pack/*.test.mjs
# Next.js (and, with LEADSCORE_FRAMEWORKS=all, the other frameworks) built from the packed tarball with their own CLIs;
# npm installs are cached in ~/.cache/leadscore-frameworks/ (docs/frameworks/README.md).
needs_pkg "frameworks" node --test --test-concurrency=1 tests/frameworks/*.test.mjs

printf '\n===== summary\n'
for name in "${passed[@]}"; do echo "  ok       $name"; done
for name in "${failed[@]}"; do echo "  FAILED   $name"; done
for name in "${skipped[@]}"; do echo "  skipped  $name"; done
summary="steps: ${#passed[@]} passed, ${#failed[@]} failed"
[ ${#skipped[@]} -eq 0 ] || summary+=", ${#skipped[@]} skipped"
echo "$summary"
[ ${#failed[@]} -eq 0 ] && [ ${#skipped[@]} -eq 0 ]
