// leadscore/edge/init: bring your own wasm. Call init(moduleOrBytes) once, then use the API
// (Vercel/Netlify edge: `import wasm from 'leadscore/wasm?module'; init(wasm);`).
import { initSync } from './core/leadscore.js';

export function init(module) {
  initSync({ module });
}
export * from './api.js';
export * from './edge/qualify.js';
