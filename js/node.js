// Node: read the wasm from disk synchronously, so the module is ready once imported.
// The path is built from this file's path, never `readFileSync(new URL('…', import.meta.url))`: bundlers
// (webpack, Turbopack in Next.js server builds) rewrite that expression into an asset URL fs cannot read.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initSync } from './core/leadscore.js';

initSync({ module: readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'core', 'leadscore_bg.wasm')) });
export * from './api.js';
