// relay(request, options) in Node, called directly with what the tag sends: re-scored from the state
// (the tag's card ignored), forwarded in the lead format only when the server's score qualifies,
// bounded (body, fields, one forward per lead and stage, replays), answers that settle the tag's
// outbox, several destinations each on its own, signed webhooks checked with the `standardwebhooks`
// package. Destinations are real HTTP servers on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { createRelay, hubspot, pipedrive, relay, salesforce, segment, slack, verifyWebhook, webhook, RELAY_RETRY_AFTER_S } from 'leadscore/edge';
import { startReceiver } from './harness.mjs';
import { buyerEvents, tagPayload, tagRequest } from './tag-payload.mjs';
import { startVendors } from './vendors.mjs';
import model from '../../examples/model.mjs';

const SECRET = `whsec_${Buffer.from('relay-test-secret-0123456789abcdef').toString('base64')}`;
const OLD_SECRET = `whsec_${Buffer.from('the-secret-before-rotation-0123').toString('base64')}`;
const NOW = Date.now();
const START = NOW - 10 * 60_000;

let receiver;
let vendors;
before(async () => { [receiver, vendors] = await Promise.all([startReceiver(), startVendors()]); });
after(async () => { await Promise.all([receiver?.stop(), vendors?.stop()]); });

let n = 0;
const nextLead = () => `lead${String(++n).padStart(8, '0')}`;
const buyer = (extra = {}) => tagPayload(model, { leadId: nextLead(), events: buyerEvents(START), now: NOW, ...extra });
const browsing = () => tagPayload(model, { leadId: nextLead(), events: [{ type: 'page_view', ts: START, path: '/' }], now: NOW });
const base = { model, now: NOW, timeoutMs: 500, retryDelayMs: 10 };
const call = async (payload, options, headers) => {
  const response = await relay(tagRequest('https://edge.example/leads', payload, headers), { ...base, ...options });
  return { status: response.status, headers: response.headers, body: await response.json() };
};

test('a qualified lead is re-scored and forwarded once, in the lead format, with the server\'s key', async () => {
  const payload = buyer();
  const answer = await call(payload, { forward: receiver.url('/hook') });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.status, 'forwarded');
  assert.equal(answer.headers.get('access-control-allow-origin'), '*', 'the tag reads the answer cross-origin');
  const [got] = await receiver.waitFor('/hook', payload.lead_id);
  assert.equal(got.body.type, 'lead.qualified');
  assert.equal(got.body.scored_by, 'server');
  assert.equal(got.body.total, payload.total, 'an honest tag and the server agree');
  assert.equal(got.body.idempotency_key, `${payload.lead_id}:b2b:${got.body.stage}`);
  assert.equal(got.headers['idempotency-key'], got.body.idempotency_key);
  assert.equal(got.body.page, 'https://www.example.com/webinar', 'the page without its query');
  assert.deepEqual(Object.keys(got.body.traits).sort(), ['company_size', 'email', 'job_title']);
  assert.equal('state' in got.body || 'history' in got.body, false, 'unverified client data is not forwarded');
});

test('the card the tag claims is ignored: a browsing visitor claiming SQL is not qualified, nothing forwarded', async () => {
  const forged = { ...browsing(), total: 999, stage: 'sql', qualified: true, grade: 'A1' };
  forged.idempotency_key = `${forged.lead_id}:b2b:sql`;
  const answer = await call(forged, { forward: receiver.url('/forged') });
  assert.equal(answer.status, 200, 'a 2xx: the outbox stops retrying');
  assert.equal(answer.body.status, 'not_qualified');
  assert.equal(answer.body.qualified, false);
  assert.equal(receiver.find('/forged', forged.lead_id).length, 0);
});

test('a forged state is clamped; forged traits outside the allow-list and a forged email_domain do not count', async () => {
  const payload = browsing();
  // A day of engaged time on pricing claimed within one minute of activity (10 minutes would score).
  payload.state.pages.push(['/pricing', 1, -1, [30], 86_400, 0, 60]);
  payload.state.traits = { email: 'sam@gmail.com', email_domain: 'acme-logistics.com', company_size: 120, job_title: 'VP Sales', vip: true };
  const options = { forward: receiver.url('/clamp') };
  const answer = await call(payload, options);
  assert.equal(answer.status, 200);
  assert.equal(answer.body.status, 'not_qualified', JSON.stringify(answer.body));
  assert.equal(answer.body.total, 35, 'fit 20 (free email) + pricing 15; the claimed engaged time was cut');
  const keyOfAnother = await call({ ...payload, lead_id: nextLead() }, options);
  assert.equal(keyOfAnother.status, 400, 'the key must belong to the lead');
  assert.equal(keyOfAnother.body.field, 'idempotency_key');
});

