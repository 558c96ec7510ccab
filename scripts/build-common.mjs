// What the two builds share: scripts/build.mjs (the npm package) and scripts/build-browser.mjs (the website tag).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
/** A tool npm installed (node_modules/.bin). */
export const bin = (name) => join(root, 'node_modules', '.bin', name);

/** Runs a command in the repository, echoing it first; throws when it fails. */
export function run(cmd, args, options = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
}

// Features rustc's wasm32-unknown-unknown target emits by default (LLVM "generic" CPU).
// `strip = true` removes the target_features section, so wasm-opt cannot detect them and must be told.
export const WASM_FEATURES = [
  '--enable-bulk-memory', '--enable-bulk-memory-opt', '--enable-nontrapping-float-to-int',
  '--enable-sign-ext', '--enable-mutable-globals', '--enable-reference-types',
  '--enable-multivalue', '--enable-call-indirect-overlong',
];

/** Optimises a wasm file in place with wasm-opt at `level` (`-Oz` for size, `-O3` for speed), without debug info. */
export function wasmOpt(level, file) {
  run(bin('wasm-opt'), [level, '--strip-debug', '--strip-producers', ...WASM_FEATURES, file, '-o', file]);
}

// The website tag's wasm build (scripts/build-browser.mjs; scripts/wasm-parts.mjs builds the core probe the same way).
// Preferred: nightly with std rebuilt under the immediate-abort panic strategy, which drops every panic message and
// the formatting code behind it (about 8 KB gzip; the library denies panics anyway, so only the unreachable paths of
// std and core are lost). No Debug formatting and no source locations (file:line:col) compiled in: the tag never
// prints them (−0.2 KB gzip). No reference types or multi-value returns: wasm-bindgen then keeps JS values in its
// glue's heap slab instead of an externref table, with no externref or multi-value shim per export and no table
// allocator in the wasm (−0.8 KB gzip of wasm, +0.2 KB of glue).
export const TAG_RUSTFLAGS = '-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none'
  + ' -Ctarget-feature=-reference-types,-multivalue';
// std's `optimize_for_size` picks its smaller implementations (sorting, integer formatting): −0.8 KB gzip. The second
// line is the fallback for a nightly without that std feature.
export const TAG_BUILD_STD = [
  ['-Z', 'build-std=std,panic_abort', '-Z', 'build-std-features=optimize_for_size'],
  ['-Z', 'build-std=std,panic_abort'],
];
// wasm-opt on the tag's wasm: -Oz, then the control flow flattened and rebuilt (--flatten --rereloop) and -Oz again
// until nothing changes: −0.6 KB gzip over -Oz alone. --low-memory-unused folds constant address offsets, which is
// sound because rustc's wasm layout keeps the stack (growing down from 1 MB) and all data above the first 1 KB: −0.4 KB.
export const TAG_WASM_OPT = ['--low-memory-unused', '-Oz', '--flatten', '--rereloop', '-Oz', '-Oz', '--converge'];
// The tag's wasm is built without reference types and multi-value (TAG_RUSTFLAGS).
export const TAG_FEATURES = WASM_FEATURES.filter((f) => f !== '--enable-reference-types' && f !== '--enable-multivalue');
