// Netlify Edge Functions: the site of tests/frameworks/netlify/ (quoted by docs/frameworks/netlify.md), with
// the packed tarball, served by Netlify's local runtime (@netlify/dev: each edge function runs in Deno under
// Netlify's own bootstrap, with its `(request, context)` signature, `context.waitUntil` and `Netlify.env`).
// Checked for real on 127.0.0.1: `qualify` answers a form and forwards the qualified lead after answering;
// `relay` re-scores a tag's lead and forwards it; both load the wasm the site's build publishes, as a deployed
// edge function must. Long mode only (LEADSCORE_FRAMEWORKS=all).
// `netlify dev` itself is not used: it imports the bootstrap from Netlify's servers at start (see the page).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { after, before, test } from 'node:test';
import { post, startReceiver } from '../edge/harness.mjs';
import { buyerEvents, tagPayload } from '../edge/tag-payload.mjs';
import model from '../../examples/model.mjs';
import { demoForm, freePort, longMode, packTarball, prepareApp, startServer, stopServers } from './support.mjs';

const suite = {};

/**
 * The directory of the Deno binary the `deno` npm package installs. Its `.bin/deno` is a Node.js wrapper
 * that spawns the binary: stopping the wrapper would leave Deno running, so Netlify's tools get the binary
 * itself (which the wrapper puts in place when first run).
 */
function denoDirectory(app) {
  execFileSync(join(app, 'node_modules', '.bin', 'deno'), ['--version'], { stdio: 'ignore', timeout: 60_000 });
  return join(app, 'node_modules', 'deno');
}
before(async () => {
  if (!longMode) return;
  suite.tarball = packTarball();
  suite.app = prepareApp('netlify', suite.tarball);
  suite.receiver = await startReceiver();
  // Netlify hands an edge function only the site's variables (the UI, netlify.toml), not the shell's:
  // the receiver's URL goes where a site sets its variables for local runs.
  appendFileSync(join(suite.app, 'netlify.toml'), `\n[context.dev.environment]\n  FORWARD_URL = "${suite.receiver.url('/netlify')}"\n`);
});
after(async () => {
  await stopServers();
  await suite.receiver?.stop();
  if (suite.tarball) rmSync(dirname(suite.tarball), { recursive: true, force: true });
});

test('Netlify Edge Functions: qualify and relay in Netlify\'s local runtime (Deno)', { skip: !longMode && 'long mode only (LEADSCORE_FRAMEWORKS=all)' }, async (t) => {
  // The site's build command (netlify.toml): publishes the wasm the edge functions fetch.
  execFileSync('npm', ['run', 'build'], { cwd: suite.app, stdio: 'ignore', timeout: 60_000 });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(suite.app, process.execPath, ['server.mjs'], {
    url: `${base}/`,
    // Deno comes from the app's devDependencies (the `deno` npm package); Netlify's tools look for it on PATH.
    env: { PORT: String(port), PATH: `${denoDirectory(suite.app)}:${process.env.PATH}` },
  });
  try {
    await t.test('POST /api/lead: qualify answers, then forwards through context.waitUntil', async () => {
      const { status, body } = await post(base, '/api/lead', demoForm('dana-netlify@acme-logistics.com', base));
      assert.equal(status, 200, `${JSON.stringify(body)}\n${server.output()}`);
      assert.deepEqual([body.qualified, body.total, body.stage, body.forward.status], [true, 65, 'mql', 'pending']);
      const [delivered] = await suite.receiver.waitFor('/netlify', body.id);
      assert.deepEqual([delivered?.body.total, delivered?.body.scored_by, delivered?.body.form], [65, 'server', 'demo']);
    });
    await t.test('POST /leads: relay re-scores the tag\'s lead and forwards it', async () => {
      const now = Date.now();
      const payload = tagPayload(model, { leadId: 'netlify-tag-lead-01', events: buyerEvents(now - 600_000), now });
      const { status, body } = await post(base, '/leads', {
        method: 'POST', body: JSON.stringify(payload), headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://www.example.com' },
      });
      assert.deepEqual([status, body.status, body.stage], [202, 'pending', 'mql'], JSON.stringify(body));
      const [delivered] = await suite.receiver.waitFor('/netlify', payload.lead_id);
      assert.deepEqual([delivered?.body.total, delivered?.body.scored_by], [payload.total, 'server']);
    });
  } finally {
    await server.stop();
  }
});
