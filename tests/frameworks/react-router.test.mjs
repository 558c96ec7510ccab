// React Router 7 (framework mode, Vite): the app of tests/frameworks/react-router/ (quoted by
// docs/frameworks/react-router.md), with the packed tarball, built by `react-router build` and started by
// `react-router-serve` on 127.0.0.1. Checked for real: the page scores with Scorer in headless Chromium, the
// resource routes score with `scoreLead` and qualify a form with `qualify`, forwarding the qualified lead to
// a receiver. Long mode only (LEADSCORE_FRAMEWORKS=all).
import { join } from 'node:path';
import { test } from 'node:test';
import { checkRoutes, cli, frameworkSuite, freePort, longMode, startServer } from './support.mjs';

const suite = frameworkSuite('react-router', { enabled: longMode, model: 'app/model.js' });

test('React Router 7: react-router build, react-router-serve, the page and the resource routes answer', { skip: !longMode && 'long mode only (LEADSCORE_FRAMEWORKS=all)' }, async (t) => {
  cli(suite.app, 'react-router', ['build']);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(suite.app, join(suite.app, 'node_modules', '.bin', 'react-router-serve'), ['./build/server/index.js'], {
    url: `${base}/`, env: { HOST: '127.0.0.1', PORT: String(port), FORWARD_URL: suite.receiver.url('/leads') },
  });
  try {
    await checkRoutes(t, suite, base, { forward: 'sent' });
  } finally {
    await server.stop();
  }
});
