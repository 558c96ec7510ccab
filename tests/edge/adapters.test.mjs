// leadscore/edge in Node, called directly: the HubSpot and Segment payloads, delivery (timeout,
// one retry, no retry on a 4xx), failure callbacks with and without waitUntil, CORS, and answers
// that never throw. Forwards go to a real receiver on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Model } from 'leadscore';
import { createQualifier, hubspot, qualify, segment, webhook } from 'leadscore/edge';
import { NOW, startReceiver } from './harness.mjs';
import model from '../../examples/model.mjs';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(async () => { await receiver?.stop(); });

let n = 0;
/** A qualifying submission (unique, so replay protection lets each through). */
function submission(extra = {}, headers = {}) {
  n += 1;
  const body = new URLSearchParams({ email: `dana${n}@acme-logistics.com`, company_size: '120', job_title: 'Head of Sales', ...extra });
  return new Request('https://edge.example/forms/demo', {
    method: 'POST', body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', referer: 'https://www.example.com/demo?email=x#top', ...headers },
  });
}
const base = { model, form: 'demo', now: NOW, timeoutMs: 300, retryDelayMs: 10 };

test('HubSpot: fields [{ name, value }], score properties and context (hutk, pageUri)', async () => {
  const answer = await (await qualify(submission({}, { cookie: 'hubspotutk=abc123; other=1' }), {
    ...base, forward: hubspot({ portalId: 42, formGuid: 'f-guid', token: 'pat-1', url: receiver.url('/hubspot') }),
  })).json();
  assert.equal(answer.forward.status, 'sent');
  const [got] = receiver.received.filter((r) => r.path === '/hubspot');
  assert.equal(got.headers.authorization, 'Bearer pat-1');
  assert.equal(got.body.submittedAt, String(NOW));
  assert.deepEqual(got.body.context, { hutk: 'abc123', pageUri: 'https://www.example.com/demo', pageName: 'demo' });
  const fields = Object.fromEntries(got.body.fields.map((f) => [f.name, f.value]));
  assert.equal(fields.email, `dana${n}@acme-logistics.com`);
  assert.equal(fields.company_size, '120');
  assert.equal(fields.leadscore_score, String(answer.total));
  assert.equal(fields.leadscore_stage, answer.stage);
  assert.match(fields.leadscore_breakdown, /Asked for a demo \+30/);
  assert.ok(got.body.fields.every((f) => f.objectTypeId === '0-1'));
});

test('HubSpot endpoints: unauthenticated submit, authenticated secure/submit', () => {
  assert.equal(hubspot({ portalId: 1, formGuid: 'g' }).url, 'https://api.hsforms.com/submissions/v3/integration/submit/1/g');
  assert.equal(hubspot({ portalId: 1, formGuid: 'g', token: 't' }).url, 'https://api.hsforms.com/submissions/v3/integration/secure/submit/1/g');
});

test('Segment: one batch with identify + track, basic auth with the write key', async () => {
  const answer = await (await qualify(submission({}, { cookie: 'ajs_anonymous_id=%22anon-7%22' }), {
    ...base, forward: segment({ writeKey: 'wk_123', url: receiver.url('/segment') }),
  })).json();
  assert.equal(answer.forward.status, 'sent');
  const [got] = receiver.received.filter((r) => r.path === '/segment');
  assert.equal(got.headers.authorization, `Basic ${Buffer.from('wk_123:').toString('base64')}`);
  const [identify, track] = got.body.batch;
  assert.equal(identify.type, 'identify');
  assert.equal(identify.anonymousId, 'anon-7');
  assert.equal(identify.traits.lead_score, answer.total);
  assert.equal(identify.messageId, `${answer.id}-identify`);
  assert.equal(track.type, 'track');
  assert.equal(track.event, 'Lead Qualified');
  assert.equal(track.properties.total, answer.total);
  assert.ok(track.properties.breakdown.some((line) => line.rule === 'demo'));
  assert.equal(track.timestamp, new Date(NOW).toISOString());
});

