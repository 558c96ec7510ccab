// Delivery in real Chromium (issue 3): endpoint down then up → delivered once after recovery; 429 with
// Retry-After honoured; the tab closed right after qualifying → delivered on the next visit.
import assert from 'node:assert/strict';
import { activity, events, openPage, qualifyHere, suite, until, visit } from './support.mjs';

const { test, browse, server } = suite();

test('endpoint down, then up: delivered once after recovery', () => browse(async (context) => {
  const since = await activity(server.url);
  const attempts = [];
  await context.route('**/api/leads', (route) => {
    attempts.push(Date.now());
    if (attempts.length <= 2) return route.fulfill({ status: 503, body: 'down for maintenance' });
    return route.continue();
  });
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/pricing');
  const card = await qualifyHere(page);
  assert.equal(card.qualified, true);
  const [delivered] = await until(() => events(page, 'delivered').then((d) => d.length && d), 20_000, 'delivery');
  assert.equal(delivered.attempts, 3);
  assert.equal(delivered.stage, 'mql');
  assert.equal(attempts.length, 3);
  assert.ok(attempts[1] - attempts[0] >= 450 && attempts[2] - attempts[1] >= 900, `backoff between attempts: ${attempts}`);
  await page.waitForTimeout(1000);
  const now = await since();
  assert.equal(now.posts, 1, 'the failed attempts never reached the server; one POST did');
  assert.equal(now.leads.length, 1);
  assert.deepEqual(seen.pageErrors, []);
}));

test('429 with Retry-After is honoured', () => browse(async (context) => {
  const attempts = [];
  await context.route('**/api/leads', (route) => {
    attempts.push(Date.now());
    if (attempts.length === 1) return route.fulfill({ status: 429, headers: { 'retry-after': '3' }, body: 'slow down' });
    return route.continue();
  });
  const { page } = await openPage(context);
  await visit(page, server.url, '/pricing');
  await qualifyHere(page);
  await until(() => events(page, 'delivered').then((d) => d.length), 20_000, 'delivery');
  assert.equal(attempts.length, 2);
  assert.ok(attempts[1] - attempts[0] >= 2900, `waited ${attempts[1] - attempts[0]} ms, Retry-After said 3 s`);
}));

test('tab closed right after qualifying: delivered on the next visit', () => browse(async (context) => {
  const since = await activity(server.url);
  const first = await openPage(context);
  await visit(first.page, server.url, '/pricing');
  await qualifyHere(first.page);
  await first.page.close(); // straight away: the claim is released, nothing is sent from a closing page
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal((await since()).posts, 0, 'nothing sent by the closed tab');
  const next = await openPage(context);
  await visit(next.page, server.url, '/');
  const leads = await until(async () => { const { leads: l } = await since(); return l.length && l; }, 15_000, 'the lead');
  assert.equal(leads[0].lead.traits.email, 'dee@delta.example');
  await next.page.waitForTimeout(1000);
  assert.equal((await since()).posts, 1);
}));

test('offline while qualifying, then a later page load delivers it', () => browse(async (context) => {
  const since = await activity(server.url);
  await context.route('**/api/leads', (route) => route.abort('internetdisconnected'));
  const { page } = await openPage(context);
  await visit(page, server.url, '/pricing');
  await qualifyHere(page);
  await page.waitForTimeout(1500); // at least one failed attempt
  await page.goto('about:blank');
  await context.unroute('**/api/leads');
  assert.equal((await since()).posts, 0);
  await visit(page, server.url, '/features');
  await until(async () => (await since()).stored === 1, 15_000, 'the lead');
}));
