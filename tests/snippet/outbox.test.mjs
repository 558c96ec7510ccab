// The delivery outbox's policy (js/browser/outbox.js) in Node, on a fake clock: backoff with jitter,
// Retry-After, the give-up bound, claims across tabs, a throwing fetch or storage.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backoff, createOutbox, GIVE_UP_MS, LEASE_MS, MAX_ATTEMPTS, OUTBOX_KEY, retryAfterMs, verdict,
} from '../../js/browser/outbox.js';

/** A fake clock with timers, a shared storage, and an endpoint answering from a script of statuses. */
function world({ statuses = [200], retryAfter } = {}) {
  let now = 1_800_000_000_000;
  const timers = [];
  const data = new Map();
  const posts = [];
  const events = [];
  const w = {
    storage: { getItem: (k) => (data.has(k) ? data.get(k) : null), setItem: (k, v) => data.set(k, String(v)), removeItem: (k) => data.delete(k) },
    data,
    posts,
    events,
    now: () => now,
    fetch: () => async (url, init) => {
      posts.push({ at: now, url, init });
      const status = statuses.length > 1 ? statuses.shift() : statuses[0];
      return { status, headers: { get: (h) => (h === 'retry-after' ? retryAfter ?? null : null) } };
    },
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve)); // let promise callbacks run
        timers.sort((a, b) => a.at - b.at);
        if (!timers.length || timers[0].at > end) break;
        const timer = timers.shift();
        now = Math.max(now, timer.at);
        timer.fn();
      }
      now = end;
    },
    /** Runs `fn` `ms` from now on the fake clock (a slow endpoint's answer). */
    later(ms, fn) { timers.push({ fn, at: now + ms }); },
    outbox(overrides = {}) {
      return createOutbox({
        endpoint: '/api/leads', emit: (name, detail) => events.push([name, detail]), storage: () => w.storage,
        fetch: w.fetch, now: w.now, random: () => 0.5,
        setTimer: (fn, ms) => { const t = { fn, at: now + ms }; timers.push(t); return t; },
        clearTimer: (t) => { const i = timers.indexOf(t); if (i >= 0) timers.splice(i, 1); },
        ...overrides,
      });
    },
  };
  return w;
}

test('backoff, Retry-After and verdicts', () => {
  assert.equal(backoff(1, 0), 500);
  assert.equal(backoff(1, 1), 1000);
  assert.equal(backoff(4, 1), 8000);
  assert.equal(backoff(40, 1), 3600e3);
  assert.equal(retryAfterMs('120'), 120e3);
  assert.equal(retryAfterMs(' 2.5 '), 2500);
  const now = Date.UTC(2026, 9, 21, 7, 27, 0);
  assert.equal(retryAfterMs('Wed, 21 Oct 2026 07:28:00 GMT', now), 60e3);
  assert.equal(retryAfterMs('Wed, 21 Oct 2026 07:00:00 GMT', now), 0, 'a date in the past: retry now');
  assert.equal(retryAfterMs('soon', now), undefined);
  assert.equal(retryAfterMs(null), undefined);
  assert.equal(retryAfterMs('9999999'), 24 * 3600e3);
  const e = { tries: 0, first: 0 };
  assert.deepEqual(verdict(e, 200, null, 0, 1), { delivered: true });
  assert.deepEqual(verdict(e, 409, null, 0, 1), { delivered: true });
  assert.deepEqual(verdict(e, 422, null, 0, 1), { giveUp: 'rejected' });
  assert.deepEqual(verdict(e, 0, null, 0, 1), { retry: 1000 });
  assert.deepEqual(verdict(e, 500, '60', 0, 1), { retry: 1000 }, 'Retry-After only with 429 and 503');
  assert.deepEqual(verdict(e, 429, '60', 0, 1), { retry: 60e3 });
  assert.deepEqual(verdict({ tries: MAX_ATTEMPTS - 1, first: 0 }, 500, null, 0, 1), { giveUp: 'attempts' });
  assert.deepEqual(verdict(e, 503, null, GIVE_UP_MS, 1), { giveUp: 'expired' });
});

