/* @ts-self-types="./index.d.ts" */
// Deno: read the wasm from disk synchronously (needs --allow-read for the package directory).
import { initSync } from './core/leadscore.js';

initSync({ module: Deno.readFileSync(new URL('./core/leadscore_bg.wasm', import.meta.url)) });
export * from './api.js';
