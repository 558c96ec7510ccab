// One lead format: schema/lead.json (checked with ajv) describes what relay forwards, what qualify
// forwards and what the website tag POSTs; every field each of them sends is described by the schema.
// (The payload of the real tag in Chromium is checked in relay-e2e.test.mjs.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import { qualify, relay } from 'leadscore/edge';
import { startReceiver } from './harness.mjs';
import { buyerEvents, tagPayload, tagRequest } from './tag-payload.mjs';
import model from '../../examples/model.mjs';

export const leadSchema = JSON.parse(readFileSync(new URL('../../schema/lead.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }).compile(leadSchema);
const NOW = Date.now();

let receiver;
before(async () => { receiver = await startReceiver(); });
after(async () => { await receiver?.stop(); });

function assertLead(lead, what) {
  assert.ok(validate(lead), `${what}: ${JSON.stringify(validate.errors, null, 2)}`);
  const undescribed = Object.keys(lead).filter((key) => !(key in leadSchema.properties));
  assert.deepEqual(undescribed, [], `${what} sends fields the schema does not describe`);
}

test('the tag\'s payload is a lead', () => {
  assertLead(tagPayload(model, { leadId: 'a67e3c231d0027b564a3b494746c6f53', events: buyerEvents(NOW - 600_000), now: NOW }), 'tag');
});

test('relay\'s forward is a lead, scored by the server', async () => {
  const payload = tagPayload(model, { leadId: 'schema-relay-0001', events: buyerEvents(NOW - 600_000), now: NOW });
  const answer = await relay(tagRequest('https://edge.example/leads', payload), { model, now: NOW, forward: receiver.url('/relay') });
  assert.equal(answer.status, 200);
  const [got] = await receiver.waitFor('/relay', payload.lead_id);
  assertLead(got.body, 'relay');
  assert.equal(got.body.lead_format, 1);
});

test('qualify\'s forward is a lead, scored by the server', async () => {
  const body = new URLSearchParams({ email: 'dana@acme-logistics.com', company_size: '120', job_title: 'Head of Sales' });
  const request = new Request('https://edge.example/forms/demo', { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', referer: 'https://www.example.com/demo?x=1' } });
  const answer = await (await qualify(request, { model, form: 'demo', now: NOW, forward: receiver.url('/qualify') })).json();
  const [got] = await receiver.waitFor('/qualify', answer.id);
  assertLead(got.body, 'qualify');
  assert.equal(got.body.page, 'https://www.example.com/demo');
  assert.equal(got.body.form, 'demo');
});

test('what is not a lead is rejected', () => {
  const lead = tagPayload(model, { leadId: 'a67e3c231d0027b564a3b494746c6f53', events: buyerEvents(NOW - 600_000), now: NOW });
  const { lead_id: _, ...noId } = lead;
  for (const [what, bad] of [['no lead_id', noId], ['a total as text', { ...lead, total: '80' }],
    ['a nested trait', { ...lead, traits: { email: { x: 1 } } }], ['an unknown sender', { ...lead, sent_by: 'curl' }]]) {
    assert.equal(validate(bad), false, what);
  }
});

test('a model with value tiers: the tag, relay and qualify all carry the card\'s value, and the shadow\'s', async () => {
  const valued = {
    ...model,
    value: {
      rates: [{ min: 50, rate: 0.5 }, { rate: 0.05 }],
      amount: { default: 1000 },
      tiers: [{ tier: 'high', min: 400 }, { tier: 'low' }],
    },
  };
  const payload = tagPayload(valued, { leadId: 'schema-value-0001', events: buyerEvents(NOW - 600_000), now: NOW });
  assertLead(payload, 'tag with value tiers');
  assert.deepEqual(payload.value, { expected: 500, tier: 'high' });
  const answer = await relay(tagRequest('https://edge.example/leads', payload),
    { model: valued, shadow: valued, now: NOW, forward: receiver.url('/relay-value') });
  assert.equal(answer.status, 200);
  const [got] = await receiver.waitFor('/relay-value', payload.lead_id);
  assertLead(got.body, 'relay with value tiers');
  assert.deepEqual(got.body.value, { expected: 500, tier: 'high' });
  assert.deepEqual(got.body.shadow.value, { expected: 500, tier: 'high' });
});
