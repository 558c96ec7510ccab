// Every destination runs from the example as documented (examples/app.mjs, FORWARD_KIND and its
// settings; SLACK_WEBHOOK_URL alongside): the Node example relays a tag's lead, and each vendor's
// stand-in (tests/edge/vendors.mjs) or the receiver finds the request the vendor documents.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NOW, post, startNode, startReceiver, stopAll } from './harness.mjs';
import { buyerEvents, tagPayload } from './tag-payload.mjs';
import { startVendors } from './vendors.mjs';
import model from '../../examples/model.mjs';

let receiver;
let vendors;
const examples = {};

before(async () => {
  [receiver, vendors] = await Promise.all([startReceiver(), startVendors()]);
  const settings = {
    hubspot: { FORWARD_URL: receiver.url('/example-hubspot'), HUBSPOT_PORTAL_ID: '42', HUBSPOT_FORM_GUID: 'guid' },
    segment: { FORWARD_URL: receiver.url('/example-segment'), SEGMENT_WRITE_KEY: 'wk' },
    salesforce: { FORWARD_URL: vendors.url('/servlet/servlet.WebToLead?encoding=UTF-8'), SALESFORCE_ORG_ID: '00D000000000042' },
    pipedrive: { FORWARD_URL: vendors.url('/pipedrive/v1'), PIPEDRIVE_API_TOKEN: 'pd-token', SLACK_WEBHOOK_URL: vendors.url('/slack/T/B/example') },
  };
  const started = await Promise.all(Object.entries(settings).map(([kind, env]) =>
    startNode({ FORWARD_KIND: kind, LEADSCORE_NOW: String(NOW), ...env }).then((r) => [kind, r])));
  for (const [kind, r] of started) examples[kind] = r;
});

after(async () => {
  await stopAll();
  await Promise.all([receiver?.stop(), vendors?.stop()]);
});

const relayed = async (kind) => {
  const payload = tagPayload(model, { leadId: `example-${kind}-lead`, events: buyerEvents(NOW - 600_000), now: NOW });
  const answer = await post(examples[kind].url, '/leads', { method: 'POST', body: JSON.stringify(payload), headers: { 'content-type': 'text/plain;charset=UTF-8' } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.ok(answer.body.forward.every((o) => o.status === 'sent'), JSON.stringify(answer.body.forward));
  return { payload, answer: answer.body };
};

test('FORWARD_KIND=hubspot and segment: the form API and the batch API', async () => {
  const hs = await relayed('hubspot');
  const [form] = receiver.received.filter((r) => r.path === '/example-hubspot');
  assert.equal(Object.fromEntries(form.body.fields.map((f) => [f.name, f.value])).leadscore_score, String(hs.answer.total));
  const seg = await relayed('segment');
  const [batch] = receiver.find('/example-segment', seg.answer.idempotency_key);
  assert.deepEqual(batch.body.batch.map((m) => m.type), ['identify', 'track']);
});

test('FORWARD_KIND=salesforce: Web-to-Lead as Salesforce documents it', async () => {
  await relayed('salesforce');
  const got = vendors.received.filter((r) => r.path.startsWith('/servlet/')).at(-1);
  assert.equal(got.problem, null);
  assert.equal(new URLSearchParams(got.text).get('oid'), '00D000000000042');
});

test('FORWARD_KIND=pipedrive with SLACK_WEBHOOK_URL: a Pipedrive lead and a Slack message', async () => {
  const { answer } = await relayed('pipedrive');
  assert.deepEqual(answer.forward.map((o) => o.target), ['pipedrive', 'slack']);
  assert.equal(vendors.pipedrive.leads.length, 1);
  assert.equal(vendors.received.filter((r) => r.path === '/slack/T/B/example' && !r.problem).length, 1);
});
