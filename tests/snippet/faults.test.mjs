// Delivery fault matrix in real Chromium (issue 7): the tag delivers to a fault-injecting endpoint (a node:http
// server on 127.0.0.1 started here; the demo pages are rewritten to point data-endpoint at it) that answers
// 500s, 429 with Retry-After, hangs past the sender's 10 s timeout, refuses connections, answers slowly, or
// stores the lead and then drops the connection before answering. In every case exactly one lead ends up in
// the receiver (which dedupes by idempotency key, as the demo endpoint does), the sender stops after a
// confirmed 2xx, and the raw attempts are what the outbox's documented policy says.
//
// Playwright's clock is installed (time flows naturally) so that long waits (the 10 s timeout, a 30 s
// Retry-After) are skipped with clock.fastForward. Each scenario logs `faults: <name>: …` with its figures.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { events, openPage, qualifyHere, suite, until, visit } from './support.mjs';

const { test, browse, server } = suite();

// Retry-After is not a CORS-safelisted response header: a cross-origin endpoint must expose it, or the tag
// cannot see it (and falls back to its backoff).
const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type',
  'access-control-expose-headers': 'retry-after' };

/**
 * The fault-injecting receiver. `plan({ n, receive, reply, hold, request })` decides what the n-th request (1-based)
 * gets: `receive()` stores the lead unless its idempotency key is already stored (then it counts a duplicate),
 * `reply(status, headers)` answers, `hold()` resolves when `release()` is called.
 */
async function faultEndpoint(plan) {
  const arrivals = [];
  const stored = new Map();
  const held = [];
  const state = { duplicates: 0 };
  const server = createServer(async (request, response) => {
    if (request.method === 'OPTIONS') return response.writeHead(204, CORS).end();
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    let lead;
    try { lead = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { return response.writeHead(400, CORS).end(); }
    const n = arrivals.push({ key: lead.idempotency_key, at: Date.now() });
    const receive = () => {
      if (stored.has(lead.idempotency_key)) state.duplicates += 1;
      else stored.set(lead.idempotency_key, lead);
    };
    const reply = (status, headers = {}) => {
      if (!response.destroyed) {
        response.writeHead(status, { ...CORS, 'content-type': 'application/json', ...headers }).end(`{"ok":${status < 300}}`);
      }
    };
    const hold = () => new Promise((resolve) => held.push(resolve));
    try { await plan({ n, receive, reply, hold, request }); } catch { if (!response.headersSent) reply(500); }
  });
  const listen = (port) => new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(server.address().port); });
  });
  const port = await listen(0);
  return {
    url: `http://127.0.0.1:${port}/leads`,
    arrivals,
    stored,
    state,
    release: () => held.splice(0).forEach((resolve) => resolve()),
    /** Stops listening and drops every connection: the endpoint now refuses connections. */
    down: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
    /** Listens again on the same port. */
    up: () => listen(port),
    async close() {
      held.splice(0).forEach((resolve) => resolve());
      if (server.listening) await new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
    },
  };
}

/**
 * A browser whose demo pages carry data-endpoint="<endpoint.url>", on an installed (naturally flowing) clock, and
 * a page that records every POST the tag makes to the endpoint: `attempts` (sent), `failed` (network errors).
 */
async function visitor(context, endpoint) {
  const origin = new URL(server.url).origin;
  await context.route((url) => url.origin === origin && !url.pathname.includes('.') && !url.pathname.startsWith('/api/'), async (route) => {
    const response = await route.fetch();
    const html = await response.text();
    route.fulfill({ response, body: html.replace('data-endpoint="/api/leads"', `data-endpoint="${endpoint.url}"`) });
  });
  // The endpoint is on another port of 127.0.0.1: Chromium's Local Network Access asks for a permission even
  // from a loopback page (a headless browser denies it), as it would for a site posting to a LAN address.
  await context.grantPermissions(['local-network-access'], { origin });
  await context.clock.install();
  const { page, seen } = await openPage(context);
  const posts = { attempts: 0, failed: [] };
  page.on('request', (r) => { if (r.url() === endpoint.url && r.method() === 'POST') posts.attempts += 1; });
  page.on('requestfailed', (r) => { if (r.url() === endpoint.url) posts.failed.push(r.failure()?.errorText); });
  await visit(page, server.url, '/pricing');
  assert.equal(await page.$eval('script[data-endpoint]', (s) => s.dataset.endpoint), endpoint.url);
  return { page, seen, posts };
}

