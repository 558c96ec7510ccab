// Nuxt 4 (Nitro): the app of tests/frameworks/nuxt/ (quoted by docs/frameworks/nuxt.md), with the packed
// tarball, built by `nuxt build` (Nitro's node-server preset) and started as `node .output/server/index.mjs`
// on 127.0.0.1. Checked for real: the page scores with Scorer in headless Chromium, the server routes score
// with `scoreLead` and qualify a form with `qualify`, forwarding the qualified lead after answering
// (event.waitUntil) to a receiver. Long mode only (LEADSCORE_FRAMEWORKS=all).
import { join } from 'node:path';
import { test } from 'node:test';
import { checkRoutes, cli, frameworkSuite, freePort, longMode, startServer } from './support.mjs';

const suite = frameworkSuite('nuxt', { enabled: longMode, model: 'shared/model.js' });

test('Nuxt: nuxt build, the Nitro server, the page and the server routes answer', { skip: !longMode && 'long mode only (LEADSCORE_FRAMEWORKS=all)' }, async (t) => {
  cli(suite.app, 'nuxt', ['build'], { NUXT_TELEMETRY_DISABLED: '1' });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(suite.app, process.execPath, [join('.output', 'server', 'index.mjs')], {
    url: `${base}/`, env: { HOST: '127.0.0.1', PORT: String(port), FORWARD_URL: suite.receiver.url('/leads') },
  });
  try {
    await checkRoutes(t, suite, base, { forward: 'pending' });
  } finally {
    await server.stop();
  }
});
