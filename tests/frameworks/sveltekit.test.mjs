// SvelteKit: the app of tests/frameworks/sveltekit/ (quoted by docs/frameworks/sveltekit.md), with the packed
// tarball, built by `vite build` for adapter-node and started as `node build` on 127.0.0.1. Checked for real:
// the page scores with Scorer in headless Chromium, the `+server.js` routes score with `scoreLead` and
// qualify a form with `qualify`, forwarding the qualified lead to a receiver. Long mode only
// (LEADSCORE_FRAMEWORKS=all).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { post } from '../edge/harness.mjs';
import { checkScoreRoute, clientScore, cli, demoForm, frameworkSuite, freePort, longMode, startServer } from './support.mjs';

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
    await t.test('the page scores with Scorer in Chromium', async () => {
      assert.deepEqual(await clientScore(suite.browser.context, `${base}/`), { total: '40', stage: 'warm' }); // pricing 15 + company size 25
    });

    await t.test('a +server.js route scores with scoreLead', () => checkScoreRoute(base));

    await t.test('a +server.js route qualifies the form and forwards the lead before answering', async () => {
      const { status, body } = await post(base, '/api/lead', demoForm('dana-sveltekit@acme-logistics.com', base));
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual([body.qualified, body.total, body.stage], [true, 65, 'mql']);
      assert.equal(body.forward.status, 'sent');
      assert.equal(suite.receiver.find('/leads', body.id)[0]?.body.card.total, 65);
    });
  } finally {
    await server.stop();
  }
});
