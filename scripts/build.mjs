#!/usr/bin/env node
// Builds the npm package `leadscore` into pkg/ from the Rust crate:
//   cargo (wasm32, release) -> wasm-bindgen --target web -> wasm-opt -Oz -> pkg/ with one entry per runtime.
// Usage: node scripts/build.mjs        (CARGO_TARGET_DIR is honoured; defaults to ./target)
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { root, run, targetDir, wasmOpt } from './build-common.mjs';
import { patchGlue } from './patch-glue.mjs';

const pkg = join(root, 'pkg');
const core = join(pkg, 'core');

/** The few Cargo.toml facts we need; a full TOML parser is not worth a dependency. */
function crateInfo() {
  const toml = readFileSync(join(root, 'Cargo.toml'), 'utf8');
  const section = (name) => toml.split(/^\[/m).find((s) => s.startsWith(`${name}]`)) ?? '';
  const field = (text, key) => text.match(new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, 'm'))?.[1];
  const packageSection = section('package');
  const name = field(packageSection, 'name');
  return {
    version: field(packageSection, 'version'),
    description: field(packageSection, 'description'),
    license: field(packageSection, 'license'),
    libName: (field(section('lib'), 'name') ?? name).replaceAll('-', '_'),
  };
}

/** Version of the wasm-bindgen crate in Cargo.lock: the CLI must match it exactly. */
function lockedBindgenVersion() {
  const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
  return lock.match(/\[\[package\]\]\nname = "wasm-bindgen"\nversion = "([^"]+)"/)?.[1];
}

const crate = crateInfo();

// 1–3. Two wasm builds of the crate: `core` (the scoring API and the edge exports: what browsers, bundlers and
// edge workers load, kept small for download and cold start) and `calibrate` (the same plus calibration,
// several times larger, loaded only by the CLI and the calibration page through `leadscore/calibrate`).
const cliVersion = execFileSync('wasm-bindgen', ['--version'], { encoding: 'utf8' }).trim().split(' ')[1];
const locked = lockedBindgenVersion();
if (locked && cliVersion !== locked) {
  throw new Error(`wasm-bindgen CLI ${cliVersion} != Cargo.lock ${locked}; run scripts/setup.sh`);
}
rmSync(pkg, { recursive: true, force: true });

/**
 * cargo (release, wasm32, `features`) -> wasm-bindgen --target web -> wasm-opt, into `outDir`. Optimised for
 * size (-Oz), or with `speed` for speed (opt-level 3, -O3): the calibration wasm, which scores files of millions
 * of rows in the CLI, where a few KB more do not matter.
 */
