// Weight of what the website tag loads (pkg/browser/: loader + glue + wasm), raw, gzip -9 and brotli -q 11,
// with node:zlib. Used by the build, the size test and the benchmark notes. `node scripts/snippet-size.mjs`
// prints the table; `--json` prints it as JSON.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** What the tag loads; stub.min.js is inlined in the page by the site (counted separately). */
export const TAG_FILES = ['leadscore.js', 'leadscore-core.js', 'leadscore-core.wasm'];
/** Issue 6: everything the script tag loads, gzip. */
export const BUDGET_GZIP = 25 * 1024;

export function snippetSizes(dir) {
  const rows = [...TAG_FILES, 'stub.min.js'].map((file) => {
    const bytes = readFileSync(join(dir, file));
    return {
      file,
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  });
  const tag = rows.filter((r) => TAG_FILES.includes(r.file));
  const total = { file: 'total (tag loads)', raw: 0, gzip: 0, brotli: 0 };
  for (const r of tag) for (const k of ['raw', 'gzip', 'brotli']) total[k] += r[k];
  return { rows, total, budgetGzip: BUDGET_GZIP };
}

export function formatSizes({ rows, total, budgetGzip }) {
  const line = (r) => `  ${r.file.padEnd(22)} ${String(r.raw).padStart(7)} B raw  ${String(r.gzip).padStart(6)} B gzip  ${String(r.brotli).padStart(6)} B brotli`;
  return [...rows.map(line), line(total), `  budget (gzip): ${budgetGzip} B, ${total.gzip <= budgetGzip ? 'within' : 'OVER by ' + (total.gzip - budgetGzip) + ' B'}`].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = join(fileURLToPath(new URL('..', import.meta.url)), 'pkg', 'browser');
  const sizes = snippetSizes(dir);
  console.log(process.argv.includes('--json') ? JSON.stringify(sizes, null, 2) : formatSizes(sizes));
}