test('replays: a seen key is a 2xx no-op; another key for the same lead and stage is a duplicate', async () => {
  const payload = buyer();
  const forward = receiver.url('/replay');
  assert.equal((await call(payload, { forward })).body.status, 'forwarded');
  const again = await call(payload, { forward });
  assert.deepEqual([again.status, again.body.status], [200, 'duplicate']);
  const otherKey = await call({ ...payload, idempotency_key: `${payload.lead_id}:b2b:claimed-by-a-script` }, { forward });
  assert.deepEqual([otherKey.status, otherKey.body.status], [200, 'duplicate']);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(receiver.find('/replay', payload.lead_id).length, 1, 'forwarded exactly once');
});

test('concurrent requests for one lead and stage (different keys) forward once', async () => {
  const payload = buyer();
  const forward = receiver.url('/race');
  const keys = ['a', 'b', 'c', 'd'].map((k) => `${payload.lead_id}:b2b:${k}`);
  const answers = await Promise.all(keys.map((key) => call({ ...payload, idempotency_key: key }, { forward })));
  assert.deepEqual(answers.map((a) => a.body.status).sort(), ['duplicate', 'duplicate', 'duplicate', 'forwarded']);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(receiver.find('/race', payload.lead_id).length, 1);
});

test('bounds: method, content type, size, JSON, fields, lead id, state', async () => {
  const url = 'https://edge.example/leads';
  const get = await relay(new Request(url), base);
  assert.deepEqual([get.status, get.headers.get('allow')], [405, 'POST, OPTIONS']);
  const form = await relay(new Request(url, { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), base);
  assert.equal(form.status, 415);
  const big = await call('x'.repeat(70_000), {});
  assert.deepEqual([big.status, big.body.field], [413, 'body']);
  // Too large whichever way the body is read: declared so (not read), streamed without a length, or
  // declared smaller than it is (read in one call, then counted).
  for (const length of ['70000', undefined, '100']) {
    const answer = await call('x'.repeat(70_000), {}, length === undefined ? {} : { 'content-length': length });
    assert.deepEqual([answer.status, answer.body.field], [413, 'body'], `content-length ${length}`);
  }
  const cases = [
    ['{"lead_id":', 'body'], ['[1]', 'body'], [JSON.stringify({ lead_id: 'short', idempotency_key: 'short:b2b:mql', state: {} }), 'lead_id'],
    [JSON.stringify({ ...buyer(), state: undefined }), 'state'],
    [JSON.stringify(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`f${i}`, i]))), 'body'],
    [JSON.stringify({ ...buyer(), state: { v: 1, pages: [[['/', [[1]]]]] } }), 'state.pages[0][0][1]'],
    [JSON.stringify({ ...buyer(), state: { v: 99 } }), 'state.v'],
    [`${'['.repeat(30_000)}${']'.repeat(30_000)}`, 'body'],
  ];
  for (const [body, field] of cases) {
    const answer = await call(body, {});
    assert.equal(answer.status, 400, `${body.slice(0, 60)}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.field, field, body.slice(0, 60));
  }
});

test('no destination takes the lead: 503 with Retry-After (exposed), and the retry is delivered', async () => {
  const payload = buyer();
  const failures = [];
  const down = await call(payload, { forward: 'http://127.0.0.1:9/closed', onForwardError: (f) => failures.push(f) });
  assert.equal(down.status, 503);
  assert.equal(down.headers.get('retry-after'), String(RELAY_RETRY_AFTER_S));
  assert.match(down.headers.get('access-control-expose-headers'), /retry-after/);
  assert.equal(down.body.forward[0].attempts, 2, 'one retry before answering');
  assert.equal(failures.length, 1);
  const back = await call(payload, { forward: receiver.url('/back') });
  assert.deepEqual([back.status, back.body.status], [200, 'forwarded'], 'the key was forgotten: the tag\'s retry goes through');
});

test('a retry carries the same idempotency key and webhook-id, with a valid signature', async () => {
  const { createServer } = await import('node:http');
  const seen = [];
  const flaky = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => { text += c; });
    req.on('end', () => { seen.push({ headers: req.headers, text }); res.writeHead(seen.length === 1 ? 503 : 200).end(); });
  });
  await new Promise((resolve) => flaky.listen(0, '127.0.0.1', resolve));
  try {
    const answer = await call(buyer(), { forward: webhook(`http://127.0.0.1:${flaky.address().port}/`, { secret: SECRET }) });
    assert.deepEqual(answer.body.forward, [{ status: 'sent', target: 'webhook', attempts: 2, http_status: 200 }]);
    assert.equal(seen.length, 2);
    assert.equal(seen[1].headers['idempotency-key'], seen[0].headers['idempotency-key']);
    assert.equal(seen[1].headers['webhook-id'], seen[0].headers['idempotency-key']);
    for (const { text, headers } of seen) assert.equal(new Webhook(SECRET).verify(text, headers).lead_id, answer.body.lead_id);
  } finally {
    await new Promise((resolve) => flaky.close(resolve));
  }
});