test('the webhook payload is a lead: only allow-listed fields, the card, the page without its query', async () => {
  const answer = await (await qualify(submission({ password: 'hunter2', notes: 'call me' }), { ...base, forward: receiver.url('/plain') })).json();
  assert.deepEqual(answer.ignored_fields, ['password', 'notes']);
  const [got] = receiver.find('/plain', answer.id);
  assert.deepEqual(Object.keys(got.body).sort(), ['breakdown', 'clamped', 'disqualified_by', 'engagement', 'fit', 'form', 'grade',
    'idempotency_key', 'lead_format', 'lead_id', 'model', 'model_version', 'next_step', 'page', 'qualified', 'reasons', 'scored_at',
    'scored_by', 'sent_by', 'stage', 'total', 'traits', 'type']);
  assert.deepEqual(Object.keys(got.body.traits).sort(), ['company_size', 'email', 'job_title']);
  assert.equal(got.body.page, 'https://www.example.com/demo');
  assert.equal(got.body.total, answer.total);
  assert.deepEqual([got.body.lead_id, got.body.idempotency_key, got.headers['idempotency-key']], [answer.id, answer.id, answer.id]);
  assert.equal(JSON.stringify(got.body).includes('hunter2'), false);
});

test('a target that never answers: timeout, one retry, failure in the answer and the callback', async () => {
  receiver.mode = 'hang';
  const failures = [];
  try {
    const started = Date.now();
    const answer = await (await qualify(submission(), {
      ...base, forward: webhook(receiver.url('/hang')), onForwardError: (f) => { failures.push(f); },
    })).json();
    assert.ok(Date.now() - started < 3000, 'bounded by two timeouts');
    assert.equal(answer.forward.status, 'failed');
    assert.equal(answer.forward.attempts, 2);
    assert.match(answer.forward.error, /no answer within 300 ms/);
    assert.equal(failures.length, 1);
    assert.equal(failures[0].lead.lead_id, answer.id);
    assert.equal(receiver.find('/hang', answer.id).length, 2, 'sent twice, same idempotency key');
  } finally {
    receiver.mode = 'ok';
  }
});

test('a 503 is retried once; a 400 is not retried', async () => {
  let calls = 0;
  const flaky = async (url, init) => {
    calls += 1;
    return calls === 1 ? new Response('busy', { status: 503 }) : fetch(url, init);
  };
  const retried = await (await qualify(submission(), { ...base, forward: receiver.url('/flaky'), fetch: flaky })).json();
  assert.deepEqual(retried.forward, { status: 'sent', target: 'webhook', attempts: 2, http_status: 200 });

  let rejectedCalls = 0;
  const rejecting = async () => { rejectedCalls += 1; return new Response('bad', { status: 400 }); };
  const errors = [];
  const rejected = await (await qualify(submission(), { ...base, forward: receiver.url('/x'), fetch: rejecting, onForwardError: (f) => errors.push(f) })).json();
  assert.deepEqual(rejected.forward, { status: 'failed', target: 'webhook', attempts: 1, http_status: 400, error: 'HTTP 400' });
  assert.equal(rejectedCalls, 1);
  assert.equal(errors.length, 1);
});

test('with waitUntil the answer comes at once and the failure reaches the callback', async () => {
  const pending = [];
  const failures = [];
  const answer = await (await qualify(submission(), {
    ...base, forward: 'http://127.0.0.1:9/closed', waitUntil: (p) => pending.push(p), onForwardError: (f) => failures.push(f),
  })).json();
  assert.deepEqual(answer.forward, { status: 'pending', target: 'webhook' });
  assert.equal(pending.length, 1);
  await pending[0];
  assert.equal(failures.length, 1);
  assert.equal(failures[0].attempts, 2);
});

test('without a callback a failed lead is written whole to console.error, never dropped silently', async () => {
  const logged = [];
  const original = console.error;
  console.error = (...args) => logged.push(args.join(' '));
  try {
    const answer = await (await qualify(submission(), { ...base, forward: 'http://127.0.0.1:9/closed' })).json();
    assert.equal(answer.forward.status, 'failed');
    assert.ok(logged.some((line) => line.includes('forwarding failed') && line.includes(answer.id) && line.includes('"breakdown"')));
  } finally {
    console.error = original;
  }
});

