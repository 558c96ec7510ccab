// The edge examples run for real: workerd (Cloudflare Worker), Deno and Node, each forwarding to a
// receiver on 127.0.0.1. The same golden submissions (tests/edge-golden/) must give the same answer
// and forward the same payload in all three; hostile bodies get 4xx without a crash; a target that
// is down is reported; replays are refused.
// UPDATE_EDGE_GOLDEN=1 rewrites the expectations from the Node run: review the diff before committing.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  NOW, goldenDir, loadEdgeCases, post, postEarlyAnswer, requestOf, startDeno, startNode, startReceiver, startWorkerd, stopAll,
} from './harness.mjs';

const cases = loadEdgeCases();
let receiver;
/** name -> { name, url, child } */
const runtimes = {};

before(async () => {
  receiver = await startReceiver();
  const env = (name) => ({
    FORWARD_URL: receiver.url(`/hook/${name}`), LEADSCORE_NOW: String(NOW), LEADSCORE_EXPOSE_BREAKDOWN: '1', FORWARD_TIMEOUT_MS: '1000',
  });
  const started = await Promise.all([startWorkerd(env('workerd')), startDeno(env('deno')), startNode(env('node'))]);
  for (const r of started) runtimes[r.name] = r;
});

after(async () => {
  await stopAll();
  await receiver?.stop();
});

/** workerd answers at once (waitUntil); Deno and Node wait for the forward and report it. */
const background = (name) => name === 'workerd';

function expectedForward(name, c) {
  if (!c.expect.forwarded) return { status: 'skipped' };
  return background(name) ? { status: 'pending', target: 'webhook' } : { status: 'sent', target: 'webhook', attempts: 1, http_status: 200 };
}

describe('golden submissions', () => {
  test('there are golden submissions', () => assert.ok(cases.length >= 10));

  for (const c of cases) {
    test(`${c.file}: ${c.description}`, async () => {
      const { path, init } = requestOf(c);
      const answers = {};
      for (const name of Object.keys(runtimes)) answers[name] = await post(runtimes[name].url, path, init);

      const forwarded = {};
      for (const [name, answer] of Object.entries(answers)) {
        const id = answer.body?.id;
        if (answer.status === 200 && answer.body.qualified) {
          const got = await receiver.waitFor(`/hook/${name}`, id);
          assert.equal(got.length, 1, `${name}: exactly one payload forwarded for ${id}`);
          forwarded[name] = got[0].body;
          assert.equal(got[0].headers['idempotency-key'], id);
        } else {
          forwarded[name] = null;
        }
      }

      if (process.env.UPDATE_EDGE_GOLDEN) {
        const { forward, ...decision } = answers.node.body;
        const expect = { status: answers.node.status, decision: answers.node.status === 200 ? decision : answers.node.body, forwarded: forwarded.node };
        if (answers.node.status !== 200) delete expect.decision.forward;
        const { file, ...rest } = c;
        writeFileSync(new URL(file, goldenDir), `${JSON.stringify({ ...rest, expect }, null, 2)}\n`);
        c.expect = expect;
      }

      for (const [name, answer] of Object.entries(answers)) {
        assert.equal(answer.status, c.expect.status, `${name}: status (${JSON.stringify(answer.body)})`);
        if (answer.status === 200) {
          const { forward, ...decision } = answer.body;
          assert.deepEqual(decision, c.expect.decision, `${name}: decision`);
          assert.deepEqual(forward, expectedForward(name, c), `${name}: forward`);
        } else {
          assert.deepEqual(answer.body, c.expect.decision, `${name}: error`);
        }
        assert.deepEqual(forwarded[name], c.expect.forwarded, `${name}: forwarded payload`);
      }
    });
  }
});

test('a forged score is ignored', () => {
  const forged = cases.find((c) => c.file.startsWith('03-'));
  assert.equal(forged.expect.decision.qualified, false);
  assert.equal(forged.expect.decision.total, 0);
  assert.deepEqual(forged.expect.decision.ignored_fields, ['score', 'leadscore_score', 'qualified', 'total', 'grade']);
});

