#!/usr/bin/env bash
# Real third-party browser libraries that tests/snippet/libraries.test.mjs loads before the tag: their
# published builds, unmodified, taken from Debian's packages (not committed; tests/snippet/vendor/ is ignored).
#   Prototype 1.6.0.3 (MIT)   ruby-openid: usr/share/doc/ruby-openid/examples/rails_openid/public/javascripts/prototype.js
#                             (the last 1.6.0 release: adds Array.prototype.toJSON, String.prototype.toJSON, ...)
#   MooTools core 1.4.5 (MIT) libjs-mootools: usr/share/javascript/mootools/mootools-core-nc.js (browser build:
#                             replaces the global Window, Element and Event)
# Run by scripts/setup.sh; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=tests/snippet/vendor
if [ -s "$dir/prototype-1.6.0.3.js" ] && [ -s "$dir/mootools-core-1.4.5.js" ]; then
  echo "already there"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
download() { (cd "$tmp" && apt-get download ruby-openid libjs-mootools); }
download || { apt-get update && download; }
for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/x"; done
mkdir -p "$dir"
prototype="$tmp/x/usr/share/doc/ruby-openid/examples/rails_openid/public/javascripts/prototype.js"
mootools="$tmp/x/usr/share/javascript/mootools/mootools-core-nc.js"
grep -q 'Prototype JavaScript framework, version 1.6.0.3' "$prototype" || { echo "not Prototype 1.6.0.3: $prototype" >&2; exit 1; }
grep -q "version: '1.4.5'" "$mootools" || { echo "not MooTools 1.4.5: $mootools" >&2; exit 1; }
cp "$prototype" "$dir/prototype-1.6.0.3.js"
cp "$mootools" "$dir/mootools-core-1.4.5.js"
cp "$tmp/x/usr/share/doc/libjs-mootools/copyright" "$dir/mootools.copyright"
cp "$tmp/x/usr/share/doc/ruby-openid/copyright" "$dir/ruby-openid.copyright"
echo "installed into $dir: $(ls "$dir" | tr '\n' ' ')"
