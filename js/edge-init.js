// leadscore/edge/init: bring your own wasm. Call init(moduleOrBytes) once, then use the API (a runtime no
// export condition fits, e.g. a Netlify edge function fetching the wasm; Next.js/Vercel edge need none of
// this: `leadscore/edge` resolves to edge-light.js). Before init() the API throws "leadscore is not initialised".
import { initSync } from './core/leadscore.js';

export function init(module) {
  initSync({ module });
}
export * from './api.js';
export * from './edge/qualify.js';