/** The outbox entries in the page's localStorage. */
const outbox = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('leadscore:outbox') || '[]'));

const delivered = (page) => until(() => events(page, 'delivered').then((d) => d.length && d), 30_000, 'the delivered event');

/**
 * After a delivery: two hours later and on a new page load, nothing more is sent; exactly one lead is stored.
 * Returns the scenario's figures.
 */
async function settled(name, { page, seen, posts }, endpoint) {
  const [first] = await delivered(page);
  const arrivals = endpoint.arrivals.length;
  const attempts = posts.attempts;
  await page.clock.fastForward('02:00:00');
  await page.waitForTimeout(1000);
  await visit(page, server.url, '/features');
  await page.waitForTimeout(1500);
  assert.equal(posts.attempts, attempts, 'no attempt after the confirmed 2xx');
  assert.equal(endpoint.arrivals.length, arrivals, 'nothing reached the endpoint after the confirmed 2xx');
  assert.deepEqual(await outbox(page), [], 'the outbox is empty');
  assert.equal(endpoint.stored.size, 1, 'exactly one lead stored');
  const [lead] = endpoint.stored.values();
  assert.equal(lead.stage, 'mql');
  assert.equal(lead.traits.email, 'dee@delta.example');
  assert.ok(endpoint.arrivals.every((a) => a.key === lead.idempotency_key), 'every request carried the same key');
  assert.deepEqual(seen.pageErrors, []);
  const figures = { attempts, arrivals, stored: endpoint.stored.size, duplicates: endpoint.state.duplicates,
    deliveredEvents: 1, reportedAttempts: first.attempts, failed: posts.failed };
  console.log(`faults: ${name}: ${JSON.stringify(figures)}`);
  return figures;
}

/** Runs a scenario against a fresh fault endpoint in a fresh browser. */
const scenario = (name, plan, run) => test(name, browse(async (context) => {
  const endpoint = await faultEndpoint(plan);
  try {
    await run(context, endpoint);
  } finally {
    await endpoint.close();
  }
}));

scenario('500, 500, then 200: three attempts, one lead', ({ n, receive, reply }) => {
  if (n <= 2) return reply(500);
  receive();
  return reply(200);
}, async (context, endpoint) => {
  const v = await visitor(context, endpoint);
  assert.equal((await qualifyHere(v.page)).qualified, true);
  const f = await settled('500 x2 then 200', v, endpoint);
  assert.equal(f.attempts, 3);
  assert.equal(f.arrivals, 3);
  assert.equal(f.reportedAttempts, 3);
  assert.equal(f.duplicates, 0);
});

scenario('429 with Retry-After: 30, then 200: nothing sent before 30 s, two attempts, one lead', ({ n, receive, reply }) => {
  if (n === 1) return reply(429, { 'retry-after': '30' });
  receive();
  return reply(200);
}, async (context, endpoint) => {
  const v = await visitor(context, endpoint);
  await qualifyHere(v.page);
  await until(async () => (await outbox(v.page))[0]?.tries === 1, 20_000, 'the 429 to be recorded');
  await v.page.clock.fastForward(25_000);
  await v.page.waitForTimeout(1500);
  assert.equal(endpoint.arrivals.length, 1, 'no retry 25 s after a Retry-After of 30 s');
  await v.page.clock.fastForward(6_000);
  const f = await settled('429 Retry-After 30 then 200', v, endpoint);
  assert.equal(f.attempts, 2);
  assert.equal(f.arrivals, 2);
  assert.equal(f.reportedAttempts, 2);
});

