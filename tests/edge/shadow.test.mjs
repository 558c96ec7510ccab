// A challenger model in shadow (`shadow` option of qualify and relay), in Node: it scores the same lead,
// its card rides in the forwarded lead as `shadow` (valid against schema/lead.json, checked with ajv),
// and it never decides anything: a lead the champion qualifies is delivered whatever the challenger
// says, a lead only the challenger would qualify is not. (workerd, Deno, Node: relay-runtimes.test.mjs.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import { createQualifier, createRelay, qualify, relay } from 'leadscore/edge';
import { Model } from 'leadscore';
import { startReceiver } from './harness.mjs';
import { buyerEvents, tagPayload, tagRequest } from './tag-payload.mjs';
import { lenientChallenger, strictChallenger } from './challengers.mjs';
import model from '../../examples/model.mjs';

const schema = JSON.parse(readFileSync(new URL('../../schema/lead.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }).compile(schema);
const NOW = Date.now();

let receiver;
before(async () => { receiver = await startReceiver(); });
after(async () => { await receiver?.stop(); });

const assertLead = (lead) => assert.ok(validate(lead), JSON.stringify(validate.errors, null, 2));

test('relay: the champion qualifies, the strict challenger does not: delivered, with the challenger\'s card', async () => {
  const payload = tagPayload(model, { leadId: 'shadow-relay-strict', events: buyerEvents(NOW - 600_000), now: NOW });
  const response = await relay(tagRequest('https://edge.example/leads', payload), { model, shadow: strictChallenger, now: NOW, forward: receiver.url('/strict') });
  const answer = await response.json();
  assert.deepEqual([response.status, answer.status, answer.stage], [200, 'forwarded', 'mql']);
  assert.equal('shadow' in answer, false, 'the answer to the browser says nothing of the challenger');
  const [got] = await receiver.waitFor('/strict', payload.lead_id);
  assertLead(got.body);
  assert.deepEqual([got.body.model, got.body.stage, got.body.qualified], ['b2b', 'mql', true]);
  const { shadow } = got.body;
  assert.deepEqual([shadow.model, shadow.model_version, shadow.qualified], ['b2b-strict', '2', false]);
  // The same state and traits, scored by the other card: the demo-interest rule adds its 20 points.
  assert.equal(shadow.total, got.body.total + 20);
  assert.ok(shadow.breakdown.some((line) => line.rule === 'webinar-buyer' && line.points === 20));
});

test('relay: only the lenient challenger would qualify a browsing visitor: nothing is forwarded', async () => {
  const payload = tagPayload(model, { leadId: 'shadow-relay-lenient', events: [{ type: 'page_view', ts: NOW - 60_000, path: '/pricing' }], now: NOW });
  const answer = await (await relay(tagRequest('https://edge.example/leads', payload), { model, shadow: lenientChallenger, now: NOW, forward: receiver.url('/lenient') })).json();
  assert.deepEqual([answer.status, answer.qualified], ['not_qualified', false]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(receiver.find('/lenient', payload.lead_id).length, 0);
});

test('relay without a shadow sends no shadow property; a Model is accepted as the shadow', async () => {
  const plain = tagPayload(model, { leadId: 'shadow-relay-none', events: buyerEvents(NOW - 600_000), now: NOW });
  await relay(tagRequest('https://edge.example/leads', plain), { model, now: NOW, forward: receiver.url('/none') });
  const [got] = await receiver.waitFor('/none', plain.lead_id);
  assert.equal('shadow' in got.body, false);

  const challenger = new Model(strictChallenger);
  const viaModel = tagPayload(model, { leadId: 'shadow-relay-model', events: buyerEvents(NOW - 600_000), now: NOW });
  await createRelay({ model, shadow: challenger, now: NOW, forward: receiver.url('/model') })(tagRequest('https://edge.example/leads', viaModel));
  const [withModel] = await receiver.waitFor('/model', viaModel.lead_id);
  assert.equal(withModel.body.shadow.model, 'b2b-strict');
  challenger.free();
});

test('qualify: the forwarded lead carries the challenger\'s card; the decision is the champion\'s', async () => {
  const body = new URLSearchParams({ email: 'dana@acme-logistics.com', company_size: '120', job_title: 'Head of Sales' });
  const request = new Request('https://edge.example/forms/demo', { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const decision = await (await qualify(request, { model, shadow: strictChallenger, form: 'demo', now: NOW, forward: receiver.url('/qualify') })).json();
  assert.deepEqual([decision.qualified, decision.stage, decision.total], [true, 'mql', 65]);
  const [got] = await receiver.waitFor('/qualify', decision.id);
  assertLead(got.body);
  assert.deepEqual([got.body.shadow.model, got.body.shadow.stage, got.body.shadow.qualified], ['b2b-strict', 'mql', false]);
});

test('a shadow that is not a model is a configuration error, found when the options are fixed', () => {
  assert.throws(() => createRelay({ model, shadow: 'b2b-strict' }), /shadow: expected a model document or a Model/);
  assert.throws(() => createQualifier({ model, shadow: { name: 'x', rules: 'none' } }));
});
