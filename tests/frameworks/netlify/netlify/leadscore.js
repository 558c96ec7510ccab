// leadscore's wasm for the edge functions: published with the site (`npm run build` copies it to public/)
// and compiled by the first request of each isolate. A deployed edge function is a bundle of modules
// without a file system, so it cannot read the wasm from node_modules as the package's Deno entry does.
import { init } from 'leadscore/edge/init';

let ready;
export function leadscoreReady(request) {
  ready ??= fetch(new URL('/leadscore_bg.wasm', request.url))
    .then((response) => {
      if (!response.ok) throw new Error(`leadscore_bg.wasm: HTTP ${response.status}`);
      return response.arrayBuffer();
    })
    .then((bytes) => init(new Uint8Array(bytes)))
    .catch((error) => {
      ready = undefined; // the next request tries again
      throw error;
    });
  return ready;
}
