// Consent, Global Privacy Control, the opt-out switch and bots (issue 3), in real Chromium.
import assert from 'node:assert/strict';
import { activity, events, openPage, qualify, qualifyHere, ready, storedKeys, suite, until, visit } from './support.mjs';

const { test, browse, server } = suite();


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
  assert.deepEqual(await storedKeys(page), ['leadscore', 'leadscore:model'], 'the state and the last valid model');
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

/**
 * Every request the browser makes to the lead endpoint, seen by interception (context.route: nothing gets past
 * it unrecorded, whichever page, worker or API sends it) and by the request events.
 */
async function intercept(context) {
  const routed = [];
  const requested = [];
  await context.route('**/api/leads', (route) => {
    routed.push({ method: route.request().method(), body: route.request().postData() });
    return route.continue();
  });
  context.on('request', (r) => { if (new URL(r.url()).pathname === '/api/leads') requested.push(r.method()); });
  return { routed, requested };
}

test('request interception: zero requests to the endpoint from an unqualified visitor and before consent', () => browse(async (context) => {
  const seen = await intercept(context);
  const { page } = await openPage(context);
  // Unqualified: home, pricing, features (a tab), the whitepaper page without the download; a page left.
  await visit(page, server.url, '/');
  await visit(page, server.url, '/pricing');
  await visit(page, server.url, '/features');
  await visit(page, server.url, '/whitepaper');
  assert.equal((await page.evaluate(() => window.leadscore.score())).qualified, false);
  await page.waitForTimeout(1500);
  await page.goto('about:blank');
  assert.deepEqual(seen.routed, [], 'no request to the endpoint from an unqualified visitor');
  assert.deepEqual(seen.requested, []);

  // Qualified, but consent is required and not given: still nothing, also across a reload.
  await visit(page, server.url, '/pricing?consent=required');
  assert.equal((await qualifyHere(page, { email: 'fay@phi.example' })).qualified, true);
  await page.waitForTimeout(1500);
  assert.deepEqual(seen.routed, [], 'no request before consent');
  await page.reload();
  await ready(page);
  await page.waitForTimeout(1000);
  assert.deepEqual(seen.routed, [], 'none after a reload either');

  // Consent on this page: this page's collection is delivered, one request.
  assert.equal((await qualifyHere(page, { email: 'fay@phi.example' })).qualified, true);
  await page.evaluate(() => window.leadscore.consent(true));
  await until(() => seen.routed.length === 1, 15_000, 'the lead after consent');
  await page.waitForTimeout(1000);
  assert.equal(seen.routed.length, 1);
  assert.deepEqual(seen.requested, ['POST']);
  assert.equal(JSON.parse(seen.routed[0].body).traits.email, 'fay@phi.example');
}));

// The payload of docs/snippet.md ("The payload"), as allowed keys and value types at every depth.
const str = 'string';
const num = 'number';
const count = (name) => [{ [name]: str, count: num }];
const PAYLOAD = {
  lead_id: str, idempotency_key: str, model: str, model_version: str, fit: num, engagement: num, total: num, grade: str,
  stage: str, qualified: 'boolean', reasons: [str], disqualified_by: [str], next_step: str, scored_at: num,
  breakdown: [{ rule: str, label: str, score: str, points: num, base: num, decayed: num, count: num, counted: num }],
  traits: { email: str, email_domain: str, company_size: num, job_title: str, budget: str, authority: str, need: str, timeline: str },
  history: {
    first_seen: num, last_seen: num, visits: num, pages: [{ path: str, views: num, engaged_seconds: num, scroll: num }],
    downloads: count('url'), forms: count('form'), clicks: count('name'), events: count('name'),
    source: { referrers: [str], campaigns: [{ source: str, medium: str, campaign: str }] },
  },
  page: str, sent_by: str,
  state: 'object', // the visitor state (exportState()), re-scored by a relay; its own format is checked by the core
};

/** Paths in `value` that `shape` does not allow (keys not listed, wrong types), recursively. */
function outside(value, shape, path = '$') {
  if (typeof shape === 'string') return typeof value === shape ? [] : [`${path}: ${typeof value}, expected ${shape}`];
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return [`${path}: expected an array`];
    return value.flatMap((item, i) => outside(item, shape[0], `${path}[${i}]`));
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object`];
  return Object.entries(value).flatMap(([key, v]) => (key in shape ? outside(v, shape[key], `${path}.${key}`) : [`${path}.${key}: not allowed`]));
}

test('the delivered payload holds only allow-listed fields at every depth: no password, free text or secret', () => browse(async (context) => {
  const seen = await intercept(context);
  const { page } = await openPage(context);
  // The webinar form gets fields the tag must never read, filled in before submitting.
  const secrets = { password: 'hunter2-Secret!', card_number: '4111111111111111', api_token: 'tok_live_abc123XYZ',
    notes: 'call me on 555-0199 about the merger', comment: 'private remark xyz' };
  await page.addInitScript((values) => {
    if (location.pathname !== '/webinar') return;
    document.addEventListener('DOMContentLoaded', () => {
      const form = document.querySelector('form');
      form.insertAdjacentHTML('beforeend', `
        <input type="password" name="password"><input name="card_number"><input name="api_token">
        <input type="hidden" name="secret" value="hidden-${values.api_token}">
        <input name="notes"><textarea name="comment"></textarea>`);
      for (const [name, v] of Object.entries(values)) form.elements[name].value = v;
    });
  }, secrets);
  const card = await qualify(page, server.url);
  assert.equal(card.qualified, true);
  await until(() => seen.routed.length === 1, 15_000, 'the lead');
  await page.waitForTimeout(1000);
  assert.equal(seen.routed.length, 1, 'one request');
  const body = seen.routed[0].body;
  const lead = JSON.parse(body);
  assert.deepEqual(outside(lead, PAYLOAD), [], 'every key is in the documented payload');
  assert.deepEqual(Object.keys(lead.traits).sort(), ['company_size', 'email', 'email_domain', 'job_title']);
  for (const value of [...Object.values(secrets), 'hidden-', 'Does it work with our CRM', '555-0100']) {
    assert.ok(!body.includes(value), `the payload does not contain ${value}`);
  }
  // The form still posted everything to the site itself (the tag only reads).
  const forms = await (await fetch(`${server.url}/api/forms`)).json();
  assert.equal(forms.at(-1).fields.password, secrets.password);
}));
