// React Router 7 (framework mode, Vite): the app of tests/frameworks/react-router/ (quoted by
// docs/frameworks/react-router.md), with the packed tarball, built by `react-router build` and started by
// `react-router-serve` on 127.0.0.1. Checked for real: the page scores with Scorer in headless Chromium, the
// resource routes score with `scoreLead` and qualify a form with `qualify`, forwarding the qualified lead to
// a receiver. Long mode only (LEADSCORE_FRAMEWORKS=all).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { post } from '../edge/harness.mjs';
import { checkScoreRoute, clientScore, cli, demoForm, frameworkSuite, freePort, longMode, startServer } from './support.mjs';

const suite = frameworkSuite('react-router', { enabled: longMode, model: 'app/model.js' });

test('React Router 7: react-router build, react-router-serve, the page and the resource routes answer', { skip: !longMode && 'long mode only (LEADSCORE_FRAMEWORKS=all)' }, async (t) => {
  cli(suite.app, 'react-router', ['build']);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(suite.app, join(suite.app, 'node_modules', '.bin', 'react-router-serve'), ['./build/server/index.js'], {
    url: `${base}/`, env: { HOST: '127.0.0.1', PORT: String(port), FORWARD_URL: suite.receiver.url('/leads') },
  });
  try {
    await t.test('the page scores with Scorer in Chromium', async () => {
      assert.deepEqual(await clientScore(suite.browser.context, `${base}/`), { total: '40', stage: 'warm' }); // pricing 15 + company size 25
    });

    await t.test('a resource route scores with scoreLead', () => checkScoreRoute(base));

    await t.test('a resource route qualifies the form and forwards the lead before answering', async () => {
      const { status, body } = await post(base, '/api/lead', demoForm('dana-react-router@acme-logistics.com', base));
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual([body.qualified, body.total, body.stage], [true, 65, 'mql']);
      assert.equal(body.forward.status, 'sent');
      assert.equal(suite.receiver.find('/leads', body.id)[0]?.body.card.total, 65);
    });
  } finally {
    await server.stop();
  }
});
