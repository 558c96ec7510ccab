#!/usr/bin/env node
// `npm start`: builds pkg/ if it is missing or older than the Rust sources, then serves the demo site with the
// website tag and its lead endpoint (scripts/demo-site.mjs), the other demo pages (www/) and the package
// (/pkg/) on http://127.0.0.1:${PORT:-8080}/. PORT=0 picks a free port. Leads are stored under
// LEADSCORE_DATA_DIR (default .leadscore-data/).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDemoSite } from './demo-site.mjs';
import { createStaticHandler } from './static-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = ['core/leadscore_bg.wasm', 'browser/leadscore-core.wasm'].map((f) => join(root, 'pkg', f));

/** Newest modification time among the inputs of the build. */
function newestSource() {
  const files = ['Cargo.toml', 'Cargo.lock', 'schema/model.schema.json', 'scripts/build.mjs', 'scripts/build-browser.mjs']
    .map((f) => join(root, f));
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path); else files.push(path);
  });
  walk(join(root, 'src'));
  walk(join(root, 'js'));
  return Math.max(...files.filter(existsSync).map((f) => statSync(f).mtimeMs));
}

if (!built.every(existsSync) || Math.min(...built.map((f) => statSync(f).mtimeMs)) < newestSource()) {
  console.log('pkg/ is missing or stale: building it first');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}

const demo = createDemoSite({ root, dataDir: process.env.LEADSCORE_DATA_DIR ?? join(root, '.leadscore-data') });
const files = createStaticHandler({ '/pkg/': join(root, 'pkg'), '/': join(root, 'www') });
const server = createServer((request, response) => {
  demo(request, response)
    .then((done) => done || files(request, response))
    .catch((error) => {
      console.error(error);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('internal error\n');
    });
});
server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  console.log(`serving http://127.0.0.1:${server.address().port}/ (Ctrl-C to stop)`);
});
