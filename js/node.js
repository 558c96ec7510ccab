// Node: read the wasm from disk synchronously, so the module is ready once imported.
import { readFileSync } from 'node:fs';
import { initSync } from './core/leadscore.js';

initSync({ module: readFileSync(new URL('./core/leadscore_bg.wasm', import.meta.url)) });
export * from './api.js';
