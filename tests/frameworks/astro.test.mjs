// Astro: the app of tests/frameworks/astro/ (quoted by docs/frameworks/astro.md), with the packed tarball,
// built by `astro build` for the Node.js adapter and started as its standalone server on 127.0.0.1. Checked
// for real: the Preact island scores with Scorer in headless Chromium, the endpoints score with `scoreLead`
// and qualify a form with `qualify`, forwarding the qualified lead to a receiver. Long mode only
// (LEADSCORE_FRAMEWORKS=all).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { post } from '../edge/harness.mjs';
import { checkScoreRoute, clientScore, cli, demoForm, frameworkSuite, freePort, longMode, startServer } from './support.mjs';

const suite = frameworkSuite('astro', { enabled: longMode });

test('Astro: astro build, the Node.js server, the island and the endpoints answer', { skip: !longMode && 'long mode only (LEADSCORE_FRAMEWORKS=all)' }, async (t) => {
  cli(suite.app, 'astro', ['build'], { ASTRO_TELEMETRY_DISABLED: '1' });
  const port = await freePort();
  const server = await startServer(suite.app, process.execPath, [join('dist', 'server', 'entry.mjs')], {
    url: `http://127.0.0.1:${port}/`, env: { HOST: '127.0.0.1', PORT: String(port), FORWARD_URL: suite.receiver.url('/leads') },
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await t.test('the client island scores with Scorer in Chromium', async () => {
      assert.deepEqual(await clientScore(suite.browser.context, `${base}/`), { total: '40', stage: 'warm' }); // pricing 15 + company size 25
    });

    await t.test('an endpoint scores with scoreLead', () => checkScoreRoute(base));

    await t.test('an endpoint qualifies the form and forwards the lead before answering', async () => {
      const { status, body } = await post(base, '/api/lead', demoForm('dana-astro@acme-logistics.com', base));
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual([body.qualified, body.total, body.stage], [true, 65, 'mql']);
      assert.equal(body.forward.status, 'sent');
      const [delivered] = suite.receiver.find('/leads', body.id);
      assert.equal(delivered?.body.card.total, 65);
    });
  } finally {
    await server.stop();
  }
});
