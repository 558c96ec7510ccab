// Consent, Global Privacy Control, the opt-out switch and bots (issue 3), in real Chromium.
import assert from 'node:assert/strict';
import { activity, events, openPage, qualifyHere, ready, suite, until, visit } from './support.mjs';

const { test, browse, server } = suite();

const storedKeys = (page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('leadscore')).sort());

test('consent mode keeps everything in memory and sends nothing until consent is given', () => browse(async (context) => {
  const since = await activity(server.url);
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/pricing?consent=required');
  const card = await qualifyHere(page, { email: 'eve@epsilon.example' });
  assert.equal(card.qualified, true, 'scored in memory');
  assert.equal((await events(page, 'qualified')).length, 1, 'the page may react');
  await page.waitForTimeout(1500);
  assert.equal((await since()).posts, 0, 'nothing sent');
  assert.deepEqual(await storedKeys(page), [], 'nothing stored');

  assert.equal(await page.evaluate(() => window.leadscore.consent(true)), true);
  await until(async () => (await since()).stored === 1, 15_000, 'the lead after consent');
  assert.deepEqual(await storedKeys(page), ['leadscore']);
  const [{ lead }] = (await since()).leads;
  assert.equal(lead.traits.email, 'eve@epsilon.example');
  assert.deepEqual(seen.pageErrors, []);
}));

test('Global Privacy Control is honoured by default: nothing stored or sent without explicit consent', () => browse(async (context) => {
  const since = await activity(server.url);
  const { page } = await openPage(context, {
    init: () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }),
  });
  await visit(page, server.url, '/pricing');
  assert.equal((await qualifyHere(page)).qualified, true);
  await page.waitForTimeout(1500);
  assert.equal((await since()).posts, 0);
  assert.deepEqual(await storedKeys(page), []);
  await page.evaluate(() => window.leadscore.consent(true));
  await until(async () => (await since()).stored === 1, 15_000, 'the lead after explicit consent');
}));

test('opt-out erases what is stored, stops collecting, and sticks across page loads', () => browse(async (context) => {
  const since = await activity(server.url);
  const { page, seen } = await openPage(context);
  await visit(page, server.url, '/pricing');
  assert.deepEqual(await storedKeys(page), ['leadscore']);
  await page.evaluate(() => window.leadscore.consent(false));
  assert.deepEqual(await storedKeys(page), ['leadscore:opt-out']);
  assert.equal(await page.evaluate(() => window.leadscore.score()), null);
  await page.reload();
  await ready(page);
  await qualifyHere(page);
  assert.equal(await page.evaluate(() => window.leadscore.exportState()), null, 'nothing collected');
  await page.waitForTimeout(1000);
  assert.equal((await since()).posts, 0);
  assert.deepEqual(await storedKeys(page), ['leadscore:opt-out']);
  // Opting back in resumes collection.
  await page.evaluate(() => window.leadscore.consent(true));
  await page.evaluate(() => window.leadscore.track('page_view', { path: '/pricing' }));
  assert.equal((await page.evaluate(() => window.leadscore.score())).total, 15);
  assert.deepEqual(seen.pageErrors, []);
}));

test('bots are neither scored nor sent: the wasm is not even loaded', () => browse(async (context) => {
  const since = await activity(server.url);
  const { page, seen } = await openPage(context);
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(`${server.url}/pricing`);
  assert.equal(await page.evaluate(() => navigator.webdriver), true, 'Playwright as it comes looks like a bot');
  await page.waitForFunction(() => window.leadscore?.version);
  assert.equal(await page.evaluate(() => window.leadscore.score()), null);
  await page.evaluate(() => window.leadscore.track('form_submit', { form: 'webinar' }));
  await page.waitForTimeout(1000);
  assert.ok(!requests.includes('/leadscore-core.wasm'), 'no wasm for bots');
  assert.ok(!requests.includes('/leadscore-model.json'), 'no model for bots');
  assert.equal((await since()).posts, 0);
  assert.deepEqual(seen.pageErrors, []);
}, { visitor: false }));