test('several destinations: each on its own; one down does not hold back the others', async () => {
  const payload = buyer();
  const failures = [];
  const answer = await call(payload, {
    forward: [receiver.url('/multi'), 'http://127.0.0.1:9/closed', slack(vendors.url('/slack/T000/B000/x'))],
    onForwardError: (f) => failures.push(f),
  });
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body.forward.map((o) => [o.target, o.status]), [['webhook', 'sent'], ['webhook', 'failed'], ['slack', 'sent']]);
  assert.equal(failures.length, 1);
  assert.equal(receiver.find('/multi', payload.lead_id).length, 1);
});

test('waitUntil: 202 at once, delivery in the background', async () => {
  const pending = [];
  const payload = buyer();
  const answer = await call(payload, { forward: receiver.url('/later'), waitUntil: (p) => pending.push(p) });
  assert.deepEqual([answer.status, answer.body.status], [202, 'pending']);
  await Promise.all(pending);
  assert.equal(receiver.find('/later', payload.lead_id).length, 1);
});

test('CORS: preflight, and only listed origins may read the answer', async () => {
  const preflight = await relay(new Request('https://edge.example/leads', { method: 'OPTIONS', headers: { origin: 'https://www.example.com' } }), base);
  assert.equal(preflight.status, 204);
  const listed = await call(browsing(), { cors: ['https://www.example.com'] });
  assert.equal(listed.headers.get('access-control-allow-origin'), 'https://www.example.com');
  const other = await call(browsing(), { cors: ['https://www.example.com'] }, { origin: 'https://evil.example' });
  assert.equal(other.headers.get('access-control-allow-origin'), null);
});

test('signed webhook: the standardwebhooks package verifies it, with either secret while rotating', async () => {
  const payload = buyer();
  await call(payload, { forward: webhook(receiver.url('/signed'), { secret: [SECRET, OLD_SECRET] }) });
  const [got] = await receiver.waitFor('/signed', payload.lead_id);
  assert.equal(got.headers['webhook-id'], got.body.idempotency_key);
  assert.equal(got.headers['webhook-signature'].split(' ').length, 2);
  for (const secret of [SECRET, OLD_SECRET]) {
    const verified = new Webhook(secret).verify(got.text, got.headers);
    assert.equal(verified.lead_id, payload.lead_id);
    const request = new Request('http://x/', { method: 'POST', body: got.text, headers: got.headers });
    assert.equal((await verifyWebhook(secret, request)).lead_id, payload.lead_id);
  }
});

test('signed webhook: a tampered body, a stale timestamp and a wrong secret are rejected (ours and the package)', async () => {
  const payload = buyer();
  await call(payload, { forward: webhook(receiver.url('/tamper'), { secret: SECRET }) });
  const [got] = await receiver.waitFor('/tamper', payload.lead_id);
  const wrong = `whsec_${Buffer.from('another-secret-entirely-0123456').toString('base64')}`;
  const stale = { ...got.headers, 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 3600) };
  const cases = [
    ['tampered body', SECRET, got.text.replace(`"total":${got.body.total}`, '"total":1000'), got.headers],
    ['stale timestamp', SECRET, got.text, stale],
    ['wrong secret', wrong, got.text, got.headers],
  ];
  for (const [what, secret, body, headers] of cases) {
    assert.notEqual(body, undefined);
    assert.throws(() => new Webhook(secret).verify(body, headers), undefined, `package: ${what}`);
    await assert.rejects(verifyWebhook(secret, new Request('http://x/', { method: 'POST', body, headers })), /webhook|signature/, `ours: ${what}`);
  }
  assert.notEqual(cases[0][2], got.text, 'the tampering changed the body');
});

