// The relay in the three runtimes: the edge examples (examples/app.mjs, POST /leads) run for real in
// workerd, Deno and Node, each forwarding signed webhooks to a receiver on 127.0.0.1. The same tag
// payloads give the same answers and the same forwarded lead everywhere, verified with the
// `standardwebhooks` package, with a challenger's card in shadow; replays and hostile bodies forward nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { NOW, post, startDeno, startNode, startReceiver, startWorkerd, stopAll } from './harness.mjs';
import { buyerEvents, tagPayload } from './tag-payload.mjs';
import { strictChallenger } from './challengers.mjs';
import model from '../../examples/model.mjs';

const SECRET = `whsec_${Buffer.from('runtimes-relay-secret-0123456789').toString('base64')}`;
let receiver;
const runtimes = {};

before(async () => {
  receiver = await startReceiver();
  const env = (name) => ({ FORWARD_URL: receiver.url(`/relay/${name}`), WEBHOOK_SECRET: SECRET, LEADSCORE_NOW: String(NOW), FORWARD_TIMEOUT_MS: '2000',
    SHADOW_MODEL: JSON.stringify(strictChallenger) });
  for (const r of await Promise.all([startWorkerd(env('workerd')), startDeno(env('deno')), startNode(env('node'))])) runtimes[r.name] = r;
});

after(async () => {
  await stopAll();
  await receiver?.stop();
});

const send = (name, body) => post(runtimes[name].url, '/leads', {
  method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://www.example.com' },
});
/** workerd answers at once and forwards with ctx.waitUntil; Deno and Node answer after the forward. */
const accepted = (name) => (name === 'workerd' ? [202, 'pending'] : [200, 'forwarded']);

test('a qualified lead: the same answer and the same signed lead from workerd, Deno and Node', async () => {
  const payload = tagPayload(model, { leadId: 'runtimes-buyer-01', events: buyerEvents(NOW - 600_000), now: NOW });
  const leads = {};
  for (const name of Object.keys(runtimes)) {
    const answer = await send(name, payload);
    assert.deepEqual([answer.status, answer.body.status], accepted(name), `${name}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.headers.get('access-control-allow-origin'), '*');
    const got = await receiver.waitFor(`/relay/${name}`, payload.lead_id);
    assert.equal(got.length, 1, `${name}: forwarded once`);
    leads[name] = new Webhook(SECRET).verify(got[0].text, got[0].headers);
  }
  assert.deepEqual(leads.deno, leads.node);
  assert.deepEqual(leads.workerd, leads.node);
  assert.equal(leads.node.scored_by, 'server');
  assert.equal(leads.node.total, payload.total);
  // The challenger in shadow (SHADOW_MODEL) reported its own card, and did not stop the delivery.
  assert.deepEqual([leads.node.shadow.model, leads.node.shadow.total, leads.node.shadow.qualified], ['b2b-strict', payload.total + 20, false]);

  for (const name of Object.keys(runtimes)) {
    const again = await send(name, payload);
    assert.deepEqual([again.status, again.body.status], [200, 'duplicate'], `${name}: a replay is a no-op`);
  }
});

test('a forged card is ignored and hostile bodies are refused, in every runtime', async () => {
  const forged = { ...tagPayload(model, { leadId: 'runtimes-forged-01', events: [{ type: 'page_view', ts: NOW - 1000, path: '/' }], now: NOW }), total: 999, stage: 'sql', qualified: true };
  for (const name of Object.keys(runtimes)) {
    const answer = await send(name, forged);
    assert.deepEqual([answer.status, answer.body.status], [200, 'not_qualified'], name);
    for (const [body, status] of [['x'.repeat(70_000), 413], ['{"lead_id":', 400], ['[]', 400], [JSON.stringify({ ...forged, lead_id: 'runtimes-bad-state', idempotency_key: 'runtimes-bad-state:b2b:new', state: { v: 1, pages: 'x' } }), 400]]) {
      assert.equal((await send(name, body)).status, status, `${name}: ${body.slice(0, 40)}`);
    }
    const wrongType = await post(runtimes[name].url, '/leads', { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(wrongType.status, 415, name);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const name of Object.keys(runtimes)) assert.equal(receiver.find(`/relay/${name}`, forged.lead_id).length, 0, name);
});
