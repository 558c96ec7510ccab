// Weight of what the website tag loads (pkg/browser/: the script with its glue, and the wasm), raw, gzip -9 and brotli -q 11,
// with node:zlib. Used by the build, the size test and the benchmark notes. `node scripts/snippet-size.mjs`
// prints the table; `--json` prints it as JSON.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** What the tag loads; stub.min.js is inlined in the page by the site (counted separately). */
export const TAG_FILES = ['leadscore.js', 'leadscore-core.wasm'];
/** The full model validator: loaded only when the tag's reader rejects a model (not counted in the total). */
export const VALIDATOR_FILES = ['leadscore-validate.js', 'leadscore-validate.wasm'];
/** Issue 6: everything the script tag loads, gzip. */
export const BUDGET_GZIP = 25 * 1024;

export function snippetSizes(dir) {
  // leadscore-integrations.js is loaded only by sites that configure a consent manager, GTM or embedded forms,
  // the validator only on a page whose model the tag rejects.
  const rows = [...TAG_FILES, 'leadscore-integrations.js', ...VALIDATOR_FILES, 'stub.min.js'].map((file) => measure(file, readFileSync(join(dir, file))));
  const tag = rows.filter((r) => TAG_FILES.includes(r.file));
  const total = { file: 'total (tag loads)', raw: 0, gzip: 0, brotli: 0 };
  for (const r of tag) for (const k of ['raw', 'gzip', 'brotli']) total[k] += r[k];
  return { rows, total, budgetGzip: BUDGET_GZIP };
}

function measure(file, bytes) {
  return {
    file,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/**
 * The tracking snippets issue 6 compares against, measured the same way from their npm packages
 * (devDependencies): Segment's analytics.js standalone bundle (what its CDN snippet loads first; more
 * chunks follow lazily) and RudderStack's v3 SDK (its npm UMD build, minified here with esbuild since the
 * package ships it unminified; its CDN build is not on npm). Rows for packages not installed are left out.
 */
export function peerSizes(root) {
  const peers = [
    ['Segment analytics.js 1.84 (standalone)', '@segment/analytics-next/dist/umd/standalone.js', false],
    ['RudderStack analytics-js 3.34 (UMD, minified)', '@rudderstack/analytics-js/dist/npm/modern/umd/index.js', true],
  ];
  const rows = [];
  for (const [name, path, minify] of peers) {
    const file = join(root, 'node_modules', path);
    if (!existsSync(file)) continue;
    let code = readFileSync(file);
    if (minify) {
      const out = execFileSync(join(root, 'node_modules', '.bin', 'esbuild'), [file, '--minify', '--log-level=error'], { maxBuffer: 64 << 20 });
      code = Buffer.from(out);
    }
    rows.push(measure(name, code));
  }
  return rows;
}

export function formatSizes({ rows, total, budgetGzip }, peers = []) {
  const width = Math.max(...[...rows, total, ...peers].map((r) => r.file.length));
  const line = (r) => `  ${r.file.padEnd(width)} ${String(r.raw).padStart(7)} B raw  ${String(r.gzip).padStart(6)} B gzip  ${String(r.brotli).padStart(6)} B brotli`;
  const lines = [...rows.map(line), line(total), `  budget (gzip): ${budgetGzip} B, ${total.gzip <= budgetGzip ? 'within' : 'OVER by ' + (total.gzip - budgetGzip) + ' B'}`];
  if (peers.length) lines.push('  for comparison:', ...peers.map(line));
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const sizes = snippetSizes(join(root, 'pkg', 'browser'));
  const peers = peerSizes(root);
  console.log(process.argv.includes('--json') ? JSON.stringify({ ...sizes, peers }, null, 2) : formatSizes(sizes, peers));
}