test('Slack: a message a person reads (who, score, stage, top reasons, next step) that Slack accepts', async () => {
  const payload = buyer();
  const answer = await call(payload, { forward: slack(vendors.url('/slack/T1/B1/secret')) });
  assert.equal(answer.body.forward[0].status, 'sent', JSON.stringify(answer.body));
  const got = vendors.received.filter((r) => r.path === '/slack/T1/B1/secret').at(-1);
  assert.equal(got.problem, null);
  const message = JSON.parse(got.text);
  const text = message.blocks.map((b) => b.text?.text ?? b.elements.map((e) => e.text).join(' ')).join('\n');
  assert.match(text, /New MQL lead: dana@acme-logistics\.com, Head of Sales at acme-logistics\.com \(120\)/);
  assert.match(text, /Score \*\d+\* \(fit \d+, engagement \d+\)/);
  assert.match(text, /\*Why\*\n• Company size 50-1000 \+25\n• Registered for the webinar \+20\n• Viewed the pricing page \+15\n/);
  assert.match(text, /Next step:\* Sales: review and call/);
  assert.match(message.text, /New MQL lead/);
});

test('Salesforce Web-to-Lead: the org id, standard fields, the score in description and custom fields', async () => {
  const payload = buyer();
  const target = salesforce({ orgId: '00D000000000001', url: vendors.url('/servlet/servlet.WebToLead?encoding=UTF-8'), scoreFields: { total: '00N000000000001' } });
  const answer = await call(payload, { forward: target });
  assert.equal(answer.body.forward[0].status, 'sent');
  const got = vendors.received.filter((r) => r.path.startsWith('/servlet/')).at(-1);
  assert.equal(got.problem, null);
  const form = new URLSearchParams(got.text);
  assert.equal(form.get('email'), 'dana@acme-logistics.com');
  assert.equal(form.get('title'), 'Head of Sales');
  assert.equal(form.get('employees'), '120');
  assert.equal(form.get('00N000000000001'), String(answer.body.total));
  assert.match(form.get('description'), /^leadscore: mql, \d+ points .*Registered for the webinar \+20.*Next step: Sales: review and call\.$/);
});

test('Pipedrive: the person found or created, a lead titled with who and the score, the breakdown as a note', async () => {
  const target = pipedrive({ apiToken: 'pd-token', url: vendors.url('/pipedrive/v1') });
  const first = buyer();
  assert.equal((await call(first, { forward: target })).body.forward[0].status, 'sent');
  const second = buyer(); // the same email: the person is found, not created again
  assert.equal((await call(second, { forward: target })).body.forward[0].status, 'sent');
  const { persons, leads, notes } = vendors.pipedrive;
  assert.equal(persons.length, 1);
  assert.deepEqual(persons[0].email, [{ value: 'dana@acme-logistics.com', primary: true, label: 'work' }]);
  assert.equal(leads.length, 2);
  assert.match(leads[0].title, /^dana@acme-logistics\.com, Head of Sales at acme-logistics\.com \(120\): MQL 80 \(leadscore\)$/);
  assert.equal(leads[0].person_id, persons[0].id);
  assert.equal(notes.length, 2);
  assert.match(notes[0].content, /Registered for the webinar \+20/);
  assert.equal(vendors.received.filter((r) => r.path.startsWith('/pipedrive/') && r.problem).length, 0);
  const refused = await call(buyer(), { forward: pipedrive({ apiToken: 'wrong', url: vendors.url('/pipedrive/v1') }) });
  assert.deepEqual([refused.status, refused.body.forward[0].http_status, refused.body.forward[0].attempts], [503, 401, 1], 'a 401 is not retried');
});

test('HubSpot, Segment and a webhook at once: each gets the relay\'s lead in its own format', async () => {
  const payload = buyer();
  const answer = await call(payload, {
    forward: [hubspot({ portalId: 7, formGuid: 'g', url: receiver.url('/hs') }), segment({ writeKey: 'wk', url: receiver.url('/seg') }), receiver.url('/all')],
  });
  assert.deepEqual(answer.body.forward.map((o) => o.status), ['sent', 'sent', 'sent']);
  const hs = receiver.received.filter((r) => r.path === '/hs').at(-1).body;
  assert.equal(Object.fromEntries(hs.fields.map((f) => [f.name, f.value])).leadscore_score, String(answer.body.total));
  assert.equal(hs.context.pageUri, 'https://www.example.com/webinar');
  const [seg] = receiver.find('/seg', answer.body.idempotency_key);
  assert.equal(seg.body.batch[0].anonymousId, payload.lead_id);
  assert.equal(seg.body.batch[1].properties.stage, answer.body.stage);
  assert.equal(receiver.find('/all', payload.lead_id).length, 1);
});

test('createRelay checks the model up front; a broken model at request time is a 500 JSON answer', async () => {
  assert.throws(() => createRelay({ model: { name: 'x', rules: 'nope' } }), /rules/);
  const answer = await call(buyer(), { model: { name: 'x', rules: 'nope' } });
  assert.equal(answer.status, 500);
  assert.equal(answer.body.ok, false);
});
