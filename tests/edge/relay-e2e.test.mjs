// End to end: the real website tag (pkg/browser) in Chromium, on the demo site, delivers a qualified
// visitor through `relay` (running in this Node process behind node:http, on another origin) to a
// receiver on 127.0.0.1 that verifies the Standard Webhooks signature with the `standardwebhooks` package.
// The tag's own POST and the relay's forward both validate against schema/lead.json.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import { Webhook } from 'standardwebhooks';
import { relay, webhook } from 'leadscore/edge';
import { send, toRequest } from '../../examples/node/http.mjs';
import { createDemoSite } from '../../scripts/demo-site.mjs';
import { createStaticHandler } from '../../scripts/static-server.mjs';
import { launch, openPage, qualify as journey, root, until } from '../snippet/support.mjs';
import { startReceiver } from './harness.mjs';

const SECRET = `whsec_${Buffer.from('end-to-end-relay-secret-0123456789').toString('base64')}`;
const model = JSON.parse(readFileSync(join(root, 'www', 'models', 'textbook.json'), 'utf8'));
const validate = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true })
  .compile(JSON.parse(readFileSync(join(root, 'schema', 'lead.json'), 'utf8')));

/** The site's model as the relay scores it; the second test makes the server stricter than the tag. */
let relayModel = model;
const servers = [];
let receiver;
let siteUrl;
let relayUrl;
const answers = [];
let dataDir;

async function listen(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${server.address().port}`;
}

before(async () => {
  receiver = await startReceiver();
  dataDir = mkdtempSync(join(tmpdir(), 'leadscore-relay-e2e-'));
  // The site's relay: the same model as the tag, a signed webhook to the receiver.
  relayUrl = await listen((req, res) => {
    relay(toRequest(req), { model: relayModel, forward: webhook(receiver.url('/crm'), { secret: SECRET }), timeoutMs: 2000 })
      .then(async (response) => {
        answers.push({ status: response.status, body: await response.clone().json() });
        return send(response, res, req);
      });
  });
  // The demo site with its tag's data-endpoint pointing at the relay (another origin: a real CORS
  // request): a copy of www/site with the layout changed; the built tag, the model and the files linked.
  const site = join(dataDir, 'site');
  mkdirSync(join(site, 'www'), { recursive: true });
  cpSync(join(root, 'www', 'site'), join(site, 'www', 'site'), { recursive: true });
  for (const dir of ['models', 'files']) symlinkSync(join(root, 'www', dir), join(site, 'www', dir));
  symlinkSync(join(root, 'pkg'), join(site, 'pkg'));
  const layout = join(site, 'www', 'site', 'layout.html');
  const html = readFileSync(layout, 'utf8');
  assert.ok(html.includes('data-endpoint="/api/leads"'));
  writeFileSync(layout, html.replace('data-endpoint="/api/leads"', `data-endpoint="${relayUrl}/leads"`));
  const demo = createDemoSite({ root: site, dataDir: join(dataDir, 'leads') });
  const files = createStaticHandler({ '/': join(site, 'www') });
  // Chromium asks for /favicon.ico on some pages (the PDF's): no icon, and no 404 in the console.
  siteUrl = await listen((req, res) => (req.url === '/favicon.ico' ? res.writeHead(204).end()
    : demo(req, res).then((done) => done || files(req, res))));
});

after(async () => {
  await receiver?.stop();
  await Promise.all(servers.map((s) => new Promise((resolve) => { s.close(resolve); s.closeAllConnections(); })));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('the tag in Chromium delivers a qualified visitor through the relay: re-scored, signed, once', { timeout: 120_000 }, async () => {
  const browser = await launch();
  try {
    const { page, seen } = await openPage(browser.context);
    const tagPosts = [];
    page.on('request', (request) => { if (request.url() === `${relayUrl}/leads`) tagPosts.push(request.postData()); });
    const card = await journey(page, siteUrl);
    assert.equal(card.qualified, true, 'the journey qualifies in the browser');

    const crm = () => receiver.received.filter((r) => r.path === '/crm');
    await until(() => crm().length > 0, 60_000, 'the relay\'s forward');
    const [got] = crm();
    // The tag's outbox settled: the relay's 2xx emptied it.
    await until(() => page.evaluate(() => !localStorage.getItem('leadscore:outbox')), 15_000, 'the outbox to empty');

    // Once, unless an answer took longer than the tag waits (10 s on a starved machine): then its retry is a duplicate.
    assert.ok(tagPosts.length >= 1 && tagPosts.every((p) => p === tagPosts[0]), 'the tag posted its lead (a retry: the same body)');
    const sent = JSON.parse(tagPosts[0]);
    assert.ok(validate(sent), `the tag's payload is a lead: ${JSON.stringify(validate.errors)}`);
    assert.ok(sent.state, 'the tag attaches its state');

    const lead = new Webhook(SECRET).verify(got.text, got.headers);
    assert.ok(validate(lead), `the relay's forward is a lead: ${JSON.stringify(validate.errors)}`);
    assert.equal(lead.scored_by, 'server');
    assert.equal(lead.lead_id, sent.lead_id);
    assert.equal(lead.total, sent.total, 'the server\'s score agrees with an honest tag');
    assert.equal(lead.idempotency_key, sent.idempotency_key);
    assert.equal(lead.traits.email, 'ann@acme.com');
    assert.equal('questions' in lead.traits, false, 'free text is not a trait');
    assert.deepEqual(answers.map((a) => [a.status, a.body.status]), [[200, 'forwarded'], ...tagPosts.slice(1).map(() => [200, 'duplicate'])]);
    assert.equal(crm().length, 1, 'forwarded exactly once');
    assert.deepEqual([seen.pageErrors, seen.consoleErrors], [[], []]);

    // A script replaying the tag's request, or claiming a higher stage for the same visitor, forwards nothing.
    const forged = { ...sent, stage: 'sql', total: 500, idempotency_key: `${sent.lead_id}:textbook:sql` };
    for (const body of [tagPosts[0], JSON.stringify(forged)]) {
      const response = await fetch(`${relayUrl}/leads`, { method: 'POST', body, headers: { 'content-type': 'text/plain;charset=UTF-8' } });
      assert.equal(response.status, 200);
      assert.equal((await response.json()).status, 'duplicate');
    }
    assert.equal(crm().length, 1);
  } finally {
    await browser.close();
  }
});

