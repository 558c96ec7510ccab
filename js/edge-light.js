// Vercel's Edge Runtime (condition `edge-light`: Next.js edge routes and middleware): wasm may only come
// from an import, never compiled from bytes at run time, so the bundler compiles this `?module` import;
// no fetch at start-up or at build time.
import wasm from './core/leadscore_bg.wasm?module';
import { initSync } from './core/leadscore.js';

initSync({ module: wasm });
export * from './api.js';