scenario('the first request hangs past the 10 s timeout, then answers: the retry delivers, the late answer is a duplicate', async ({ n, receive, reply, hold }) => {
  if (n === 1) await hold();
  receive();
  reply(200);
}, async (context, endpoint) => {
  const v = await visitor(context, endpoint);
  await qualifyHere(v.page);
  await until(() => endpoint.arrivals.length === 1, 20_000, 'the first request');
  await v.page.waitForTimeout(300);
  assert.equal(endpoint.stored.size, 0, 'held');
  await v.page.clock.fastForward(10_500); // past the sender's timeout: the attempt counts as failed, a retry follows
  await until(() => endpoint.stored.size === 1, 20_000, 'the retry');
  const [first] = await delivered(v.page);
  endpoint.release(); // the hung request finally answers 200 (its lead: a duplicate)
  await until(() => endpoint.state.duplicates === 1, 10_000, 'the late answer');
  await v.page.waitForTimeout(1000);
  assert.equal((await events(v.page, 'delivered')).length, 1, 'one delivered event');
  assert.equal(first.attempts, 2);
  const f = await settled('hang past the timeout, then answer', v, endpoint);
  assert.equal(f.attempts, 2);
  assert.equal(f.arrivals, 2);
  assert.equal(f.duplicates, 1);
});

scenario('connection refused (endpoint down), then back: delivered once it is back', ({ receive, reply }) => {
  receive();
  reply(200);
}, async (context, endpoint) => {
  await endpoint.down();
  const v = await visitor(context, endpoint);
  await qualifyHere(v.page);
  // Two refused attempts (the second 0.5–1 s after the first), then the endpoint comes back; the next retry
  // is 1–2 s later, so it finds the endpoint up.
  await until(() => v.posts.failed.length >= 2, 30_000, 'two refused attempts');
  await endpoint.up();
  const f = await settled('connection refused, then back', v, endpoint);
  assert.ok(v.posts.failed.every((error) => /REFUSED/.test(error)), v.posts.failed.join());
  assert.equal(f.arrivals, 1, 'only the attempt after the restart reached it');
  assert.equal(f.attempts, v.posts.failed.length + 1);
  assert.equal(f.attempts, 3);
  assert.equal(f.reportedAttempts, 3);
});

scenario('slow success (5 s, within the 10 s timeout): one attempt', async ({ receive, reply }) => {
  await new Promise((resolve) => setTimeout(resolve, 5000));
  receive();
  reply(200);
}, async (context, endpoint) => {
  const v = await visitor(context, endpoint);
  await qualifyHere(v.page);
  const f = await settled('slow success (5 s)', v, endpoint);
  assert.equal(f.attempts, 1);
  assert.equal(f.arrivals, 1);
  assert.equal(f.reportedAttempts, 1);
});

scenario('success whose response is lost (stored, then the connection is dropped): retried once, deduped', ({ n, receive, reply, request }) => {
  receive();
  if (n === 1) return request.socket.destroy();
  return reply(200);
}, async (context, endpoint) => {
  const v = await visitor(context, endpoint);
  await qualifyHere(v.page);
  const f = await settled('success, response lost', v, endpoint);
  assert.equal(f.attempts, 2);
  assert.equal(f.arrivals, 2);
  assert.equal(f.duplicates, 1, 'the retry was acknowledged as a duplicate, not stored');
  assert.equal(f.reportedAttempts, 2);
  assert.equal(f.failed.length, 1);
});

scenario('429 whose Retry-After the endpoint does not expose (CORS): the tag falls back to its backoff, one lead', ({ n, receive, reply }) => {
  if (n === 1) return reply(429, { 'retry-after': '30', 'access-control-expose-headers': '' });
  receive();
  return reply(200);
}, async (context, endpoint) => {
  const v = await visitor(context, endpoint);
  await qualifyHere(v.page);
  const f = await settled('429 Retry-After not exposed, then 200', v, endpoint);
  assert.equal(f.attempts, 2);
  assert.ok(endpoint.arrivals[1].at - endpoint.arrivals[0].at < 20_000, 'retried after the backoff (the header was hidden)');
});
