// Astro: the app of tests/frameworks/astro/ (quoted by docs/frameworks/astro.md), with the packed tarball,
// built by `astro build` for the Node.js adapter and started as its standalone server on 127.0.0.1. Checked
// for real: the Preact island scores with Scorer in headless Chromium, the endpoints score with `scoreLead`
// and qualify a form with `qualify`, forwarding the qualified lead to a receiver. Long mode only
// (LEADSCORE_FRAMEWORKS=all).
import { join } from 'node:path';
import { test } from 'node:test';
import { checkRoutes, cli, frameworkSuite, freePort, longMode, startServer } from './support.mjs';

const suite = frameworkSuite('astro', { enabled: longMode });

test('Astro: astro build, the Node.js server, the island and the endpoints answer', { skip: !longMode && 'long mode only (LEADSCORE_FRAMEWORKS=all)' }, async (t) => {
  cli(suite.app, 'astro', ['build'], { ASTRO_TELEMETRY_DISABLED: '1' });
  const port = await freePort();
  const server = await startServer(suite.app, process.execPath, [join('dist', 'server', 'entry.mjs')], {
    url: `http://127.0.0.1:${port}/`, env: { HOST: '127.0.0.1', PORT: String(port), FORWARD_URL: suite.receiver.url('/leads') },
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await checkRoutes(t, suite, base, { forward: 'sent' });
  } finally {
    await server.stop();
  }
});