describe('hostile bodies', () => {
  const deep = (n) => `{"email":${'['.repeat(n)}${']'.repeat(n)}}`;
  const hostile = [
    ['garbled bytes', { 'content-type': 'application/x-www-form-urlencoded' }, new Uint8Array([0xff, 0xfe, 0x00, 0xc3, 0x28]), 400],
    ['garbled JSON', { 'content-type': 'application/json' }, '{"email": "a@acme.com", ', 400],
    ['2 MB body', { 'content-type': 'application/x-www-form-urlencoded' }, `email=${'a'.repeat(2 * 1024 * 1024)}`, 413],
    ['2 MB JSON', { 'content-type': 'application/json' }, JSON.stringify({ email: 'x'.repeat(2 * 1024 * 1024) }), 413],
    ['deeply nested JSON (10,000 levels)', { 'content-type': 'application/json' }, deep(10_000), 400],
    ['deeply nested JSON (100,000 levels, over the cap)', { 'content-type': 'application/json' }, deep(100_000), 413],
    ['deeply nested state', { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({ leadscore_state: `{"v":1,"first":0,"pages":${'['.repeat(5000)}${']'.repeat(5000)}}` }).toString(), 400],
    ['garbled multipart', { 'content-type': 'multipart/form-data; boundary=x' }, '--y\r\nnonsense', 400],
    ['wrong content type', { 'content-type': 'application/xml' }, '<lead/>', 415],
    ['no content type', {}, 'email=a@acme.com', 415],
    ['a JSON array', { 'content-type': 'application/json' }, '[1,2,3]', 400, 'body'],
    ['JSON null', { 'content-type': 'application/json' }, 'null', 400, 'body'],
    ['a JSON string', { 'content-type': 'application/json' }, '"email=a@acme.com"', 400, 'body'],
    ['an empty JSON body', { 'content-type': 'application/json' }, '', 400, 'body'],
    ['invalid UTF-8 in JSON', { 'content-type': 'application/json' }, new Uint8Array([0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), 400, 'body'],
    ['a __proto__ object (prototype pollution)', { 'content-type': 'application/json' },
      '{"email":"a@acme.com","__proto__":{"qualified":true,"total":100}}', 400, '__proto__'],
    ['a field as an array', { 'content-type': 'application/json' }, '{"email":["a@acme.com"]}', 400, 'email'],
    ['3,000 fields', { 'content-type': 'application/x-www-form-urlencoded' }, Array.from({ length: 3000 }, (_, i) => `f${i}=1`).join('&'), 400, 'body'],
    ['a forged score inside the state', { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({ email: 'a@acme.com', leadscore_state: '{"v":1,"first":0,"total":100,"qualified":true}' }).toString(), 400, 'leadscore_state'],
    ['a garbage X-Leadscore-State header', { 'content-type': 'application/json', 'x-leadscore-state': '%%%not-base64' },
      '{"email":"a@acme.com"}', 400, 'x-leadscore-state'],
    ['text/plain', { 'content-type': 'text/plain' }, 'email=a@acme.com', 415, 'content-type'],
  ];

  for (const [what, headers, body, status, field] of hostile) {
    test(`${what}: ${status} in every runtime, naming the field`, async () => {
      for (const r of Object.values(runtimes)) {
        // Bodies over the limit are refused before they are read: the answer may come while the upload is still going.
        const answer = body.length > 1_000_000
          ? await postEarlyAnswer(r.url, '/forms/contact', { headers, body })
          : await post(r.url, '/forms/contact', { method: 'POST', headers, body });
        assert.equal(answer.status, status, `${r.name}: ${JSON.stringify(answer.body).slice(0, 300)}`);
        assert.equal(answer.body.ok, false);
        assert.equal(typeof answer.body.field, 'string', `${r.name}: the error names a field`);
        if (field) assert.ok(answer.body.field.startsWith(field), `${r.name}: field ${answer.body.field}, expected ${field}`);
        assert.ok(answer.body.error.length > 0);
      }
    });
  }

  test('a GET is 405', async () => {
    for (const r of Object.values(runtimes)) {
      const response = await fetch(`${r.url}/forms/contact`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(response.status, 405, r.name);
      assert.equal(response.headers.get('allow'), 'POST');
      await response.body?.cancel();
    }
  });

  test('after all of them, valid submissions are still qualified and forwarded', async () => {
    const good = cases.find((c) => c.file.startsWith('01-'));
    for (const r of Object.values(runtimes)) {
      assert.equal(r.child.exitCode, null, `${r.name} is still running`);
      const { path, init } = requestOf(good, { vary: `after-hostile-${r.name}` });
      const answer = await post(r.url, path, init);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.qualified, true);
      const got = await receiver.waitFor(`/hook/${r.name}`, answer.body.id);
      assert.equal(got.length, 1, `${r.name} forwarded it once`);
    }
  });
});

test('a replayed submission is refused with 409', async () => {
  const good = cases.find((c) => c.file.startsWith('01-'));
  for (const r of Object.values(runtimes)) {
    const { path, init } = requestOf(good, { vary: `replay-${r.name}` });
    const first = await post(r.url, path, init);
    assert.equal(first.status, 200);
    const again = await post(r.url, path, init);
    assert.equal(again.status, 409, `${r.name}: ${JSON.stringify(again.body)}`);
    assert.equal(again.body.id, first.body.id);
    await receiver.waitFor(`/hook/${r.name}`, first.body.id);
    assert.equal(receiver.find(`/hook/${r.name}`, first.body.id).length, 1, 'forwarded once, not twice');
  }
});

test('a forward target that is down is reported, and delivery resumes when it is back', async () => {
  const good = cases.find((c) => c.file.startsWith('06-'));
  const healthBefore = await post(runtimes.workerd.url, '/health', { method: 'GET' });
  await receiver.stop();
  try {
    for (const r of Object.values(runtimes)) {
      const { path, init } = requestOf(good);
      const body = JSON.parse(init.body);
      body.email = `down-${r.name}-${body.email}`;
      const answer = await post(r.url, path, { ...init, body: JSON.stringify(body) });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.qualified, true);
      if (background(r.name)) {
        assert.equal(answer.body.forward.status, 'pending');
        // Reported through the callback, in the background (ctx.waitUntil): counted and logged whole.
        const until = Date.now() + 15_000;
        let failures = healthBefore.body.forward_failures;
        while (failures === healthBefore.body.forward_failures && Date.now() < until) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          failures = (await post(r.url, '/health', { method: 'GET' })).body.forward_failures;
        }
        assert.equal(failures, healthBefore.body.forward_failures + 1, 'workerd reported one failure');
        const logged = r.child.stderrText.split('\n').find((line) => line.includes(answer.body.id) && line.includes('leadscore.forward_failed'));
        assert.ok(logged, `workerd logged the failed lead: ${r.child.stderrText.slice(-500)}`);
        const report = JSON.parse(logged.slice(logged.indexOf('{')));
        assert.equal(report.attempts, 2);
        assert.equal(report.lead.lead_id, answer.body.id);
      } else {
        assert.equal(answer.body.forward.status, 'failed', `${r.name}: ${JSON.stringify(answer.body.forward)}`);
        assert.equal(answer.body.forward.attempts, 2, 'one retry');
        assert.ok(answer.body.forward.error, 'the error is reported');
        assert.ok(r.child.stderrText.includes(answer.body.id), `${r.name} logged the failed lead`);
      }
    }
  } finally {
    await receiver.start();
  }
  for (const r of Object.values(runtimes)) {
    const { path, init } = requestOf(cases.find((c) => c.file.startsWith('01-')), { vary: `back-${r.name}` });
    const answer = await post(r.url, path, init);
    assert.equal(answer.body.qualified, true);
    assert.equal((await receiver.waitFor(`/hook/${r.name}`, answer.body.id)).length, 1, `${r.name} delivers again`);
  }
});

test('load: 400 submissions through workerd, 16 at a time, no errors, every qualified lead forwarded once', async () => {
  const good = cases.find((c) => c.file.startsWith('01-'));
  const weak = cases.find((c) => c.file.startsWith('02-'));
  const total = 400;
  let next = 0;
  const results = [];
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const { path, init } = requestOf(i % 4 === 0 ? weak : good, { vary: `load-${i}` });
      results.push(await post(runtimes.workerd.url, path, init).then((a) => ({ i, ...a }), (error) => ({ i, error })));
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const errors = results.filter((r) => r.error || r.status !== 200);
  assert.equal(errors.length, 0, JSON.stringify(errors.slice(0, 3)));
  const qualified = results.filter((r) => r.body.qualified);
  assert.equal(qualified.length, total * 3 / 4);
  for (const r of qualified) {
    const attempts = await receiver.waitFor('/hook/workerd', r.body.id);
    // Under load a forward may time out and be retried once; the receiver dedupes by Idempotency-Key.
    assert.ok(attempts.length >= 1 && attempts.length <= 2, `${attempts.length} attempts`);
    assert.equal(receiver.delivered('/hook/workerd', r.body.id).length, 1);
  }
});
