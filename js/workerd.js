// Cloudflare workerd: the runtime (or wrangler) compiles the wasm import; no fetch at start-up.
import wasm from './core/leadscore_bg.wasm';
import { initSync } from './core/leadscore.js';

initSync({ module: wasm });
export * from './api.js';
