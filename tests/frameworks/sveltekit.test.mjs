// SvelteKit: the app of tests/frameworks/sveltekit/ (quoted by docs/frameworks/sveltekit.md), with the packed
// tarball, built by `vite build` for adapter-node and started as `node build` on 127.0.0.1. Checked for real:
// the page scores with Scorer in headless Chromium, the `+server.js` routes score with `scoreLead` and
// qualify a form with `qualify`, forwarding the qualified lead to a receiver. Long mode only
// (LEADSCORE_FRAMEWORKS=all).
import { test } from 'node:test';
import { checkRoutes, cli, frameworkSuite, freePort, longMode, startServer } from './support.mjs';

const suite = frameworkSuite('sveltekit', { enabled: longMode, model: 'src/lib/model.js' });

test('SvelteKit: vite build, node build, the page and the +server.js routes answer', { skip: !longMode && 'long mode only (LEADSCORE_FRAMEWORKS=all)' }, async (t) => {
  cli(suite.app, 'vite', ['build']);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(suite.app, process.execPath, ['build'], {
    url: `${base}/`, // ORIGIN: adapter-node's setting for the site's URL (without it, it assumes https and refuses form posts).
    env: { HOST: '127.0.0.1', PORT: String(port), ORIGIN: base, FORWARD_URL: suite.receiver.url('/leads') },
  });
  try {
    await checkRoutes(t, suite, base, { forward: 'sent' });
  } finally {
    await server.stop();
  }
});
