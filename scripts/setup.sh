#!/usr/bin/env bash
# Installs what a fresh machine of this project's kind lacks; safe to run again (each step checks first).
# Needs: rustup/cargo, node/npm, apt-get (as root) for Chromium, and the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== setup: %s\n' "$*"; }

log "rust target wasm32-unknown-unknown"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "already installed"
else
  rustup target add wasm32-unknown-unknown
fi

# The CLI must match the wasm-bindgen crate exactly; Cargo.lock says which one that is.
# (No Cargo.lock yet, e.g. the crate was never built: resolve one without building.)
[ -f Cargo.lock ] || cargo generate-lockfile
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$bindgen_version" ]; then
  echo "setup: no wasm-bindgen package in Cargo.lock" >&2
  exit 1
fi
log "wasm-bindgen-cli $bindgen_version"
if [ "$(wasm-bindgen --version 2>/dev/null || true)" = "wasm-bindgen $bindgen_version" ]; then
  echo "already installed"
else
  # No --locked: one of the CLI's locked dependencies is missing from the registry mirror here.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

log "nightly toolchain: cargo-fuzz (fuzz smoke runs), rust-src (the website tag)"
if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
# rust-src: the website tag's wasm is built with std rebuilt for the immediate-abort panic strategy
# (scripts/build-browser.mjs).
if rustup component list --toolchain nightly --installed | grep -q '^rust-src'; then
  echo "rust-src already installed"
else
  rustup component add rust-src --toolchain nightly
fi
if cargo fuzz --version >/dev/null 2>&1; then
  echo "already installed"
else
  cargo install cargo-fuzz --version 0.13.2
fi

log "chromium + chromedriver (headless browser tests)"
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  echo "already installed"
else
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y chromium chromium-driver
fi

log "firefox-esr, WebKitWebDriver + MiniBrowser, Xvfb (the website tag's tests in Firefox and WebKit)"
if [ -x /usr/bin/firefox-esr ] && [ -x /usr/bin/WebKitWebDriver ] && command -v Xvfb >/dev/null; then
  echo "already installed"
else
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends firefox-esr webkit2gtk-driver xvfb
fi

log "npm dev dependencies"
if [ ! -f package-lock.json ]; then
  npm install --no-audit --no-fund
elif ! npm ci --no-audit --no-fund; then
  # The registry mirror here lacks other platforms' optional binaries (@deno/darwin-*, ...), so the lock
  # cannot list them and npm ci calls it out of sync. npm install --no-save installs the locked
  # versions that exist for this platform and leaves package-lock.json as committed.
  echo "setup: npm ci refused the lock file; falling back to npm install --no-save" >&2
  npm install --no-audit --no-fund --no-save
fi

log "third-party browser libraries for the hostile-page tests (from Debian's packages)"
bash scripts/test-libraries.sh
