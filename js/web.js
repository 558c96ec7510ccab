// Browsers and bundlers: fetch + compile once, before the importing module runs (top-level await).
// Bundlers see `new URL(..., import.meta.url)` and emit the .wasm as an asset.
import init from './core/leadscore.js';

await init({ module_or_path: new URL('./core/leadscore_bg.wasm', import.meta.url) });
export * from './api.js';
