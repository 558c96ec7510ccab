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