test('delivers once and clears the stored entry', async () => {
  const w = world();
  const box = w.outbox();
  box.start();
  box.add('lead:m:mql', 'mql', '{"x":1}');
  assert.ok(w.data.has(OUTBOX_KEY), 'persisted before sending');
  await w.advance(1000);
  assert.equal(w.posts.length, 1);
  const { init } = w.posts[0];
  assert.equal(init.method, 'POST');
  assert.equal(init.keepalive, true);
  assert.equal(init.headers['content-type'], 'text/plain;charset=UTF-8');
  assert.deepEqual(w.events, [['delivered', { key: 'lead:m:mql', stage: 'mql', attempts: 1, status: 200 }]]);
  assert.ok(!w.data.has(OUTBOX_KEY));
  box.add('lead:m:mql', 'mql', '{"x":1}'); // a new key only; this one is done — but the outbox no longer knows it
  await w.advance(1000);
  assert.equal(w.posts.length, 2, 'the wasm, not the outbox, decides a stage is queued once');
});

test('retries with exponential backoff until the endpoint is back', async () => {
  const w = world({ statuses: [503, 0, 500, 200] });
  const box = w.outbox();
  box.start();
  box.add('k', 'mql', '{}');
  await w.advance(60_000);
  assert.equal(w.posts.length, 4);
  const gaps = w.posts.slice(1).map((p, i) => p.at - w.posts[i].at);
  assert.deepEqual(gaps.map((g) => g - 10 - 120), [750, 1500, 3000], 'half-jittered 1 s, 2 s, 4 s (+ timer slack and claim check)');
  assert.deepEqual(w.events.map(([n, d]) => [n, d.attempts]), [['delivered', 4]]);
});

test('honours Retry-After on 429', async () => {
  const w = world({ statuses: [429, 200], retryAfter: '30' });
  const box = w.outbox();
  box.start();
  box.add('k', 'mql', '{}');
  await w.advance(29_000);
  assert.equal(w.posts.length, 1);
  await w.advance(2_000);
  assert.equal(w.posts.length, 2);
});

test(`gives up after ${MAX_ATTEMPTS} attempts and says so`, async () => {
  const w = world({ statuses: [500] });
  const box = w.outbox();
  box.start();
  box.add('k', 'sql', '{}');
  await w.advance(24 * 3600e3);
  assert.equal(w.posts.length, MAX_ATTEMPTS);
  assert.deepEqual(w.events, [['give-up', { key: 'k', stage: 'sql', attempts: MAX_ATTEMPTS, status: 500, reason: 'attempts' }]]);
  assert.ok(!w.data.has(OUTBOX_KEY));
});

test('gives up at once on a payload the endpoint rejects, and on entries older than the bound', async () => {
  const w = world({ statuses: [422] });
  const box = w.outbox();
  box.start();
  box.add('k', 'mql', '{}');
  await w.advance(1000);
  assert.deepEqual(w.events.map(([n, d]) => [n, d.reason]), [['give-up', 'rejected']]);

  const old = world();
  old.storage.setItem(OUTBOX_KEY, JSON.stringify([{ key: 'o', stage: 'mql', body: '{}', tries: 3, first: old.now() - GIVE_UP_MS - 1, next: 0, owner: '', lease: 0 }]));
  old.outbox().start();
  await old.advance(1000);
  assert.equal(old.posts.length, 0);
  assert.deepEqual(old.events.map(([n, d]) => [n, d.reason]), [['give-up', 'expired']]);
});

test('two tabs sharing storage send an entry once', async () => {
  const w = world();
  const a = w.outbox();
  const b = w.outbox();
  a.start();
  b.start();
  a.add('k', 'mql', '{}');
  b.add('k', 'mql', '{}'); // the other tab saw the same qualification
  b.start();
  await w.advance(LEASE_MS * 3);
  assert.equal(w.posts.length, 1);
});

