#!/usr/bin/env node
// `npm start`: builds pkg/ if it is missing or older than the Rust sources, then serves the demo page
// (www/) and the package (/pkg/) on http://127.0.0.1:${PORT:-8080}/. PORT=0 picks a free port.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStaticServer } from './static-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const builtWasm = join(root, 'pkg', 'core', 'leadscore_bg.wasm');

/** Newest modification time among the inputs of the build. */
function newestSource() {
  const files = ['Cargo.toml', 'Cargo.lock', 'schema/model.schema.json', 'scripts/build.mjs'].map((f) => join(root, f));
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path); else files.push(path);
  });
  walk(join(root, 'src'));
  walk(join(root, 'js'));
  return Math.max(...files.filter(existsSync).map((f) => statSync(f).mtimeMs));
}

if (!existsSync(builtWasm) || statSync(builtWasm).mtimeMs < newestSource()) {
  console.log('pkg/ is missing or stale: building it first');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}

const server = createStaticServer({ '/pkg/': join(root, 'pkg'), '/': join(root, 'www') });
server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  console.log(`serving http://127.0.0.1:${server.address().port}/ (Ctrl-C to stop)`);
});
