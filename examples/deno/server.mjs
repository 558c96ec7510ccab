// Deno: `deno run --allow-net=127.0.0.1 --allow-read --allow-env examples/deno/server.mjs`
// (from the repo root, or a project with `leadscore` in node_modules). Deno.serve has no waitUntil:
// the answer waits for the forward (bounded by its timeout and one retry) and reports its outcome.
import { handle } from '../app.mjs';

const env = Deno.env.toObject();
const port = Number(env.PORT ?? 8788);
Deno.serve({
  hostname: '127.0.0.1',
  port,
  onListen: ({ hostname, port }) => console.log(`leadscore edge example (deno) listening on http://${hostname}:${port}`),
}, (request) => handle(request, env));