function buildWasm(features, outDir, { speed = false } = {}) {
  const env = speed ? { env: { ...process.env, CARGO_PROFILE_RELEASE_OPT_LEVEL: '3' } } : {};
  run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '--no-default-features', '--features', features], env);
  const rawWasm = join(targetDir, 'wasm32-unknown-unknown', 'release', `${crate.libName}.wasm`);
  run('wasm-bindgen', ['--target', 'web', '--out-dir', outDir, '--out-name', 'leadscore', rawWasm]);
  // The generated typings are loose (`any`) and name internals: js/index.d.ts is the public surface.
  // Drop them, and the glue's `@ts-self-types` pointer to them (Deno would follow it and fail).
  for (const file of readdirSync(outDir)) if (file.endsWith('.d.ts')) rmSync(join(outDir, file));
  const glue = join(outDir, 'leadscore.js');
  writeFileSync(glue, patchGlue(readFileSync(glue, 'utf8').replace(/^\/\* @ts-self-types="[^"]*" \*\/\n/, '')));
  const wasm = join(outDir, 'leadscore_bg.wasm');
  wasmOpt(speed ? '-O3' : '-Oz', wasm);
  return wasm;
}

const wasmFile = buildWasm('api', core);
const calibrateWasm = buildWasm('api,calibrate', join(pkg, 'calibrate'), { speed: true });

// 4. The package's own files live in js/, laid out as in pkg/: one entry per runtime (each loads the wasm its
// own way, then re-exports ./api.js, the one shared module), the public types and the README.
// (js/browser/ is built by build-browser.mjs into pkg/browser/, see step 6.)
for (const file of readdirSync(join(root, 'js'))) {
  if (file !== 'cli.mjs' && file !== 'browser') cpSync(join(root, 'js', file), join(pkg, file), { recursive: true });
}

const manifest = {
  name: 'leadscore',
  version: crate.version,
  description: crate.description,
  license: crate.license,
  type: 'module',
  // ES modules only: `require('leadscore')` needs a Node that can require ES modules (20.19, 22.12 and later).
  engines: { node: '>=20.19' },
  types: './index.d.ts',
  // Condition order matters: the first matching key wins.
  exports: {
    '.': {
      types: './index.d.ts',
      workerd: './workerd.js',
      deno: './deno.js',
      node: './node.js',
      'edge-light': './edge-light.js',
      browser: './web.js',
      import: './web.js',
      default: './web.js',
    },
    // Pre-qualifying form submissions at the edge (docs/edge.md): the same core, initialised by the runtime's entry.
    './edge': {
      types: './edge.d.ts',
      workerd: './edge-workerd.js',
      deno: './edge-deno.js',
      node: './edge-node.js',
      'edge-light': './edge-edge-light.js',
      browser: './edge-web.js',
      import: './edge-web.js',
      default: './edge-web.js',
    },
    // Bring your own wasm (`init(moduleOrBytes)`, e.g. a Netlify edge function that fetches it).
    './edge/init': { types: './edge-init.d.ts', default: './edge-init.js' },
    // Learning a model from past leads, scoring CSVs, funnel reports (docs/calibrate.md): a separate, larger wasm.
    './calibrate': {
      types: './calibrate.d.ts',
      node: './calibrate-node.js',
      default: './calibrate-web.js',
    },
    './wasm': './core/leadscore_bg.wasm',
    './schema.json': './schema.json',
    // The lead format every sender produces (the tag, qualify, relay): docs/edge.md.
    './lead.schema.json': './lead.schema.json',
    // The website collector as a module (docs/snippet.md): `import { start } from 'leadscore/browser'`.
    './browser': { types: './browser/index.d.ts', default: './browser/index.js' },
    // `useLeadScore(config)` for React (and Next.js client components).
    './react': { types: './react.d.ts', default: './react.js' },
    './browser/*': './browser/*',
    './package.json': './package.json',
  },
  bin: { leadscore: './bin/leadscore.mjs' },
  // Only `leadscore/react` needs React; the rest of the package has no dependencies.
  peerDependencies: { react: '>=18' },
  peerDependenciesMeta: { react: { optional: true } },
  sideEffects: ['./node.js', './edge-light.js', './edge-edge-light.js', './deno.js', './workerd.js', './web.js', './edge-node.js', './edge-deno.js', './edge-workerd.js', './edge-web.js',
    './calibrate-node.js', './calibrate-web.js'],
  keywords: ['lead scoring', 'webassembly', 'cloudflare-workers', 'deno'],
};
writeFileSync(join(pkg, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
cpSync(join(root, 'schema', 'model.schema.json'), join(pkg, 'schema.json'));
cpSync(join(root, 'schema', 'lead.json'), join(pkg, 'lead.schema.json'));
// The model studio (docs/studio.md), for a site to host: studio.html beside the entries it imports (its import
// map points at ./pkg/ when `npm start` serves it from www/, at ./ here) and its modules in studio/.
cpSync(join(root, 'www', 'studio'), join(pkg, 'studio'), { recursive: true });
writeFileSync(join(pkg, 'studio.html'), readFileSync(join(root, 'www', 'studio.html'), 'utf8').replaceAll('"./pkg/', '"./'));
// The CLI (`npx leadscore calibrate|score|funnel`) runs the calibration wasm through ../calibrate-node.js.
mkdirSync(join(pkg, 'bin'));
cpSync(join(root, 'js', 'cli.mjs'), join(pkg, 'bin', 'leadscore.mjs'));
chmodSync(join(pkg, 'bin', 'leadscore.mjs'), 0o755);

// 5. Tests and tools import the package by name: node_modules/leadscore -> pkg. A plain symlink instead of
// a `file:pkg` devDependency, which would make package-lock.json depend on whether pkg/ was built.
const link = join(root, 'node_modules', 'leadscore');
if (existsSync(join(root, 'node_modules'))) {
  rmSync(link, { recursive: true, force: true });
  symlinkSync(relative(dirname(link), pkg), link, 'dir');
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
for (const file of [wasmFile, calibrateWasm]) {
  const raw = readFileSync(file).length;
  const gzip = gzipSync(readFileSync(file), { level: 9 }).length;
  console.log(`leadscore ${crate.version}: ${relative(root, file)} raw ${raw} bytes (${kib(raw)}), gzip ${gzip} bytes (${kib(gzip)})`);
}

// 6. The website tag (pkg/browser/): its own slim wasm build, see scripts/build-browser.mjs.
run(process.execPath, [join(root, 'scripts', 'build-browser.mjs')]);
