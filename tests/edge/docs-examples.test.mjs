// The examples of docs/edge.md "Delivering the tag's leads" and "Signed webhooks" run as written: the
// Worker serving the relay (called the way workerd calls it, with env and ctx.waitUntil) forwards a
// tag's lead to a receiver and to Slack; the receiver Worker accepts that request and refuses a tampered one.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startReceiver } from './harness.mjs';
import { buyerEvents, tagPayload, tagRequest } from './tag-payload.mjs';
import { startVendors } from './vendors.mjs';
import { strictChallenger } from './challengers.mjs';
import model from '../../examples/model.mjs';

const docs = readFileSync(new URL('../../docs/edge.md', import.meta.url), 'utf8');
/** The first ```js block after `heading`. */
const block = (heading) => {
  const code = docs.split(heading)[1]?.match(/```js\n([\s\S]*?)```/)?.[1];
  assert.ok(code, `no js block after ${heading}`);
  return code;
};
const written = [];
/** Writes the block next to this test (so `leadscore/edge` resolves to the built package) and imports it. */
async function load(code, name) {
  const file = new URL(`./${name}-${process.pid}.tmp.mjs`, import.meta.url);
  writeFileSync(file, code);
  written.push(file);
  return (await import(file.href)).default;
}

const SECRET = `whsec_${Buffer.from('docs-example-secret-0123456789ab').toString('base64')}`;
let receiver;
let vendors;
const modelFile = new URL('./model.json', import.meta.url);
const challengerFile = new URL('./challenger.json', import.meta.url);
before(async () => {
  [receiver, vendors] = await Promise.all([startReceiver(), startVendors()]);
  writeFileSync(modelFile, JSON.stringify(model));
  writeFileSync(challengerFile, JSON.stringify(strictChallenger));
  written.push(modelFile, challengerFile);
});
after(async () => {
  for (const file of written) rmSync(file, { force: true });
  await Promise.all([receiver?.stop(), vendors?.stop()]);
});

test('docs: the relay Worker and the receiver Worker', async () => {
  const relayWorker = await load(block("## Delivering the tag's leads"), 'docs-relay');
  const env = { CRM_WEBHOOK_URL: receiver.url('/docs-crm'), WEBHOOK_SECRET: SECRET, SLACK_WEBHOOK_URL: vendors.url('/slack/T/B/docs') };
  const pending = [];
  const ctx = { waitUntil: (promise) => pending.push(promise) };
  const now = Date.now();
  const payload = tagPayload(model, { leadId: 'docs-example-lead', events: buyerEvents(now - 600_000), now });
  const response = await relayWorker.fetch(tagRequest('https://edge.example.com/leads', payload), env, ctx);
  assert.equal(response.status, 202);
  await Promise.all(pending);
  const [got] = receiver.find('/docs-crm', payload.lead_id);
  assert.ok(got, 'the webhook got the lead');
  assert.equal(vendors.received.filter((r) => r.path === '/slack/T/B/docs' && !r.problem).length, 1, 'Slack got the message');

  const receiverWorker = await load(block('### Signed webhooks'), 'docs-receiver');
  const signed = (body) => new Request('https://crm.example/hook', { method: 'POST', body, headers: got.headers });
  assert.equal((await receiverWorker.fetch(signed(got.text), { WEBHOOK_SECRET: SECRET })).status, 204);
  assert.equal((await receiverWorker.fetch(signed(got.text.replace('"qualified":true', '"qualified":false')), { WEBHOOK_SECRET: SECRET })).status, 401);
});

test('docs: a challenger in shadow reports its card and does not decide', async () => {
  const shadowWorker = await load(block('### A challenger in shadow'), 'docs-shadow');
  const pending = [];
  const ctx = { waitUntil: (promise) => pending.push(promise) };
  const now = Date.now();
  const payload = tagPayload(model, { leadId: 'docs-shadow-lead', events: buyerEvents(now - 600_000), now });
  const response = await shadowWorker.fetch(tagRequest('https://edge.example.com/leads', payload), { CRM_WEBHOOK_URL: receiver.url('/docs-shadow'), WEBHOOK_SECRET: SECRET }, ctx);
  assert.equal(response.status, 202);
  await Promise.all(pending);
  const [got] = receiver.find('/docs-shadow', payload.lead_id);
  assert.deepEqual([got?.body.qualified, got?.body.stage], [true, 'mql'], 'the champion decided: forwarded');
  const { shadow } = got.body;
  assert.deepEqual([shadow.model, shadow.stage, shadow.total, shadow.qualified], ['b2b-strict', 'sql', 100, false]);
});