test('a state in the X-Leadscore-State header counts like the field; the event id avoids a double count', async () => {
  const { Scorer } = await import('leadscore');
  const scorer = new Scorer(model);
  scorer.ingest({ type: 'form_submit', ts: NOW - 60_000, id: 'sub-1', form: 'demo' });
  const state = JSON.stringify(scorer.exportState());
  scorer.free();
  const viaHeader = await (await qualify(submission({ leadscore_event_id: 'sub-1' }, { 'x-leadscore-state': Buffer.from(state).toString('base64url') }),
    { ...base, exposeBreakdown: true })).json();
  const demo = viaHeader.breakdown.find((line) => line.rule === 'demo');
  assert.equal(demo.count, 1, 'the browser-recorded submission and this one are the same event');
  const viaField = await (await qualify(submission({ leadscore_event_id: 'sub-1', leadscore_state: state }), { ...base, exposeBreakdown: true })).json();
  assert.deepEqual(viaField.breakdown, viaHeader.breakdown);
});

test('never throws: a broken model is a 500 JSON answer; createQualifier checks it up front', async () => {
  const response = await qualify(submission(), { model: { name: 'x', rules: 'nope' } });
  assert.equal(response.status, 500);
  const body = await response.json();
  assert.equal(body.ok, false);
  assert.match(body.error, /rules/);
  assert.throws(() => createQualifier({ model: { name: 'x', rules: 'nope' } }), /rules/);
  const missing = await qualify(submission(), undefined);
  assert.equal(missing.status, 500);
});

test('a Model instance works as the model; no forward target means decide only', async () => {
  const body = await (await qualify(submission(), { ...base, model: new Model(model) })).json();
  assert.equal(body.qualified, true);
  assert.deepEqual(body.forward, { status: 'none' });
});

test('CORS: preflight and allowed origins', async () => {
  const options = { ...base, cors: ['https://www.example.com'] };
  const preflight = await qualify(new Request('https://edge.example/forms/demo', { method: 'OPTIONS', headers: { origin: 'https://www.example.com' } }), options);
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://www.example.com');
  assert.match(preflight.headers.get('access-control-allow-headers'), /x-leadscore-state/);
  const allowed = await qualify(submission({}, { origin: 'https://www.example.com' }), options);
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://www.example.com');
  const other = await qualify(submission({}, { origin: 'https://evil.example' }), options);
  assert.equal(other.headers.get('access-control-allow-origin'), null);
});

test('field types: numbers, booleans and strings as configured', async () => {
  const fields = { size: { trait: 'company_size', type: 'number' }, consent: { trait: 'need', type: 'boolean' }, zip: { trait: 'zip', type: 'string' } };
  const ok = await (await qualify(submission({ size: '120', consent: 'on', zip: '01234' }), { ...base, fields, exposeBreakdown: true })).json();
  assert.equal(ok.ok, true);
  // A boolean field reads the words the engine reads as true (y too), and their opposites.
  for (const [answer, accepted] of [['y', true], ['N', true], ['Yes', true], ['maybe', false]]) {
    const response = await qualify(submission({ consent: answer }), { ...base, fields });
    assert.equal(response.status === 200, accepted, `consent=${answer}: ${response.status}`);
  }
  const bad = await qualify(submission({ size: 'many' }), { ...base, fields });
  assert.equal(bad.status, 400);
  assert.deepEqual(await bad.json(), { ok: false, error: 'expected a number', field: 'size' });
});

test('leadscore/edge/init: the caller supplies the wasm (the Vercel/Netlify form), then qualify works', async () => {
  const { execFileSync } = await import('node:child_process');
  const script = `
    import { readFileSync } from 'node:fs';
    import { init, qualify, engineVersion } from 'leadscore/edge/init';
    import model from './examples/model.mjs';
    init(new WebAssembly.Module(readFileSync('./pkg/core/leadscore_bg.wasm')));
    const request = new Request('http://x/', { method: 'POST', body: 'email=a@acme-logistics.com&company_size=120&job_title=VP', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const answer = await (await qualify(request, { model, form: 'demo' })).json();
    console.log(JSON.stringify({ version: engineVersion(), qualified: answer.qualified }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('../../', import.meta.url), encoding: 'utf8', timeout: 30_000 });
  const result = JSON.parse(out);
  assert.match(result.version, /^\d+\.\d+\.\d+/);
  assert.equal(result.qualified, true);
});