test('a lead the server does not qualify: the tag is told so once (200 not_qualified), its outbox settles, nothing is forwarded', { timeout: 120_000 }, async () => {
  // The relay's copy of the model asks for more than the tag's: a stage the journey does not reach.
  relayModel = { ...model, qualify: { ...model.qualify, stage: 'sql' } };
  const before = { answers: answers.length, crm: receiver.received.filter((r) => r.path === '/crm').length };
  const browser = await launch();
  try {
    const { page } = await openPage(browser.context);
    const card = await journey(page, siteUrl, { email: 'bo@bravo.example' });
    assert.equal(card.qualified, true, 'the tag qualifies the visitor');
    await until(() => answers.length > before.answers, 60_000, 'the relay\'s answer');
    await until(() => page.evaluate(() => !localStorage.getItem('leadscore:outbox')), 15_000, 'the outbox to empty');
    const [answer, ...retries] = answers.slice(before.answers);
    assert.deepEqual([answer.status, answer.body.status, answer.body.qualified], [200, 'not_qualified', false]);
    assert.ok(retries.every((a) => a.body.status === 'duplicate'), 'a retry after a slow answer is a no-op');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(answers.length, before.answers + 1 + retries.length, 'the tag stopped sending');
    assert.equal(receiver.received.filter((r) => r.path === '/crm').length, before.crm, 'nothing forwarded');
  } finally {
    relayModel = model;
    await browser.close();
  }
});
