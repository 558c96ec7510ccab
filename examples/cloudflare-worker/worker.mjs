// Cloudflare Worker: answers at once and forwards in the background with ctx.waitUntil.
// Locally: `npm run edge` (workerd, config.capnp beside this file). With wrangler: `main = "worker.mjs"`;
// wrangler resolves `leadscore/edge` to the package's workerd entry and bundles the .wasm as a module.
import { handle } from '../app.mjs';

export default {
  fetch(request, env, ctx) {
    return handle(request, env, { waitUntil: ctx.waitUntil.bind(ctx) });
  },
};