test('leaves entries for a later page when fetch throws or the page goes away', async () => {
  const w = world();
  const broken = w.outbox({ fetch: () => () => { throw new Error('no fetch'); } });
  broken.start();
  broken.add('k', 'mql', '{}');
  await w.advance(5000);
  assert.equal(w.posts.length, 0);
  const stored = JSON.parse(w.data.get(OUTBOX_KEY));
  assert.deepEqual([stored.length, stored[0].owner, stored[0].tries], [1, '', 0], 'released, no attempt counted');

  const leaving = w.outbox();
  leaving.start(); // claims it, then the page is hidden before the claim check
  leaving.pagehide();
  await w.advance(5000);
  assert.equal(w.posts.length, 0, 'nothing sent from a page going away');
  assert.equal(JSON.parse(w.data.get(OUTBOX_KEY))[0].owner, '');
  w.outbox().start();
  await w.advance(1000);
  assert.equal(w.posts.length, 1, 'the next page load sends it');
});

test('works from memory when storage throws; consent withdrawn forgets everything', async () => {
  const w = world();
  const box = w.outbox({ storage: () => { throw new Error('denied'); } });
  box.start();
  box.add('k', 'mql', '{}');
  await w.advance(1000);
  assert.equal(w.posts.length, 1);

  const quiet = world();
  const off = quiet.outbox();
  off.add('k', 'mql', '{}'); // no consent yet: ignored
  assert.ok(!quiet.data.has(OUTBOX_KEY));
  off.start();
  off.add('k2', 'mql', '{}');
  off.stop();
  await quiet.advance(5000);
  assert.equal(quiet.posts.length, 0);
  assert.ok(!quiet.data.has(OUTBOX_KEY));
});

test('a slow answer after a retry is not cut short by an earlier attempt\'s timeout', async () => {
  // Every answer takes 8 s: a 500, then 200. The first attempt's 10 s timeout falls while the second is in
  // flight; it must not count the second as failed (that sent a third POST while the second was pending).
  const w = world();
  const answers = [500, 200];
  const box = w.outbox({
    fetch: () => (url, init) => {
      w.posts.push({ at: w.now(), url, init });
      const status = answers.shift() ?? 200;
      return new Promise((resolve) => w.later(8000, () => resolve({ status, headers: { get: () => null } })));
    },
  });
  box.start();
  box.add('k', 'mql', '{}');
  await w.advance(60_000);
  assert.equal(w.posts.length, 2, `POSTs at ${w.posts.map((p) => p.at)}`);
  assert.deepEqual(w.events.map(([n, d]) => [n, d.attempts, d.status]), [['delivered', 2, 200]]);
});

test('a timed-out attempt whose 2xx arrives later is a delivery: no resend', async () => {
  const w = world();
  let answer;
  const box = w.outbox({
    fetch: () => (url, init) => {
      w.posts.push({ at: w.now(), url, init });
      return new Promise((resolve) => { answer = () => resolve({ status: 200, headers: { get: () => null } }); });
    },
  });
  box.start();
  box.add('k', 'mql', '{}');
  await w.advance(LEASE_MS + 200); // timed out: a retry is scheduled 0.75 s later
  assert.equal(w.posts.length, 1);
  answer(); // … but the answer comes first
  await w.advance(60_000);
  assert.equal(w.posts.length, 1, 'not sent again after a confirmed 2xx');
  assert.deepEqual(w.events.map(([n, d]) => [n, d.status]), [['delivered', 200]]);
});

test('a lead qualified as the page leaves waits for the next page instead of a request whose answer would be lost', async () => {
  const w = world();
  let leaving = true;
  const box = w.outbox({ departing: () => leaving });
  box.start();
  box.add('lead:m:mql', 'mql', '{}');
  await w.advance(2000);
  assert.equal(w.posts.length, 0, 'nothing sent while the page is on its way out');
  box.pagehide();
  const [entry] = JSON.parse(w.data.get(OUTBOX_KEY));
  assert.deepEqual([entry.owner, entry.lease, entry.tries], ['', 0, 0], 'released for the next page, not counted as an attempt');
  const next = w.outbox(); // the next page load
  next.start();
  await w.advance(1000);
  assert.equal(w.posts.length, 1);
  assert.ok(!w.data.has(OUTBOX_KEY));

  // A page that stays after all (a single-page app prevented the navigation): sent once the departure is over.
  leaving = true;
  const stays = w.outbox({ departing: () => leaving });
  stays.start();
  stays.add('lead:m:sql', 'sql', '{}');
  await w.advance(1000);
  assert.equal(w.posts.length, 1);
  leaving = false;
  await w.advance(1000);
  assert.equal(w.posts.length, 2);
});
