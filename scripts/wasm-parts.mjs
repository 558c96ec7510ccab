// What each part of the website tag's wasm costs (issue 11), and what the shared core alone weighs.
//
//   node scripts/wasm-parts.mjs [--markdown]
//
// Needs the tag built first (`node scripts/build-browser.mjs`, which leaves its unoptimised wasm in
// target/tag-immediate-abort). Builds bench/core-probe — the model reader, the visitor state and its events, the
// engine, the card and the JSON codec behind one export, none of the tag's own code — with the tag's flags, then,
// for both: the size as shipped (wasm-bindgen, the tag's wasm-opt passes; gzip -9) and, with names kept, twiggy's
// per-function sizes grouped by the part of the code each belongs to. The tag's shipped wasm is pkg/browser's,
// which build-browser.mjs also rewrites (short link names, closure shims out of the table): the probe's does not
// get those steps, so it is a little heavier than the same code would be in the tag.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TAG_BUILD_STD, TAG_FEATURES, TAG_RUSTFLAGS, TAG_WASM_OPT, bin, root, targetDir } from './build-common.mjs';

// Each function is counted with the first part whose pattern its name matches, in this order, so closures,
// iterator adapters and drop glue count with the module that instantiates them.
const PARTS = [
  ['collector (`browser::agent`: events from the listeners, storage and journals, consent, delivery)', /::browser::agent/],
  ['browser policies (form fields, URLs, payload, config, storage envelope)', /::browser::/],
  ['model reader (`model/`)', /::model::/],
  ['field and list readers, number parsing, errors (`read.rs`, `error.rs`)', /::read::|::error::/],
  ['visitor state and events (`state/`)', /::state::/],
  ['scoring engine and score card (`engine.rs`, `card.rs`)', /::engine::|::card::/],
  ['JSON codec (`json.rs`)', /::json::/],
  ['value tree, glob patterns, URLs, form answers', /::value::|::pattern::|::url::|::form::|::sanitize::|::free_domains::/],
  ['JS boundary (`ffi`: value walkers, exports; in the probe, its one export with what it inlines)', /::ffi::|^probe$|core_probe/],
  ['wasm-bindgen, js-sys, web-sys (import wrappers, string passing, shims)', /wasm_bindgen|js_sys|web_sys|__wbg|__wbindgen|^import /],
  ['allocator (lol_alloc)', /lol_alloc|__rust_alloc|__rust_dealloc|__rust_realloc/],
  ['data (keys, names, the free-mail domain list)', /^data segment/],
  ['Rust std / core / alloc', /core::|alloc::|std::|compiler_builtins|^<(str|\[|char|u8|i64|f64|usize)/],
];
const OTHER = 'tables, types, imports, exports and the rest';

function sh(cmd, args, env) {
  return execFileSync(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
}

/** Builds the core probe with the tag's flags; returns its unoptimised wasm. */
function buildProbe() {
  const dir = join(targetDir, 'core-probe');
  const manifest = join(root, 'bench', 'core-probe', 'Cargo.toml');
  for (const std of TAG_BUILD_STD) {
    try {
      sh('cargo', ['+nightly', 'build', '--release', '--target', 'wasm32-unknown-unknown', '--manifest-path', manifest, ...std],
        { CARGO_TARGET_DIR: dir, RUSTFLAGS: TAG_RUSTFLAGS });
      return join(dir, 'wasm32-unknown-unknown', 'release', 'leadscore_core_probe.wasm');
    } catch (error) {
      console.warn(`wasm-parts: the probe's build with ${std.join(' ')} failed:\n${error.stderr}`);
    }
  }
  throw new Error('wasm-parts: the core probe did not build (scripts/setup.sh installs the nightly and its rust-src)');
}

/** wasm-bindgen, then the tag's wasm-opt passes: the wasm as the tag would ship it, and its sizes. */
function shipped(rawWasm, work) {
  sh('wasm-bindgen', ['--target', 'web', '--no-typescript', '--omit-default-module-path', '--out-dir', work, '--out-name', 'shipped', rawWasm]);
  const file = join(work, 'shipped_bg.wasm');
  sh(bin('wasm-opt'), [...TAG_WASM_OPT, '--strip-debug', '--strip-producers', '--strip-target-features', ...TAG_FEATURES, file, '-o', file]);
  return sizes(readFileSync(file));
}

function sizes(bytes) {
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** twiggy's shallow size per function of the wasm kept with its names, grouped by PARTS. */
function parts(rawWasm, work) {
  sh('wasm-bindgen', ['--target', 'web', '--no-typescript', '--keep-debug', '--out-dir', work, '--out-name', 'named', rawWasm]);
  const file = join(work, 'named_bg.wasm');
  sh(bin('wasm-opt'), ['-Oz', '--debuginfo', ...TAG_FEATURES, file, '-o', file]);
  const csv = sh('twiggy', ['top', '-n', '100000', '-f', 'csv', file]).toString();
  const totals = new Map([...PARTS.map(([name]) => [name, 0]), [OTHER, 0]]);
  for (const [name, size] of csvRows(csv)) {
    if (name.includes('subsection') || name.startsWith('custom section')) continue; // names and debug info: not shipped
    const part = PARTS.find(([, pattern]) => pattern.test(name))?.[0] ?? OTHER;
    totals.set(part, totals.get(part) + size);
  }
  return totals;
}

/** [name, shallow size] per row of twiggy's CSV (names may hold quoted commas). */
function csvRows(csv) {
  const rows = [];
  for (const line of csv.split('\n').slice(1)) {
    const match = line.match(/^("(?:[^"]|"")*"|[^,]*),(\d+),/);
    if (match) rows.push([match[1].replace(/^"|"$/g, '').replace(/""/g, '"'), Number(match[2])]);
  }
  return rows;
}

function table(tagParts, probeParts) {
  const total = (m) => [...m.values()].reduce((a, b) => a + b, 0);
  const [tagTotal, probeTotal] = [total(tagParts), total(probeParts)];
  const lines = ['| part | tag | share | core alone |', '| --- | ---: | ---: | ---: |'];
  const rows = [...tagParts.keys()].sort((a, b) => tagParts.get(b) - tagParts.get(a));
  for (const part of rows) {
    const share = ((100 * tagParts.get(part)) / tagTotal).toFixed(1);
    lines.push(`| ${part} | ${tagParts.get(part).toLocaleString('en')} B | ${share} % | ${probeParts.get(part).toLocaleString('en')} B |`);
  }
  lines.push(`| **total** (names kept, \`wasm-opt -Oz\`) | **${tagTotal.toLocaleString('en')} B** | | **${probeTotal.toLocaleString('en')} B** |`);
  return lines.join('\n');
}

const tagRaw = join(targetDir, 'tag-immediate-abort', 'wasm32-unknown-unknown', 'release', 'leadscore.wasm');
const tagShipped = join(root, 'pkg', 'browser', 'leadscore-core.wasm');
if (!existsSync(tagRaw) || !existsSync(tagShipped)) {
  console.error('wasm-parts: build the tag first (node scripts/build-browser.mjs, with the nightly)');
  process.exit(1);
}
const work = join(targetDir, 'wasm-parts');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const probeRaw = buildProbe();
const tag = sizes(readFileSync(tagShipped));
const probe = shipped(probeRaw, join(work, 'probe'));
console.log(`the tag's wasm (pkg/browser/leadscore-core.wasm): ${tag.raw} B raw, ${tag.gzip} B gzip`);
console.log(`the shared core alone (bench/core-probe, the tag's flags and wasm-opt passes): ${probe.raw} B raw, ${probe.gzip} B gzip`);
console.log('\nBytes of code and data per part, before compression:\n');
console.log(table(parts(tagRaw, join(work, 'tag')), parts(probeRaw, join(work, 'probe-named'))));
